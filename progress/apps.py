from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # --- reports: refresh a report fact when its enrolment changes ---
        from progress.reports import receivers

        receivers.connect()
