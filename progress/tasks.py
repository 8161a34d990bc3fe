"""Celery tasks of the progress app: thin, idempotent, taking ids (a course is named by its
activity IRI, which renames, moves and translations keep)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="progress.course_requirements_lowered", ignore_result=True)
def course_requirements_lowered(course_iri: str) -> int:
    """Refresh the course of every enrolled learner who has not completed it, after an editor
    lowered what it requires (see ``progress.engine.requirements``): one task per batch of
    learners. Returns how many learners were queued."""
    from progress.engine.requirements import BATCH_SIZE, learners_to_refresh

    user_ids = learners_to_refresh(course_iri=course_iri)
    for start in range(0, len(user_ids), BATCH_SIZE):
        course_refresh_for_learners.delay(course_iri, user_ids[start : start + BATCH_SIZE])
    return len(user_ids)


@shared_task(name="progress.course_refresh_for_learners", acks_late=True, ignore_result=True)
def course_refresh_for_learners(course_iri: str, user_ids: list[int]) -> int:
    """Recompute these learners' course (those who completed it are skipped); running it again
    changes nothing."""
    from progress.engine.requirements import course_refresh_for_learners as refresh

    return refresh(course_iri=course_iri, user_ids=list(user_ids))
