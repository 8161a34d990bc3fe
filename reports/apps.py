from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """SEP monitoring: report facts, snapshots, scopes, suppression, dashboard and exports."""

    name = "reports"
    verbose_name = "Reportes SEP"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports import receivers

        # Report facts follow enrolments; a scoped monitor joins the monitors' group.
        receivers.connect()
