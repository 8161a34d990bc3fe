"""The course structure the rules need, read through ``courses.selectors`` (never its models).

Translations share activity IRIs; the structure is read from the default language's course
(falling back to any translation), so a learner's progress does not depend on the language
they studied in.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from courses import selectors as course_selectors

from .rules import LessonInfo, ModuleInfo


@dataclass(frozen=True)
class CourseStructure:
    course_id: int
    activity_id: str
    passing_score: int
    modules: Sequence[ModuleInfo]
    lesson_urls: dict[str, str | None]
    module_ids: dict[str, int]

    @property
    def lesson_iris(self) -> list[str]:
        return [lesson.activity_id for module in self.modules for lesson in module.lessons]


# Structures shared by the units of work of this process: reading a course outline costs a few
# queries and parsing every lesson's body, far more than the rest of a progress update. Entries
# live LIFETIME seconds and are dropped at once when a page is published, unpublished, moved or
# deleted in this process (other processes see the change within LIFETIME).
LIFETIME = 300.0
_shared: dict[str, tuple[float, object]] = {}


def forget_structures(**_kwargs: object) -> None:
    """Drop every cached course structure (connected to Wagtail's page signals)."""
    _shared.clear()


def _shared_get(key: str) -> object:
    entry = _shared.get(key)
    if entry is None or time.monotonic() - entry[0] > LIFETIME:
        return _MISSING
    return entry[1]


def _shared_set(key: str, value: object) -> None:
    _shared[key] = (time.monotonic(), value)


_MISSING = object()


class StructureCache:
    """Course structures looked up during one unit of work (a batch, a recompute)."""

    def __init__(self) -> None:
        self._by_course: dict[str, CourseStructure | None] = {}
        self._course_of_lesson: dict[str, str | None] = {}

    def for_lesson(self, lesson_iri: str) -> CourseStructure | None:
        """The structure of the course a lesson belongs to (None: not a live lesson of ours)."""
        if lesson_iri not in self._course_of_lesson:
            shared = _shared_get("lesson:" + lesson_iri)
            if shared is _MISSING:
                course = course_selectors.course_for_activity_id(
                    lesson_iri, language=settings.LANGUAGE_CODE
                )
                structure = self.for_course(course.activity_id) if course is not None else None
                found = structure is not None and lesson_iri in structure.lesson_urls
                shared = structure.activity_id if structure is not None and found else None
                _shared_set("lesson:" + lesson_iri, shared)
            self._course_of_lesson[lesson_iri] = shared  # type: ignore[assignment]
        course_iri = self._course_of_lesson[lesson_iri]
        return self.for_course(course_iri) if course_iri else None

    def for_course(self, course_iri: str) -> CourseStructure | None:
        """The structure of the course with this IRI (None when there is no such course)."""
        if course_iri not in self._by_course:
            shared = _shared_get("course:" + course_iri)
            if shared is _MISSING:
                shared = _load(course_iri)
                _shared_set("course:" + course_iri, shared)
            self._by_course[course_iri] = shared  # type: ignore[assignment]
        return self._by_course[course_iri]


def _load(course_iri: str) -> CourseStructure | None:
    course = course_selectors.course_for_activity_id(course_iri, language=settings.LANGUAGE_CODE)
    if course is None or course.activity_id != course_iri:
        return None
    outline = course_selectors.course_outline(course_id=course.pk)
    modules = [
        ModuleInfo(
            activity_id=module.activity_id,
            lessons=[
                LessonInfo(
                    activity_id=lesson.activity_id,
                    has_check=lesson.has_knowledge_check,
                    required=lesson.required,
                    estimated_minutes=lesson.estimated_minutes,
                )
                for lesson in module.lessons
            ],
        )
        for module in outline.modules
    ]
    return CourseStructure(
        course_id=outline.id,
        activity_id=outline.activity_id,
        passing_score=outline.passing_score,
        modules=modules,
        lesson_urls={
            lesson.activity_id: lesson.url
            for module in outline.modules
            for lesson in module.lessons
        },
        module_ids={module.activity_id: module.id for module in outline.modules},
    )


def translation_key_of(activity_id: str) -> str | None:
    """The translation key in one of our course/module/lesson IRIs (None when not ours)."""
    parsed = course_selectors.parse_activity_id(activity_id)
    return str(parsed[1]) if parsed else None
