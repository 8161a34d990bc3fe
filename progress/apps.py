from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """The progress engine (lesson, module and course progress derived from the LRS's
    statements) and the learner progress API."""

    name = "progress"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from progress.engine import receivers

        # The progress engine follows stored and voided statements and new enrolments.
        receivers.connect()
