"""Celery tasks of the cmi5 launch: satisfaction after a session changed, the abandon sweep."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task


@shared_task(name="packages.cmi5.evaluate_satisfaction", ignore_result=True)
def evaluate_satisfaction(session_id: str) -> int:
    """Write the ``satisfied`` statements a session's AU now earns (idempotent)."""
    from packages.cmi5.status import evaluate

    return len(evaluate(session_id))


@shared_task(name="packages.cmi5.abandon_stale_sessions", ignore_result=True)
def abandon_stale_sessions() -> int:
    """Write ``abandoned`` for sessions idle longer than ``LMS_CMI5_ABANDON_AFTER_SECONDS``
    without ``terminated`` (idempotent: an ended session is skipped)."""
    from lrs.cmi5 import cmi5_sessions_abandon_stale
    from packages.conf import app_settings

    idle = timedelta(seconds=float(app_settings.LMS_CMI5_ABANDON_AFTER_SECONDS))
    return cmi5_sessions_abandon_stale(idle=idle)
