"""Wagtail admin registration for the credentials app (registration only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from credentials import admin_views, services
from credentials.models import Achievement, AuditEvent, Award, Endorsement, Issuer, Microcredential


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Awards and audit events are written only by the services (signed, audited): the snippet
    views may list and inspect them, never add, edit or delete, even for superusers. Staff
    award and revoke through the dedicated views below, which ask for a reason."""

    WRITE_ACTIONS = frozenset({"add", "change", "delete", "publish", "lock", "unlock"})

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in self.WRITE_ACTIONS:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user: Any, actions: Any, instance: Any) -> bool:
        return self.user_has_any_permission(user, actions)


register_permission_policy(Award, ReadOnlyPolicy(Award))
register_permission_policy(AuditEvent, ReadOnlyPolicy(AuditEvent))


class IssuerViewSet(SnippetViewSet):
    model = Issuer
    icon = "site"
    list_display = ["name", "slug", "kind", "parent"]
    search_fields = ["name", "slug"]


class MicrocredentialViewSet(SnippetViewSet):
    model = Microcredential
    icon = "pick"
    list_display = ["title", "awarding_body", "workload_hours", "stackability"]
    search_fields = ["title", "description"]


class AchievementViewSet(SnippetViewSet):
    model = Achievement
    icon = "success"
    list_display = ["name", "issuer", "achievement_type", "credits_available"]
    search_fields = ["name", "description"]


class EndorsementViewSet(SnippetViewSet):
    model = Endorsement
    icon = "thumbtack"
    list_display = ["endorser", "achievement", "created_at"]


class AwardViewSet(SnippetViewSet):
    """Issued awards: inspect only. Staff award and revoke through the API (with a reason)."""

    model = Award
    icon = "tick-inverse"
    list_display = ["achievement", "source", "issued_at", "revoked_at"]
    list_filter = ["source", "achievement"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "uuid",
        "achievement",
        "source",
        "reason",
        "issued_at",
        "valid_until",
        "revoked_at",
        "revocation_reason",
    ]


class AuditEventViewSet(SnippetViewSet):
    model = AuditEvent
    icon = "history"
    list_display = ["action", "issuer", "award", "actor", "reason", "created_at"]
    list_filter = ["action"]
    inspect_view_enabled = True


class CredentialsGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Credenciales")
    menu_icon = "success"
    menu_order = 300
    items = (
        IssuerViewSet,
        MicrocredentialViewSet,
        AchievementViewSet,
        EndorsementViewSet,
        AwardViewSet,
        AuditEventViewSet,
    )


