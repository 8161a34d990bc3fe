from django.apps import AppConfig


class LrsConfig(AppConfig):
    """The xAPI Learning Record Store. It imports no other app of this project: any Django site
    can add ``lrs`` to ``INSTALLED_APPS`` and include ``lrs.urls`` under ``/xapi/``."""

    name = "lrs"
    verbose_name = "xAPI LRS"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lrs import forwarding, statement_log
        from lrs.signals import statements_stored, statements_voided

        # The statement log entry is written in the transaction that stores the statements;
        # its consumers (the forwarding outbox below, the progress engine) apply it later.
        statements_stored.connect(statement_log.on_statements_stored, dispatch_uid="lrs-log")
        statements_voided.connect(statement_log.on_statements_voided, dispatch_uid="lrs-log-void")
        statement_log.register_consumer(
            "forwarding", forwarding.on_log_entries, enabled=forwarding.forwarding_enabled
        )
