"""Wagtail admin of the SEP reports: dashboard, monitor scopes and the export audit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from reports import views as report_views
from reports.models import ExportJob, MonitorScope
from reports.scopes import scope_for_user

report_urls = [
    path("", report_views.dashboard, name="dashboard"),
    path("exports/", report_views.export_create, name="export_create"),
    path("exports/<int:pk>/", report_views.export_detail, name="export"),
    path("refresh/", report_views.refresh_request, name="refresh"),
    path("refresh/<int:pk>/", report_views.refresh_status, name="refresh_status"),
]


@hooks.register("register_admin_urls")
def register_report_urls() -> list:
    return [path("reports/", include((report_urls, "progress_reports")))]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return scope_for_user(request.user) is not None


@hooks.register("register_admin_menu_item")
def register_reports_menu_item() -> MenuItem:
    return ReportsMenuItem(
        _("Reportes SEP"),
        reverse("progress_reports:dashboard"),
        name="reportes-sep",
        icon_name="table",
        order=250,
    )


class MonitorScopeViewSet(ModelViewSet):
    """Who monitors what; the model permissions keep it to administrators."""

    model = MonitorScope
    icon = "view"
    menu_label = _("Alcances de monitoreo")
    add_to_settings_menu = True
    list_display = ["user", "level", "state", "school"]
    list_filter = ["level", "state"]
    search_fields = ["user__username"]
    # Panels (not form_fields) so the form is a Wagtail admin form, whose School field gets the
    # searchable chooser registered below instead of a select of every school.
    panels = [FieldPanel("user"), FieldPanel("level"), FieldPanel("state"), FieldPanel("school")]


class AuditOnlyPolicy(ModelPermissionPolicy):
    """Export records are an audit trail: they can be viewed, never added, edited or deleted."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(ExportJob, AuditOnlyPolicy(ExportJob))


class ExportJobViewSet(ModelViewSet):
    """The export audit trail: who exported what, when, with which filters (read only)."""

    model = ExportJob
    icon = "download"
    menu_label = _("Exportaciones de reportes")
    add_to_settings_menu = True
    list_display = ["created_at", "created_by", "report", "format", "status", "download_count"]
    list_filter = ["report", "format", "status"]
    inspect_view_enabled = True
    form_fields = ["report", "format", "params", "scope", "status"]


@hooks.register("register_admin_viewset")
def register_monitor_scopes() -> ModelViewSet:
    return MonitorScopeViewSet("monitor_scopes")


@hooks.register("register_admin_viewset")
def register_export_audit() -> ModelViewSet:
    return ExportJobViewSet("report_exports")


# --- end reports ------------------------------------------------------------------------------
