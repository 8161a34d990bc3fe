"""Celery tasks of the progress app (thin: they call services)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(bind=True, name="progress.tasks.forward_statements", ignore_result=True)
def forward_statements(self: Any) -> dict[str, int | float | None]:
    """Forward due outbox rows to the external LRS (idempotent; the backoff lives in the rows).

    Enqueued on commit after statements are stored, and every minute by the beat schedule
    (``CELERY_BEAT_SCHEDULE["progress-forward-statements"]``) so nothing waits on a lost
    message. While the external LRS is down it retries itself after the rows' backoff
    (exponential, see ``progress.forwarding.backoff_delay``), on the queue it came from.
    """
    from progress.forwarding import forward_due_statements

    report = forward_due_statements()
    if report.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=report.retry_in, max_retries=None)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
        "retry_in": report.retry_in,
    }
