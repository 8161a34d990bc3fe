"""Celery tasks of the LRS. Names are kept from before the split of progress/, so messages
queued by an older release still find their task."""

from celery import shared_task


@shared_task(name="progress.tasks.forward_statements", ignore_result=True)
def forward_statements() -> dict[str, int | float | None]:
    """Forward due outbox rows to the external LRS (idempotent; the backoff lives in the rows).

    Nudged on commit after statements are stored, and run every
    ``LMS_LRS_FORWARD_SWEEP_SECONDS`` by the beat schedule
    (``CELERY_BEAT_SCHEDULE["lrs-forward-statements"]``). It does not retry itself: the
    rows keep their due time (capped exponential backoff, see
    ``lrs.forwarding.backoff_delay``) and the sweep sends them when due, for as long as
    the external LRS stays down. A self-retry would stop after Celery's ``max_retries`` and
    start one more chain for every nudge during an outage.
    """
    from lrs.forwarding import forward_due_statements

    report = forward_due_statements()
    return {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
        "retry_in": report.retry_in,
    }
