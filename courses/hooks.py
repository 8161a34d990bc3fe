"""Extension points of the course pages, for apps above ``courses`` (progress, credentials).

``courses`` imports no higher app; instead those apps register Wagtail hooks here:

``capacita_course_page_sections``
    ``fn(request, course_page) -> str | None``. Each returned HTML fragment is rendered, in
    registration order, in the "sections" area of the course page (for example the
    microcredential the course leads to, or the learner's enrolment and progress).

``capacita_lesson_page_scripts``
    ``fn(request, lesson_page) -> str | None``. Each fragment is injected at the end of the
    lesson page's ``<body>``; the lesson's ``<article>`` carries the data attributes a
    tracking script needs (see docs/content.md).

Fragments are trusted HTML produced by the registering app (escape what you interpolate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.safestring import SafeString, mark_safe
from wagtail import hooks

if TYPE_CHECKING:
    from django.http import HttpRequest

COURSE_PAGE_SECTIONS = "capacita_course_page_sections"
LESSON_PAGE_SCRIPTS = "capacita_lesson_page_scripts"


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
