"""Admin registration of the courses app: taxonomy snippets, course review and translation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses import admin_views, services
from courses.models import CoursePage, Sector, Skill, Topic


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "site"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "user"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


class CatalogTaxonomyGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Clasificación de cursos")
    menu_icon = "folder-open-inverse"
    menu_name = "course-taxonomy"
    items = (SectorViewSet, TopicViewSet, SkillViewSet)


register_snippet(CatalogTaxonomyGroup)


@hooks.register("register_admin_viewset")
def course_page_viewsets() -> list:
    return [
        admin_views.course_page_viewset,
        admin_views.module_page_viewset,
        admin_views.lesson_page_viewset,
    ]


@hooks.register("register_admin_urls")
def course_admin_urls() -> list:
    return [
        path(
            "courses/<int:page_id>/submit/",
            admin_views.course_submit_for_review,
            name="courses_submit_for_review",
        ),
    ]


def _submit_button(
    page: Any, user: Any, view_name: str | None = None, next_url: str | None = None
) -> Iterator[ListingButton]:
    is_course = isinstance(page.specific_deferred, CoursePage)
    if is_course and page.permissions_for_user(user).can_edit():
        yield ListingButton(
            _("Enviar curso a revisión"),
            reverse("courses_submit_for_review", args=[page.pk]),
            priority=55,
            icon_name="tasks",
        )


hooks.register("register_page_header_buttons", _submit_button)
hooks.register("register_page_listing_more_buttons", _submit_button)


@hooks.register("before_edit_page")
def show_review_comment(request: HttpRequest, page: Any) -> None:
    """The reviewer's comment is shown to the author on top of the editor."""
    if request.method != "GET":
        return
    found = services.course_review_comment(page=page)
    if found is None:
        return
    comment, task_state = found
    reviewer = task_state.finished_by.get_username() if task_state.finished_by else ""
    text = _("Cambios solicitados por %(reviewer)s: %(comment)s") % {
        "reviewer": reviewer,
        "comment": comment or _("(sin comentario)"),
    }
    messages.warning(request, text)


@hooks.register("after_edit_page")
def confirm_review_decision_in_editor(request: HttpRequest, page: Any) -> None:
    """Approving or requesting changes from the editor's action menu says what happened."""
    if not request.POST.get("action-workflow-action"):
        return
    action = request.POST.get("workflow-action-name")
    title = page.get_admin_display_title()
    if action == "approve":
        messages.success(request, _("Aprobaste «%(title)s».") % {"title": title})
    elif action == "reject":
        messages.warning(
            request,
            _("Pediste cambios en «%(title)s»; quien lo envió verá tu comentario.")
            % {"title": title},
        )


@hooks.register("construct_reports_menu")
def hide_translations_report_from_non_translators(request: HttpRequest, menu_items: list) -> None:
    """wagtail-localize shows its translations report to every admin user; only those who may
    submit translations (authors, reviewers) have a use for it (SEP monitors do not)."""
    if request.user.has_perm("wagtail_localize.submit_translation"):
        return
    report = reverse("wagtail_localize:translations_report")
    menu_items[:] = [item for item in menu_items if item.url != report]
