from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from progress.engine import receivers as engine_receivers
        from progress.reports import receivers as report_receivers

        # The progress engine follows stored and voided statements; report facts follow
        # enrolments.
        engine_receivers.connect()
        report_receivers.connect()
