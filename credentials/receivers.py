"""Receivers of progress' events. Completions only enqueue work, after the sender's commit; an
ARCO cancellation is handled inside the cancellation's transaction, so it is all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction


def on_course_completed(
    sender: Any,
    *,
    enrollment_id: int,
    user_id: int,
    course_id: int,
    completed_at: dt.datetime,
    score: float | None = None,
    **kwargs: Any,
) -> None:
    from credentials import tasks

    completed = completed_at.isoformat()
    transaction.on_commit(
        lambda: tasks.process_course_completion.delay(
            user_id=user_id,
            course_id=course_id,
            enrollment_id=enrollment_id,
            completed_at=completed,
            score=score,
        )
    )


def on_course_completion_revoked(
    sender: Any, *, user_id: int, course_id: int, **kwargs: Any
) -> None:
    from credentials import tasks

    transaction.on_commit(
        lambda: tasks.revoke_course_completion.delay(user_id=user_id, course_id=course_id)
    )


def on_teacher_account_cancelled(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    """Runs inside the cancellation's transaction: the recipient check goes with the account."""
    from credentials import services

    services.awards_erase_recipient(user_id=user_id)


def on_page_published(sender: Any, *, instance: Any, **kwargs: Any) -> None:
    """A published course without a badge gets its achievement; when the course lacks what
    the achievement needs, the course editor says what (see ``wagtail_hooks``)."""
    import logging

    from credentials import services

    try:
        services.course_achievement_ensure(course_id=instance.pk)
    except services.CourseAchievementIncomplete as incomplete:
        logging.getLogger(__name__).warning(
            "Course %s published without an achievement: %s", instance.pk, incomplete
        )
