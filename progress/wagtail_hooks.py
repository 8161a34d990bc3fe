"""Wagtail hooks of the progress app (registration only)."""

# --- progress engine (branch engine) ---------------------------------------------------------
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from progress import forwarding_admin


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


@hooks.register("capacita_course_page_sections")
def course_progress_section(request: HttpRequest, course_page: Any) -> str | None:
    """The learner's progress and "continue where you left off" on the course page."""
    from progress.engine.pages import course_progress_context

    progress = course_progress_context(request=request, course_page=course_page)
    if progress is None:
        return None
    return render_to_string(
        "progress/course_progress_section.html", {"progress": progress}, request=request
    )


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
