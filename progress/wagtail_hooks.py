"""Wagtail admin registration of the progress app (registration only).

LRS clients, schools, subsystems and CSV imports.
"""

from __future__ import annotations

from django import forms
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from progress import admin_views
from progress.models import LRSClient, School, Subsystem
from progress.models.lrs import LRS_SCOPES
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
