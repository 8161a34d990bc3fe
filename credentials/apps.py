from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from courses.models import CoursePage
        from credentials import receivers
        from learners.signals import teacher_account_cancelled
        from progress.signals import course_completed, course_completion_revoked

        # credentials sits above courses: it listens to the course's publication, courses
        # never calls into credentials.
        page_published.connect(
            receivers.on_page_published,
            sender=CoursePage,
            dispatch_uid="credentials.on_course_published",
        )
        course_completed.connect(
            receivers.on_course_completed, dispatch_uid="credentials.on_course_completed"
        )
        course_completion_revoked.connect(
            receivers.on_course_completion_revoked,
            dispatch_uid="credentials.on_course_completion_revoked",
        )
        teacher_account_cancelled.connect(
            receivers.on_teacher_account_cancelled,
            dispatch_uid="credentials.on_teacher_account_cancelled",
        )
