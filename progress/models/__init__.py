"""Models of the progress app, split by entity."""

# --- progress engine (branch engine) ---------------------------------------------------------
from .forwarding import ForwardedStatement
from .progress import CourseProgress, LessonProgress, ModuleProgress, ProgressEvidence

__all__ = [
    "CourseProgress",
    "ForwardedStatement",
    "LessonProgress",
    "ModuleProgress",
    "ProgressEvidence",
]
# --- end progress engine ---------------------------------------------------------------------
