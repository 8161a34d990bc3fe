"""Models of the progress app, one module per area."""

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

__all__ = [
    "AuditEvent",
    "Enrollment",
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

# --- progress engine (branch engine) ---------------------------------------------------------
from .forwarding import ForwardedStatement
from .progress import (
    CourseProgress,
    LessonProgress,
    ModuleProgress,
    ProgressEvidence,
)

__all__ += [
    "CourseProgress",
    "ForwardedStatement",
    "LessonProgress",
    "ModuleProgress",
    "ProgressEvidence",
]
# --- end progress engine ---------------------------------------------------------------------
