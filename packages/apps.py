from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "packages"
    verbose_name = _("Paquetes de e-learning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published

        from lrs.cmi5 import cmi5_session_status_changed
        from packages import receivers
        from packages import tasks as import_tasks  # noqa: F401 (registers the import tasks)
        from packages.cmi5 import status, tasks  # noqa: F401 (registers the Celery tasks)
        from packages.models import PackageVersion
        from packages.scorm import tasks as scorm_tasks  # noqa: F401 (registers the sweep)

        page_published.connect(receivers.on_page_published, dispatch_uid="packages.page_published")
        post_delete.connect(
            receivers.on_version_deleted,
            sender=PackageVersion,
            dispatch_uid="packages.version_deleted",
        )
        cmi5_session_status_changed.connect(
            status.on_session_status_changed, dispatch_uid="packages.cmi5_status"
        )
