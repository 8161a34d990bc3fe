from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.signals import task_approved, task_rejected

        from courses import receivers

        task_approved.connect(receivers.on_task_decided, dispatch_uid="courses.task_approved")
        task_rejected.connect(receivers.on_task_decided, dispatch_uid="courses.task_rejected")
