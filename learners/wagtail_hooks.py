"""Wagtail admin of the learners app: schools, subsystems, CSV imports and the audit log."""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from learners import admin_views
from learners.models import School, Subsystem


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
