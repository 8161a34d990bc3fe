"""Wagtail admin registration of the progress app: schools, subsystems and CSV imports."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from progress import admin_views
from progress.models import School, Subsystem


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
]


@hooks.register("register_admin_urls")
def register_import_urls() -> list:
    return [path("imports/", include((import_urls, "progress_imports")))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(admin_views.IMPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_import_menu_item() -> MenuItem:
    return ImportMenuItem(
        _("Importaciones CSV"), reverse("progress_imports:index"), icon_name="upload", order=310
    )
