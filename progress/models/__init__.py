"""Models of the progress app, one module per area."""

from progress.models.learners import (
    AuditEvent,
    ImportJob,
    School,
    Subsystem,
    TeacherProfile,
)

__all__ = [
    "AuditEvent",
    "ImportJob",
    "School",
    "Subsystem",
    "TeacherProfile",
]

# --- reports (SEP monitoring) -----------------------------------------------------------------
from progress.models.reports import ExportJob as ExportJob
from progress.models.reports import MonitorScope as MonitorScope
from progress.models.reports import ReportCourseTag as ReportCourseTag
from progress.models.reports import ReportFact as ReportFact
from progress.models.reports import ReportRefresh as ReportRefresh
from progress.models.reports import ReportSnapshot as ReportSnapshot

# --- end reports ------------------------------------------------------------------------------
