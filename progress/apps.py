from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # --- progress engine (branch engine) -----------------------------------------------
        from progress.engine import receivers

        receivers.connect()
        # --- end progress engine -----------------------------------------------------------
