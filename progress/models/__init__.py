"""Models of the progress app, one module per area."""

# --- reports (SEP monitoring) -----------------------------------------------------------------
from progress.models.reports import ExportJob as ExportJob
from progress.models.reports import ReportCourseTag as ReportCourseTag
from progress.models.reports import ReportFact as ReportFact
from progress.models.reports import ReportRefresh as ReportRefresh

# --- end reports ------------------------------------------------------------------------------
