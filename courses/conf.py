"""Settings of the courses app, with their defaults (override them in Django settings or through
environment variables of the same names); read at each access, so ``override_settings``
reaches them."""

from common.appconf import AppSettings

app_settings = AppSettings(
    "courses",
    {
        # Throttle of the public knowledge-check grading endpoint (DRF rate syntax).
        "LMS_KNOWLEDGE_CHECK_RATE": "60/min",
        # Most megabytes "Guardar para leer sin conexión" may keep for one course (lessons +
        # images); a course estimated above it is refused with a message (docs/progress.md).
        "LMS_OFFLINE_COURSE_BUDGET_MB": 25,
    },
)
