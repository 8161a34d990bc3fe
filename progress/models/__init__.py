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
