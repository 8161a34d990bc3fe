"""Settings of the courses app, with their defaults (override them in Django settings)."""

from django.conf import settings

# Throttle of the public knowledge-check grading endpoint (DRF rate syntax).
LMS_KNOWLEDGE_CHECK_RATE: str = getattr(settings, "LMS_KNOWLEDGE_CHECK_RATE", "60/min")

# Most bytes "Guardar para leer sin conexión" may keep for one course (lessons + images); a
# course estimated above it is refused with a message (docs/progress.md, "Offline reading").
LMS_OFFLINE_COURSE_BUDGET_MB: int = getattr(settings, "LMS_OFFLINE_COURSE_BUDGET_MB", 25)
