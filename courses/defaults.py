"""Settings of the courses app, with their defaults (override them in Django settings)."""

from django.conf import settings

# Throttle of the public knowledge-check grading endpoint (DRF rate syntax).
LMS_KNOWLEDGE_CHECK_RATE: str = getattr(settings, "LMS_KNOWLEDGE_CHECK_RATE", "60/min")
