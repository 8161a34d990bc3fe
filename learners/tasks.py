"""Celery tasks of the learners app: thin, idempotent, taking ids. Names are kept from before
the split of progress/, so messages queued by an older release still find their task."""

from celery import shared_task

from learners.imports import import_job_run


@shared_task(acks_late=True, name="progress.import_job_run")
def import_job_run_task(job_id: int) -> str:
    """Run the CSV import job ``job_id`` (a re-run after a lost worker upserts the same rows)."""
    job = import_job_run(job_id=job_id)
    return job.status


@shared_task(name="progress.tasks.purge_import_files", ignore_result=True)
def purge_import_files() -> int:
    """Delete uploaded rosters kept past ``LMS_IMPORT_FILE_RETENTION_HOURS`` (idempotent)."""
    from learners.imports import import_files_purge

    return import_files_purge()
