"""Wagtail admin registration of the progress app (registration only).

LRS clients, schools, subsystems and CSV imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from progress import admin_views, forwarding_admin
from progress.models import ExportJob, LRSClient, MonitorScope, School, Subsystem
from progress.models.lrs import LRS_SCOPES
from progress.reports import views as report_views
from progress.reports.scopes import scope_for_user
from progress.xapi.auth import generate_credentials, hash_secret


class LRSClientForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in LRS_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="What the client may do; 'all' grants every scope.",
    )

    class Meta:
        model = LRSClient
        fields = ["name", "scopes", "active"]


class LRSClientCreateView(CreateView):
    """Creating a client generates its key and secret; the secret is shown once."""

    def save_instance(self) -> LRSClient:
        key, secret = generate_credentials()
        self.form.instance.key = key
        self.form.instance.secret_hash = hash_secret(secret)
        self._lrs_secret = secret
        return super().save_instance()

    def get_success_message(self, instance: LRSClient) -> str:
        return (
            f"LRS client '{instance}' created. Key: {instance.key} — secret: "
            f"{self._lrs_secret} (copy it now: it is not shown again)."
        )


class LRSClientViewSet(SnippetViewSet):
    model = LRSClient
    icon = "key"
    menu_label = "LRS clients"
    add_view_class = LRSClientCreateView
    list_display = ["name", "key", "scopes", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "key"]

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return LRSClientForm


register_snippet(LRSClientViewSet)


class SchoolViewSet(ModelViewSet):
    model = School
    icon = "home"
    menu_label = _("Escuelas")
    list_display = ["cct", "name", "state", "municipality", "subsystem", "cct_check_letter_ok"]
    list_filter = ["state", "subsystem", "cct_check_letter_ok"]
    search_fields = ["cct", "name", "municipality"]
    form_fields = ["cct", "name", "state", "municipality", "subsystem"]


class SubsystemViewSet(ModelViewSet):
    model = Subsystem
    icon = "group"
    menu_label = _("Subsistemas")
    list_display = ["name", "code", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    form_fields = ["code", "name", "kind", "description", "active"]


class SchoolSearchForm(BaseFilterForm):
    """Search the schools of the chooser by CCT, name or municipality (plain ORM: schools come
    in by bulk import, so they are not in Wagtail's search index)."""

    q = forms.CharField(
        label=_("Buscar"),
        widget=forms.TextInput(attrs={"placeholder": _("CCT, nombre o municipio")}),
        required=False,
    )

    def filter(self, objects: QuerySet[School]) -> QuerySet[School]:
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(
                models.Q(cct__istartswith=query)
                | models.Q(name__icontains=query)
                | models.Q(municipality__icontains=query)
            )
            self.is_searching = True
            self.search_query = query
        return objects


class SchoolChooseMixin:
    filter_form_class = SchoolSearchForm

    def get_object_list(self) -> QuerySet[School]:
        return School.objects.select_related("subsystem").order_by("cct")


class SchoolChooseView(SchoolChooseMixin, ChooseView):
    pass


class SchoolChooseResultsView(SchoolChooseMixin, ChooseResultsView):
    pass


class SchoolChooserViewSet(ChooserViewSet):
    """A searchable chooser for schools: every admin form with a school (a monitor's scope)
    picks one among thousands by CCT or name instead of scrolling a select of all of them."""

    model = School
    icon = "home"
    choose_one_text = _("Elegir escuela")
    choose_another_text = _("Elegir otra escuela")
    edit_item_text = _("Editar escuela")
    per_page = 20
    choose_view_class = SchoolChooseView
    choose_results_view_class = SchoolChooseResultsView


@hooks.register("register_admin_viewset")
def register_school_chooser() -> ChooserViewSet:
    return SchoolChooserViewSet("school_chooser")


class LearnerRecordsGroup(ModelViewSetGroup):
    menu_label = _("Docentes")
    menu_icon = "user"
    menu_order = 300
    items = (SchoolViewSet("schools"), SubsystemViewSet("subsystems"))


@hooks.register("register_admin_viewset")
def register_learner_records() -> LearnerRecordsGroup:
    return LearnerRecordsGroup()


import_urls = [
    path("", admin_views.import_index, name="index"),
    path("<int:pk>/", admin_views.import_detail, name="detail"),
    path("<int:pk>/status/", admin_views.import_status, name="status"),
    path("<int:pk>/file/", admin_views.import_file, name="file"),
]
audit_urls = [path("", admin_views.audit_index, name="index")]


@hooks.register("register_admin_urls")
def register_import_urls() -> list:
    return [
        path("imports/", include((import_urls, "progress_imports"))),
        path("audit/", include((audit_urls, "progress_audit"))),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(admin_views.IMPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_import_menu_item() -> MenuItem:
    return ImportMenuItem(
        _("Importaciones CSV"), reverse("progress_imports:index"), icon_name="upload", order=310
    )


class AuditMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(admin_views.AUDIT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_audit_menu_item() -> MenuItem:
    return AuditMenuItem(
        _("Auditoría"), reverse("progress_audit:index"), icon_name="history", order=320
    )


# --- progress engine (branch engine) ---------------------------------------------------------


@hooks.register("capacita_lesson_page_scripts")
def lesson_tracking_script(request: HttpRequest, lesson_page: Any) -> str | None:
    """The tracking script, for signed-in learners (anonymous readers are not tracked)."""
    from progress.engine.pages import tracking_config

    config = tracking_config(request=request, lesson_page=lesson_page, csrf_token=get_token)
    if config is None:
        return None
    return render_to_string(
        "progress/tracking_script.html", {"tracking_config": config}, request=request
    )


@hooks.register("capacita_course_page_actions")
def course_page_action(request: HttpRequest, course_page: Any) -> str | None:
    """The course page's one action for this visitor: sign in, enrol, start, continue, done."""
    from progress.engine.pages import course_action_context

    action = course_action_context(request=request, course_page=course_page)
    if action is None:
        return None
    return render_to_string(
        "progress/course_action.html", {"action": action, "page": course_page}, request=request
    )


@hooks.register("capacita_course_page_sections")
def course_offline_section(request: HttpRequest, course_page: Any) -> str | None:
    """ "Guardar para leer sin conexión", for learners enrolled in the course."""
    from progress.engine.pages import course_offline_context

    offline = course_offline_context(request=request, course_page=course_page)
    if offline is None:
        return None
    return render_to_string("progress/offline_save.html", {"offline": offline}, request=request)


@hooks.register("capacita_knowledge_check_results")
def lesson_check_results(request: HttpRequest, lesson_page: Any) -> dict[str, dict] | None:
    """The signed-in learner's last graded attempt at each check of the lesson (from the LRS)."""
    from progress.selectors import knowledge_check_last_results

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or lesson_page.pk is None:
        return None
    return knowledge_check_last_results(
        user=user, lesson_iri=lesson_page.activity_id, block_ids=lesson_page.knowledge_check_ids
    )


@hooks.register("capacita_knowledge_check_graded")
def lesson_check_graded(request: HttpRequest, lesson_page: Any, result: Any) -> None:
    """A check graded without JavaScript: record the attempt as the tracking script would."""
    from progress.services import knowledge_check_answer_record

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or lesson_page.pk is None:
        return
    knowledge_check_answer_record(
        user=user,
        lesson_page=lesson_page,
        block_id=result.block_id,
        raw=result.raw,
        max_score=result.max,
        scaled=result.scaled,
        passed=result.passed,
    )


@hooks.register("capacita_lesson_statuses")
def course_lesson_statuses(request: HttpRequest, course_page: Any) -> dict[str, str] | None:
    """The enrolled learner's done / in progress / not started, for the outline's ticks."""
    from progress.engine.pages import lesson_statuses

    return lesson_statuses(request=request, course_page=course_page)


@hooks.register("register_admin_urls")
def forwarding_admin_urls() -> list:
    return [
        path("lrs-forwarding/", forwarding_admin.forwarding_index, name="progress_forwarding"),
        path(
            "lrs-forwarding/retry/",
            forwarding_admin.forwarding_retry,
            name="progress_forwarding_retry",
        ),
    ]


class ForwardingMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(forwarding_admin.PERMISSION)


@hooks.register("register_settings_menu_item")
def forwarding_menu_item() -> MenuItem:
    return ForwardingMenuItem(
        "Reenvío a LRS externo",
        reverse("progress_forwarding"),
        icon_name="redirect",
        order=900,
    )


# --- end progress engine ---------------------------------------------------------------------


# --- reports (SEP monitoring) -----------------------------------------------------------------


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
