"""What the progress app adds to course and lesson pages (through the courses hooks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix

from .selectors import CourseProgressView, learner_course_progress


def _is_enrolled(user: Any, course_page: Any) -> bool:
    from progress.models import Enrollment

    return Enrollment.objects.filter(
        user=user, course__translation_key=course_page.translation_key, status="active"
    ).exists()


def tracking_config(
    *, request: HttpRequest, lesson_page: Any, csrf_token: Callable[[HttpRequest], str]
) -> dict[str, Any] | None:
    """What tracking.js needs on a lesson page, or None when nobody is to be tracked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    from progress.selectors import learner_actor

    module = lesson_page.get_parent().specific
    course = module.get_parent().specific
    return {
        # The LRS is mounted at /xapi/ by lms/urls.py (DESIGN.md "Public contract").
        "endpoint": get_script_prefix() + "xapi/statements",
        "actor": learner_actor(user=user),
        "csrfToken": csrf_token(request),
        "lesson": lesson_page.activity_id,
        "module": module.activity_id,
        "course": course.activity_id,
        "title": lesson_page.title,
        "language": lesson_page.locale.language_code or settings.LANGUAGE_CODE,
        "checks": list(lesson_page.knowledge_check_ids),
    }


def course_progress_context(*, request: HttpRequest, course_page: Any) -> CourseProgressView | None:
    """The learner's progress for the course page (None for anonymous or not enrolled)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not _is_enrolled(user, course_page):
        return None
    return learner_course_progress(user=user, course_id=course_page.pk)


def course_offline_context(*, request: HttpRequest, course_page: Any) -> dict[str, Any] | None:
    """What the "save for offline reading" control needs (None unless enrolled)."""
    from courses.selectors import course_offline_package

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not _is_enrolled(user, course_page):
        return None
    package = course_offline_package(course_id=course_page.pk)
    return {
        "package": package,
        "estimated_mb": round(package.estimated_bytes / (1024 * 1024), 1),
        "budget_mb": package.budget_bytes // (1024 * 1024),
        "manifest": {
            "course": course_page.pk,
            "lessons": package.lesson_urls,
            "budget": package.budget_bytes,
            "estimate": package.estimated_bytes,
        },
    }
