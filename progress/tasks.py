"""Celery tasks of the progress app: thin, idempotent, taking ids."""

from typing import Any

from celery import shared_task

from progress.imports import import_job_run


@shared_task(acks_late=True, name="progress.import_job_run")
def import_job_run_task(job_id: int) -> str:
    """Run the CSV import job ``job_id`` (a re-run after a lost worker upserts the same rows)."""
    job = import_job_run(job_id=job_id)
    return job.status


@shared_task(name="progress.tasks.purge_import_files", ignore_result=True)
def purge_import_files() -> int:
    """Delete uploaded rosters kept past ``LMS_IMPORT_FILE_RETENTION_HOURS`` (idempotent)."""
    from progress.imports import import_files_purge

    return import_files_purge()


# --- progress engine (branch engine) ---------------------------------------------------------
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


# --- end progress engine ---------------------------------------------------------------------


# --- reports (SEP monitoring) -----------------------------------------------------------------


@shared_task(acks_late=True, name="progress.reports.build_export")
def build_report_export(job_id: int) -> str:
    """Build report export ``job_id`` (a finished job is left alone, so re-runs are harmless)."""
    from progress.reports.exports import export_job_build

    return export_job_build(job_id=job_id).status


@shared_task(acks_late=True, name="progress.reports.refresh_facts")
def refresh_report_facts() -> int:
    """Rebuild the report fact table and course tags (run by Celery beat; the staleness bound)."""
    from progress.reports.refresh import report_facts_rebuild

    return report_facts_rebuild().rows


@shared_task(acks_late=True, name="progress.reports.sync_fact")
def sync_report_fact(enrollment_id: int) -> None:
    """Bring one enrolment's fact row up to date (enqueued on commit when the enrolment changes)."""
    from progress.reports.refresh import report_facts_sync

    report_facts_sync(enrollment_ids=[enrollment_id])


# --- end reports ------------------------------------------------------------------------------
