"""Models of the progress app, one module per area.

- ``identity``: a learner's opaque xAPI account.
- ``lrs``: statements, documents, attachments and clients of the LRS.
- ``learners``: subsystems, schools, teacher profiles, enrolments, imports, audit events.
- ``progress``: lesson, module and course progress derived from statements.
- ``forwarding``: the outbox of statements forwarded to an external LRS.
- ``reports``: report facts, monitor scopes and export jobs of SEP monitoring.
"""

from .forwarding import ForwardedStatement
from .identity import LearnerIdentity
from .learners import AuditEvent, Enrollment, ImportJob, School, Subsystem, TeacherProfile
from .lrs import (
    LRSActivity,
    LRSAttachment,
    LRSClient,
    LRSDocument,
    Statement,
    StatementActivity,
    StatementAgent,
)
from .progress import CourseProgress, LessonProgress, ModuleProgress, ProgressEvidence
from .reports import (
    ExportJob,
    MonitorScope,
    ReportCourseTag,
    ReportFact,
    ReportRefresh,
    ReportRefreshRequest,
    ReportSnapshot,
)

__all__ = [
    "AuditEvent",
    "CourseProgress",
    "Enrollment",
    "ExportJob",
    "ForwardedStatement",
    "ImportJob",
    "LRSActivity",
    "LRSAttachment",
    "LRSClient",
    "LRSDocument",
    "LearnerIdentity",
    "LessonProgress",
    "ModuleProgress",
    "MonitorScope",
    "ProgressEvidence",
    "ReportCourseTag",
    "ReportFact",
    "ReportRefresh",
    "ReportRefreshRequest",
    "ReportSnapshot",
    "School",
    "Statement",
    "StatementActivity",
    "StatementAgent",
    "Subsystem",
    "TeacherProfile",
]
