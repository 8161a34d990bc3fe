"""Extension points of the course pages, for apps above ``courses`` (progress, credentials).

``courses`` imports no higher app; instead those apps register Wagtail hooks here:

``capacita_course_page_sections``
    ``fn(request, course_page) -> str | None``. Each returned HTML fragment is rendered, in
    registration order, in the "sections" area of the course page (for example the
    microcredential the course leads to, or the learner's enrolment and progress).

``capacita_course_page_actions``
    ``fn(request, course_page) -> str | None``. The course page's main action (enrol, start,
    continue, completed). When no app answers, the page links to the first lesson.

``capacita_lesson_statuses``
    ``fn(request, course_page) -> dict[str, str] | None``. The signed-in learner's status of
    each lesson, by lesson activity IRI: ``"done"``, ``"in_progress"`` or ``"not_started"``.
    The course outline and the end of a lesson show it as text (not colour alone).

``capacita_knowledge_check_results``
    ``fn(request, lesson_page) -> dict[str, dict] | None``. The learner's last graded attempt
    at each knowledge check of the lesson, by block id (``raw``, ``max``, ``percent``,
    ``passed``), so a reloaded lesson shows it.

``capacita_knowledge_check_graded``
    ``fn(request, lesson_page, result) -> None``. Called after a knowledge check posted as a
    plain form (no JavaScript) has been graded on the server; ``result`` is the
    :class:`courses.services.GradeResult`. The progress app records the learner's attempt, as
    the tracking script does after grading through the API.

``capacita_lesson_page_scripts``
    ``fn(request, lesson_page) -> str | None``. Each fragment is injected at the end of the
    lesson page's ``<body>``; the lesson's ``<article>`` carries the data attributes a
    tracking script needs (see docs/content.md).

``capacita_packaged_units``
    ``fn() -> list[tuple[str, str]]``. The launchable units (cmi5 AUs, SCORM SCOs) an author may
    place in a lesson with a "Contenido empaquetado" block, as ``(uuid, label)`` choices.

``capacita_packaged_content``
    ``fn(request, lesson_page, unit_uuid) -> str | None``. The HTML of a "Contenido
    empaquetado" block (the frame that runs the unit); the packages app registers it.

Fragments are trusted HTML produced by the registering app (escape what you interpolate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe
from wagtail import hooks

if TYPE_CHECKING:
    from django.http import HttpRequest

COURSE_PAGE_SECTIONS = "capacita_course_page_sections"
COURSE_PAGE_ACTIONS = "capacita_course_page_actions"
LESSON_STATUSES = "capacita_lesson_statuses"
LESSON_STATUS_VALUES = ("done", "in_progress", "not_started")
KNOWLEDGE_CHECK_RESULTS = "capacita_knowledge_check_results"
KNOWLEDGE_CHECK_GRADED = "capacita_knowledge_check_graded"
LESSON_PAGE_SCRIPTS = "capacita_lesson_page_scripts"
PACKAGED_UNITS = "capacita_packaged_units"
PACKAGED_CONTENT = "capacita_packaged_content"


def _collect(name: str, request: HttpRequest, page: Any) -> list[SafeString]:
    fragments = []
    for fn in hooks.get_hooks(name):
        html = fn(request, page)
        if html:
            fragments.append(mark_safe(str(html)))  # noqa: S308 - registered apps' own HTML
    return fragments


def course_page_sections(request: HttpRequest, course_page: Any) -> list[SafeString]:
    """HTML fragments that registered apps add to a course page."""
    return _collect(COURSE_PAGE_SECTIONS, request, course_page)


def lesson_page_scripts(request: HttpRequest, lesson_page: Any) -> list[SafeString]:
    """HTML fragments (usually ``<script>`` tags) that registered apps add to a lesson page."""
    return _collect(LESSON_PAGE_SCRIPTS, request, lesson_page)


def course_page_actions(request: HttpRequest, course_page: Any) -> list[SafeString]:
    """HTML fragments with the course page's main action, from registered apps."""
    return _collect(COURSE_PAGE_ACTIONS, request, course_page)


def lesson_statuses(request: HttpRequest, course_page: Any) -> dict[str, str]:
    """The learner's status of each lesson of ``course_page`` by activity IRI (may be empty)."""
    statuses: dict[str, str] = {}
    for fn in hooks.get_hooks(LESSON_STATUSES):
        statuses.update(fn(request, course_page) or {})
    return {iri: status for iri, status in statuses.items() if status in LESSON_STATUS_VALUES}


def knowledge_check_results(request: HttpRequest, lesson_page: Any) -> dict[str, dict[str, Any]]:
    """The learner's last graded result of each knowledge check of the lesson, by block id."""
    results: dict[str, dict[str, Any]] = {}
    for fn in hooks.get_hooks(KNOWLEDGE_CHECK_RESULTS):
        results.update(fn(request, lesson_page) or {})
    return results


def knowledge_check_graded(request: HttpRequest, lesson_page: Any, result: Any) -> None:
    """Tell registered apps that a knowledge check of the lesson was graded on the server."""
    for fn in hooks.get_hooks(KNOWLEDGE_CHECK_GRADED):
        fn(request, lesson_page, result)


def packaged_unit_choices() -> list[tuple[str, str]]:
    """Choices of the "Contenido empaquetado" block: the units registered apps offer."""
    choices: list[tuple[str, str]] = []
    for fn in hooks.get_hooks(PACKAGED_UNITS):
        choices.extend(fn() or [])
    return choices


def packaged_content(request: HttpRequest | None, lesson_page: Any, unit_uuid: str) -> SafeString:
    """The HTML of a "Contenido empaquetado" block, from the app that registers the hook."""
    fragments = []
    for fn in hooks.get_hooks(PACKAGED_CONTENT):
        html = fn(request, lesson_page, unit_uuid)
        if html:
            fragments.append(str(html))
    return mark_safe("".join(fragments))  # noqa: S308 - registered apps' own HTML