register_snippet(CredentialsGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def sign_endorsement_after_save(request: HttpRequest, instance: Any) -> None:
    """An endorsement is (re-)signed by its endorser whenever it is saved in the admin."""
    if isinstance(instance, Endorsement):
        services.endorsement_sign(endorsement_id=instance.pk)


@hooks.register("capacita_course_page_sections")
def course_page_microcredentials(request: HttpRequest, course_page: Any) -> str | None:
    """On a course page: the badge the course earns and the microcredentials it leads to."""
    from django.template.loader import render_to_string

    from credentials import selectors

    context = selectors.course_page_credentials(course_id=course_page.pk)
    user = getattr(request, "user", None)
    # The signed-in learner's own credentials from this course: the link the course page's
    # "Curso completado" points to (docs/learners.md).
    context["my_awards"] = (
        selectors.automatic_awards_for_course(user_id=user.pk, course_id=course_page.pk)
        if user is not None and user.is_authenticated and course_page.pk is not None
        else []
    )
    if not context["achievements"] and not context["microcredentials"] and not context["my_awards"]:
        return None
    # The teacher who completed the course finds her badge from the course itself.
    user = getattr(request, "user", None)
    held = (
        selectors.held_awards(
            user_id=user.pk,
            achievement_ids=[achievement.pk for achievement in context["achievements"]],
        )
        if user is not None and user.is_authenticated
        else {}
    )
    for achievement in context["achievements"]:
        achievement.held_award = held.get(achievement.pk)
    return render_to_string("credentials/course_page_section.html", context, request=request)


@hooks.register("register_admin_urls")
def credentials_admin_urls() -> list:
    return [
        path("credentials/award/", admin_views.award_by_hand, name="credentials_award_by_hand"),
        path("credentials/revoke/<int:pk>/", admin_views.revoke, name="credentials_revoke"),
    ]


class _AwardMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm("credentials.add_award")


@hooks.register("register_admin_menu_item")
def award_by_hand_menu_item() -> MenuItem:
    return _AwardMenuItem(
        gettext_lazy("Otorgar credencial"),
        reverse("credentials_award_by_hand"),
        icon_name="success",
        order=301,
    )


@hooks.register("register_snippet_listing_buttons")
def award_revoke_button(snippet: Any, user: Any, next_url: str | None = None) -> list:
    if not isinstance(snippet, Award) or snippet.revoked_at is not None:
        return []
    if not user.has_perm("credentials.change_award"):
        return []
    return [
        ListingButton(
            gettext_lazy("Revoke"),
            reverse("credentials_revoke", args=[snippet.pk]),
            priority=90,
            icon_name="cross",
        )
    ]


@hooks.register("capacita_profile_links")
def profile_wallet_link(request: Any) -> dict[str, str]:
    """The teacher's profile page links her wallet ("Mis credenciales")."""
    from django.utils.translation import gettext

    return {"label": gettext("Mis credenciales"), "url": reverse("credentials_pages:wallet")}


@hooks.register("capacita_account_cancel_notices")
def account_cancel_credentials_notice(user: Any, *, api: bool) -> dict[str, Any] | None:
    """Before an ARCO cancellation: what happens to the teacher's credentials, and the download
    of all of them (progress renders it on the cancellation page and in the API)."""
    from django.utils.translation import gettext, ngettext

    from credentials import documents, selectors

    count = selectors.awards_of_user(user_id=user.pk).count()
    if not count:
        return None
    # One text in the request's language for the page and the API (which follows
    # Accept-Language); only the download's address differs.
    url = (
        documents.absolute(reverse("api:me-credentials-export"))
        if api
        else reverse("credentials:wallet_export")
    )
    return {
        "key": "credentials",
        "title": gettext("Tus credenciales"),
        "count": count,
        "text": ngettext(
            "Tienes %(count)d credencial.",
            "Tienes %(count)d credenciales.",
            count,
        )
        % {"count": count}
        + " "
        + gettext(
            "Después de cancelar seguirán siendo válidas: su firma, las claves del emisor y su "
            "estado de revocación se siguen verificando. Pero se borra el resumen cifrado de tu "
            "correo, así que su página pública ya no permitirá comprobar a quién se otorgaron y "
            "los documentos que lo llevaban (OB 3.0 JSON y VC-JWT, OB 2.0, insignias PNG y SVG) "
            "dejarán de publicarse. Descárgalas antes para conservarlas."
        ),
        "downloads": [{"label": gettext("Descargar todas mis credenciales (zip)"), "url": url}],
    }


@hooks.register("before_edit_page")
def course_without_achievement_warning(request: HttpRequest, page: Any) -> None:
    """A live course whose achievement could not be made: the editor says exactly what is
    missing (the achievement is created when the course is published again)."""
    from courses.models import CoursePage

    if request.method != "GET" or not isinstance(page.specific, CoursePage) or not page.live:
        return
    from credentials import selectors

    if selectors.course_page_credentials(course_id=page.pk)["achievements"]:
        return
    missing = services.course_achievement_missing(course=page.specific)
    if missing:
        messages.warning(
            request,
            _("Este curso no tiene insignia; para crearla falta: %(missing)s")
            % {"missing": "; ".join(missing)},
        )
