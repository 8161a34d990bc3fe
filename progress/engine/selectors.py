"""Reads of a learner's progress, for the learner API and the course page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from courses import selectors as course_selectors
from progress.models import CourseProgress, LessonProgress

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class LessonProgressView:
    activity_id: str
    title: str
    url: str | None
    status: str
    progress_percent: int
    best_score: float | None
    # Whether the lesson counts as done for the course (completed, or passed when it has
    # knowledge checks): what the outline's "done" tick shows.
    done: bool = False


@dataclass(frozen=True)
class CourseProgressView:
    course_id: int
    activity_id: str
    percent: int
    completed: bool
    completed_at: datetime | None
    score: float | None
    hours: float
    started: bool
    resume_url: str | None
    lessons: list[LessonProgressView] = field(default_factory=list)


def learner_course_progress(*, user: User, course_id: int) -> CourseProgressView:
    """The learner's progress in a course (in its language's page tree), in six queries.

    Raises ``LookupError`` when the course does not exist. Lessons the learner never opened
    are ``not_started``; the resume URL is the lesson to continue with (the first lesson for
    a course not started, None once every lesson is done).
    """
    from courses.models import CoursePage  # the DoesNotExist the outline raises

    try:
        outline = course_selectors.course_outline(course_id=course_id)
    except CoursePage.DoesNotExist as exc:
        raise LookupError(course_id) from exc
    course = CourseProgress.objects.filter(user=user, course_iri=outline.activity_id).first()
    rows = {
        row.lesson_iri: row
        for row in LessonProgress.objects.filter(
            user=user, lesson_iri__in=[lesson.activity_id for lesson in outline.lessons]
        )
    }
    lessons = [
        LessonProgressView(
            activity_id=lesson.activity_id,
            title=lesson.title,
            url=lesson.url,
            status=rows[lesson.activity_id].status
            if lesson.activity_id in rows
            else LessonProgress.Status.NOT_STARTED,
            progress_percent=rows[lesson.activity_id].progress_percent
            if lesson.activity_id in rows
            else 0,
            best_score=rows[lesson.activity_id].best_score if lesson.activity_id in rows else None,
            done=rows[lesson.activity_id].done if lesson.activity_id in rows else False,
        )
        for lesson in outline.lessons
    ]
    urls = {lesson.activity_id: lesson.url for lesson in outline.lessons}
    if course is None:
        resume = outline.first_lesson.url if outline.first_lesson else None
    else:
        resume = urls.get(course.resume_lesson_iri) if course.resume_lesson_iri else None
    return CourseProgressView(
        course_id=outline.id,
        activity_id=outline.activity_id,
        percent=course.percent if course else 0,
        completed=bool(course and course.completed_at),
        completed_at=course.completed_at if course else None,
        score=course.score if course else None,
        hours=course.hours if course else 0.0,
        started=course is not None,
        resume_url=resume,
        lessons=lessons,
    )
