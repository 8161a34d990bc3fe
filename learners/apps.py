from django.apps import AppConfig


class LearnersConfig(AppConfig):
    """Teachers and their schools: profiles, subsystems, enrolments, accounts, CSV imports,
    ARCO rights and the audit log."""

    name = "learners"
    verbose_name = "Docentes"
    default_auto_field = "django.db.models.BigAutoField"
