"""Celery tasks of the SEP reports: thin, idempotent, taking ids."""

from celery import shared_task


@shared_task(acks_late=True, name="progress.reports.build_export")
def build_report_export(job_id: int) -> str:
    """Build report export ``job_id`` (a finished job is left alone, so re-runs are harmless)."""
    from reports.exports import export_job_build

    return export_job_build(job_id=job_id).status


@shared_task(acks_late=True, name="progress.reports.refresh_facts")
def refresh_report_facts() -> int:
    """Rebuild the report fact table and course tags (run by Celery beat; the staleness bound)."""
    from reports.refresh import report_facts_rebuild

    return report_facts_rebuild().rows


@shared_task(acks_late=True, name="progress.reports.sync_fact")
def sync_report_fact(enrollment_id: int) -> None:
    """Bring one enrolment's fact row up to date (enqueued on commit when the enrolment changes)."""
    from reports.refresh import report_facts_sync

    report_facts_sync(enrollment_ids=[enrollment_id])


@shared_task(acks_late=True, name="reports.sync_facts")
def sync_report_facts(enrollment_ids: list[int]) -> None:
    """Bring the fact rows of the enrolments one transaction changed up to date (enqueued on
    its commit). ``sync_report_fact`` stays for messages queued before this task existed."""
    from reports.refresh import report_facts_sync

    report_facts_sync(enrollment_ids=list(enrollment_ids))


@shared_task(acks_late=True, name="progress.reports.run_refresh_request")
def run_report_refresh_request(request_id: int) -> str:
    """Run a monitor's refresh request (a finished one is left alone; re-runs are harmless)."""
    from reports.refresh import report_refresh_request_run

    return report_refresh_request_run(request_id=request_id).status
