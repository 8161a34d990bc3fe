"""What the progress app adds to course and lesson pages (through the courses hooks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.formats import date_format

from .catch_up import progress_catch_up
from .selectors import CourseProgressView, learner_course_progress


def _is_enrolled(user: Any, course_page: Any) -> bool:
    from learners.models import Enrollment

    return Enrollment.objects.filter(
        user=user, course__translation_key=course_page.translation_key, status="active"
    ).exists()


def _progress_for(request: HttpRequest, user: Any, course_page: Any) -> CourseProgressView:
    # The course page asks for its action and for the outline's ticks: read progress once.
    cache: dict[int, CourseProgressView] = request.__dict__.setdefault("_capacita_progress", {})
    if course_page.pk not in cache:
        if not cache:
            progress_catch_up(user=user)  # her own statements first (read-your-writes)
        cache[course_page.pk] = learner_course_progress(user=user, course_id=course_page.pk)
    return cache[course_page.pk]


def tracking_config(
    *, request: HttpRequest, lesson_page: Any, csrf_token: Callable[[HttpRequest], str]
) -> dict[str, Any] | None:
    """What tracking.js needs on a lesson page, or None when nobody is to be tracked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if getattr(request, "is_preview", False):
        # An editor or reviewer reading a draft (Wagtail or workflow preview) is not learning.
        return None
    from lrs.conf import actor_for_user

    module = lesson_page.get_parent().specific
    course = module.get_parent().specific
    return {
        # The LRS is mounted at /xapi/ by lms/urls.py (DESIGN.md "Public contract").
        "endpoint": get_script_prefix() + "xapi/statements",
        "actor": actor_for_user(user),
        "csrfToken": csrf_token(request),
        "lesson": lesson_page.activity_id,
        "module": module.activity_id,
        "course": course.activity_id,
        "title": lesson_page.title,
        "language": lesson_page.locale.language_code or settings.LANGUAGE_CODE,
        "checks": list(lesson_page.knowledge_check_ids),
    }


@dataclass(frozen=True)
class CourseAction:
    """The one action the course page offers the visitor, by state.

    ``state`` is ``signed_out``, ``not_enrolled``, ``not_started``, ``in_progress`` or
    ``completed``; ``progress`` is set once enrolled; ``missing_prerequisites`` lists the
    titles of prerequisite courses a signed-in learner has not finished yet.
    """

    state: str
    course_id: int
    course_url: str
    progress: CourseProgressView | None = None
    missing_prerequisites: list[str] = field(default_factory=list)
    completed_on: str = ""


def date_in_words(value: datetime) -> str:
    """``value`` as a date in words in the active language ("2 de marzo de 2026",
    "March 2, 2026"); Spanish writes month names in lower case, which Django's names are not."""
    text = date_format(timezone.localtime(value), "DATE_FORMAT")
    return text.lower() if (translation.get_language() or "").startswith("es") else text


def course_action_context(*, request: HttpRequest, course_page: Any) -> CourseAction | None:
    """What the course page's action area shows to this visitor (None for unsaved pages)."""
    from learners.selectors import missing_prerequisite_keys

    if course_page.pk is None:
        return None
    course_url = course_page.get_url(request) or "/"
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return CourseAction(state="signed_out", course_id=course_page.pk, course_url=course_url)
    if not _is_enrolled(user, course_page):
        missing = missing_prerequisite_keys(user=user, course=course_page)
        titles = (
            list(
                course_page.prerequisites.filter(translation_key__in=missing)
                .order_by("title")
                .values_list("title", flat=True)
            )
            if missing
            else []
        )
        return CourseAction(
            state="not_enrolled",
            course_id=course_page.pk,
            course_url=course_url,
            missing_prerequisites=titles,
        )
    progress = _progress_for(request, user, course_page)
    if progress.completed:
        state = "completed"
    elif progress.started and any(lesson.status != "not_started" for lesson in progress.lessons):
        state = "in_progress"
    else:
        state = "not_started"
    return CourseAction(
        state=state,
        course_id=course_page.pk,
        course_url=course_url,
        progress=progress,
        completed_on=date_in_words(progress.completed_at) if progress.completed_at else "",
    )


def lesson_statuses(*, request: HttpRequest, course_page: Any) -> dict[str, str] | None:
    """The enrolled learner's status of each lesson by IRI: done, in_progress, not_started."""
    user = getattr(request, "user", None)
    if (
        course_page is None
        or course_page.pk is None
        or user is None
        or not user.is_authenticated
        or not _is_enrolled(user, course_page)
    ):
        return None
    progress = _progress_for(request, user, course_page)
    return {lesson.activity_id: _lesson_status(lesson) for lesson in progress.lessons}


def _lesson_status(lesson: Any) -> str:
    if lesson.done:
        return "done"
    return "not_started" if lesson.status == "not_started" else "in_progress"


def course_offline_context(*, request: HttpRequest, course_page: Any) -> dict[str, Any] | None:
    """What the "save for offline reading" control needs (None unless enrolled)."""
    from courses.selectors import course_offline_package

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not _is_enrolled(user, course_page):
        return None
    package = course_offline_package(course_id=course_page.pk)
    return {
        "package": package,
        # Never "0.0 MB": a small course reads as nothing to save.
        "estimated_mb": max(round(package.estimated_bytes / (1024 * 1024), 1), 0.1),
        "budget_mb": package.budget_bytes // (1024 * 1024),
        "manifest": {
            "course": course_page.pk,
            # The way in is saved too: offline, the course page opens like its lessons.
            "page": course_page.url,
            "lessons": package.lesson_urls,
            "budget": package.budget_bytes,
            "estimate": package.estimated_bytes,
        },
    }
