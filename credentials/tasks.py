"""Celery tasks of the credentials app: thin, idempotent, taking ids.

Issuing retries on database trouble with exponential backoff; running a task twice changes
nothing the second time (the award is unique per learner and achievement).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from functools import partial
from typing import Any, TypedDict

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from credentials import services
from credentials.keys import KeyConfigurationError
from credentials.models import Award


class _RetryOptions(TypedDict):
    autoretry_for: tuple[type[Exception], ...]
    retry_backoff: bool
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int
    acks_late: bool


RETRY: _RetryOptions = {
    # Database trouble, and a key configuration an operator can still fix (the task waits for
    # it with growing delays instead of dropping the award).
    "autoretry_for": (OperationalError, InterfaceError, KeyConfigurationError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 12,
    "acks_late": True,
}


def _parse(moment: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(moment) if moment else None


@shared_task(**RETRY)
def issue_award(
    *,
    achievement_id: int,
    user_id: int,
    source: str,
    enrollment_id: int | None = None,
    completed_at: str | None = None,
    score: float | None = None,
) -> int:
    """Issue one achievement to one learner (no-op when already issued); return the award id."""
    award, _created = services.award_issue(
        achievement_id=achievement_id,
        user_id=user_id,
        source=source,
        enrollment_id=enrollment_id,
        completed_at=_parse(completed_at),
        score=score,
    )
    return award.pk


@shared_task(**RETRY)
def process_course_completion(
    *,
    user_id: int,
    course_id: int,
    enrollment_id: int | None,
    completed_at: str,
    score: float | None = None,
) -> list[int]:
    """Record a completion, then enqueue one issuing task per achievement it earns."""
    with transaction.atomic():
        achievement_ids = services.course_completion_record(
            user_id=user_id,
            course_id=course_id,
            enrollment_id=enrollment_id,
            completed_at=_parse(completed_at) or dt.datetime.now(dt.UTC),
            score=score,
        )
        from credentials import selectors
        from credentials.models import Achievement

        course_achievements = set(
            Achievement.objects.filter(
                pk__in=achievement_ids, course_id__in=selectors.course_family(course_id=course_id)
            ).values_list("pk", flat=True)
        )
        for achievement_id in achievement_ids:
            source = (
                Award.Source.COMPLETION
                if achievement_id in course_achievements
                else Award.Source.MICROCREDENTIAL
            )
            kwargs: dict[str, Any] = {
                "achievement_id": achievement_id,
                "user_id": user_id,
                "source": str(source),
                "enrollment_id": enrollment_id,
                "completed_at": completed_at,
                "score": score,
            }
            transaction.on_commit(partial(issue_award.delay, **kwargs))
    return achievement_ids


@shared_task(**RETRY)
def revoke_course_completion(*, user_id: int, course_id: int) -> list[int]:
    """Revoke what a voided completion had earned automatically."""
    return [
        award.pk
        for award in services.course_completion_revoke(user_id=user_id, course_id=course_id)
    ]


@shared_task(**RETRY)
def evaluate_pathways(*, user_id: int) -> list[int]:
    """Award the pathways whose parts the learner now holds."""
    return [award.pk for award in services.pathways_evaluate(user_id=user_id)]


@shared_task(
    autoretry_for=(OperationalError, InterfaceError, smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
    acks_late=True,
)
def award_notify(*, award_id: int) -> bool:
    """E-mail the holder her new credential's verification link (once; retried while the mail
    server or the database is unreachable)."""
    from credentials import notifications

    return notifications.award_notify(award_id=award_id)
