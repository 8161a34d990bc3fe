"""Celery tasks of the SCORM run-time: the sweep of attempts left open."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task


@shared_task(name="packages.scorm.abandon_stale_attempts", ignore_result=True)
def abandon_stale_attempts() -> int:
    """Close the SCORM attempts initialized and left for longer than
    ``LMS_SCORM_ABANDON_AFTER_SECONDS`` (``terminated``; idempotent: an ended attempt is
    skipped)."""
    from packages.conf import app_settings
    from packages.scorm.services import attempts_abandon_stale

    idle = timedelta(seconds=float(app_settings.LMS_SCORM_ABANDON_AFTER_SECONDS))
    return attempts_abandon_stale(idle=idle)
