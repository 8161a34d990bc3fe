"""Celery tasks of package imports: thin, idempotent, taking ids (``packages.import_jobs``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="packages.import_run", ignore_result=True)
def import_run(job_id: int) -> str | None:
    """Import the queued package upload ``job_id`` (a second delivery finds it taken or done)."""
    from packages.import_jobs import package_import_run

    job = package_import_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="packages.import_sweep", ignore_result=True)
def import_sweep() -> int:
    """Send again the imports whose message was lost or whose worker died (idempotent)."""
    from packages.import_jobs import package_imports_sweep

    return package_imports_sweep()


@shared_task(name="packages.orphan_files_delete", ignore_result=True)
def orphan_files_delete() -> int:
    """Delete the files of imports that died midway (idempotent)."""
    from packages.import_jobs import package_orphan_files_delete

    return package_orphan_files_delete()
