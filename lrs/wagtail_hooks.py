"""Wagtail admin of the LRS (used only when Wagtail's admin is installed): clients, the
forwarding outbox and the statement log.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from lrs import forwarding_admin, statement_log_admin
from lrs.auth import generate_credentials, hash_secret
from lrs.models import LRS_SCOPES, LRSClient


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


@hooks.register("register_admin_urls")
def statement_log_admin_urls() -> list:
    return [
        path("lrs-log/", statement_log_admin.statement_log_index, name="lrs_statement_log"),
        path(
            "lrs-log/retry/",
            statement_log_admin.statement_log_retry,
            name="lrs_statement_log_retry",
        ),
    ]


class StatementLogMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(statement_log_admin.PERMISSION)


@hooks.register("register_settings_menu_item")
def statement_log_menu_item() -> MenuItem:
    return StatementLogMenuItem(
        "Registro de enunciados",
        reverse("lrs_statement_log"),
        icon_name="list-ul",
        order=901,
    )
