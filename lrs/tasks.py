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


@shared_task(name="lrs.tasks.forward_documents", ignore_result=True)
def forward_documents() -> dict[str, int | float | None]:
    """Forward due document outbox rows (State, Activity and Agent Profiles) to the external
    LRS; idempotent, like ``forward_statements``, whose backoff and lease rules it follows.

    Nudged on commit after a document is written or deleted, and run every
    ``LMS_LRS_FORWARD_SWEEP_SECONDS`` by the beat schedule
    (``CELERY_BEAT_SCHEDULE["lrs-forward-documents"]``).
    """
    from lrs.document_forwarding import forward_due_documents

    report = forward_due_documents()
    return {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
        "retry_in": report.retry_in,
    }


@shared_task(name="lrs.tasks.drain_statement_log", ignore_result=True)
def drain_statement_log() -> dict[str, int]:
    """Apply the statement log's due deliveries to their consumers (the progress engine, the
    forwarding outbox). Nudged on commit after statements are stored; any number may run at
    once (each takes a shard with ``SKIP LOCKED``); running it twice applies nothing twice."""
    from lrs.statement_log import drain

    report = drain()
    return {"applied": report.applied, "failed": report.failed, "parked": report.parked}


@shared_task(name="lrs.tasks.sweep_statement_log", ignore_result=True)
def sweep_statement_log() -> dict[str, int]:
    """Beat entry (every ``LMS_LRS_LOG_SWEEP_SECONDS``): drain what a lost nudge, a dead worker
    or a backoff left due, and forget old entries every consumer applied."""
    from lrs.statement_log import sweep

    report = sweep()
    return {"applied": report.applied, "failed": report.failed, "parked": report.parked}
