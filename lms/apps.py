from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "Capacita"

    def ready(self) -> None:
        from lms import checks  # noqa: F401 - registers the system checks
