"""Hooks of the progress app on course and lesson pages: tracking, enrolment actions, offline
saving, knowledge-check results and lesson statuses.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from wagtail import hooks


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
