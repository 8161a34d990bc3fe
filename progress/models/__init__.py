"""Models of the progress app, one module per area."""

from .identity import LearnerIdentity
from .learners import AuditEvent, ImportJob, School, Subsystem, TeacherProfile
from .lrs import (
    LRSActivity,
    LRSAttachment,
    LRSClient,
    LRSDocument,
    Statement,
    StatementActivity,
    StatementAgent,
)

__all__ = [
    "AuditEvent",
    "ImportJob",
    "LRSActivity",
    "LRSAttachment",
    "LRSClient",
    "LRSDocument",
    "LearnerIdentity",
    "School",
    "Statement",
    "StatementActivity",
    "StatementAgent",
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
