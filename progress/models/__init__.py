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
