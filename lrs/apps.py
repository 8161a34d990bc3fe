from django.apps import AppConfig


class LrsConfig(AppConfig):
    """The xAPI Learning Record Store. It imports no other app of this project: any Django site
    can add ``lrs`` to ``INSTALLED_APPS`` and include ``lrs.urls`` under ``/xapi/``."""

    name = "lrs"
    verbose_name = "xAPI LRS"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lrs import forwarding
        from lrs.signals import statements_stored

        # The forwarding outbox row is written in the transaction that stores the statement.
        statements_stored.connect(forwarding.on_statements_stored, dispatch_uid="lrs-forwarding")
