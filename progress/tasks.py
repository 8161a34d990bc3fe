"""Celery tasks of the progress app: thin, idempotent, taking ids."""

from celery import shared_task

from progress.imports import import_job_run


@shared_task(acks_late=True, name="progress.import_job_run")
def import_job_run_task(job_id: int) -> str:
    """Run the CSV import job ``job_id`` (a re-run after a lost worker upserts the same rows)."""
    job = import_job_run(job_id=job_id)
    return job.status
