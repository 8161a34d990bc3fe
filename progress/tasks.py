"""Celery tasks of the progress app: thin, idempotent, taking ids."""

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
@shared_task(name="progress.tasks.forward_statements", ignore_result=True)
def forward_statements() -> dict[str, int | float | None]:
    """Forward due outbox rows to the external LRS (idempotent; the backoff lives in the rows).

    Nudged on commit after statements are stored, and run every
    ``LMS_LRS_FORWARD_SWEEP_SECONDS`` by the beat schedule
    (``CELERY_BEAT_SCHEDULE["progress-forward-statements"]``). It does not retry itself: the
    rows keep their due time (capped exponential backoff, see
    ``progress.forwarding.backoff_delay``) and the sweep sends them when due, for as long as
    the external LRS stays down. A self-retry would stop after Celery's ``max_retries`` and
    start one more chain for every nudge during an outage.
    """
    from progress.forwarding import forward_due_statements

    report = forward_due_statements()
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


@shared_task(acks_late=True, name="progress.reports.run_refresh_request")
def run_report_refresh_request(request_id: int) -> str:
    """Run a monitor's refresh request (a finished one is left alone; re-runs are harmless)."""
    from progress.reports.refresh import report_refresh_request_run

    return report_refresh_request_run(request_id=request_id).status


# --- end reports ------------------------------------------------------------------------------
