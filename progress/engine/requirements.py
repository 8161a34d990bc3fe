"""Learners' courses brought up to date when an editor lowers what a course requires.

The engine recomputes a learner's course when one of her statements arrives or she enrols.
Making a published lesson optional (``required`` from True to False), unpublishing a lesson or
module, or deleting one changes what completes the course without either: a teacher who had
done every other required lesson would stay "not complete" until her next statement, which
may never come when nothing is left for her to do. The receivers (``receivers.py``) enqueue
``progress.tasks.course_requirements_lowered`` for the course when such a change commits; it
refreshes, in batches, the course of each enrolled learner who has not completed it.

Only changes that can only remove requirements trigger this, and learners who already
completed the course are left alone: an editor's publish never revokes a course completion
(the average score over the remaining checked lessons may move either way, which would matter
only to them). Changes that add requirements (a lesson made required, a new lesson published)
reach a learner with her next statement, as before.
"""

from __future__ import annotations

from learners.models import Enrollment
from progress.models import CourseProgress

from .core import refresh_course
from .structure import forget_structures, translation_key_of

BATCH_SIZE = 200  # learners per task: a few queries each, a few seconds per batch


def learners_to_refresh(*, course_iri: str) -> list[int]:
    """Ids of the learners actively enrolled in the course (any translation of it) who have not
    completed it, in id order."""
    key = translation_key_of(course_iri)
    if key is None:
        return []
    enrolled = set(
        Enrollment.objects.filter(
            course__translation_key=key, status="active", completed_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    return sorted(enrolled - _completed(course_iri, enrolled))


def course_refresh_for_learners(*, course_iri: str, user_ids: list[int]) -> int:
    """Recompute the course of each of these learners who has not completed it (checked again:
    she may have completed it since the batch was made); returns how many were refreshed.

    Idempotent: a second run finds the rows already in line and writes, states and announces
    nothing. Course structures cached by this process are dropped first, since the change that
    asked for the refresh was committed by another process (the web request).
    """
    forget_structures()
    done = _completed(course_iri, user_ids)
    refreshed = 0
    for user_id in user_ids:
        if user_id in done:
            continue
        refresh_course(user_id=user_id, course_iri=course_iri)
        refreshed += 1
    return refreshed


def _completed(course_iri: str, user_ids: object) -> set[int]:
    return set(
        CourseProgress.objects.filter(
            course_iri=course_iri, user_id__in=user_ids, completed_at__isnull=False
        ).values_list("user_id", flat=True)
    )
