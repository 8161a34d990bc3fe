"""Shared body of the import_schools and import_teachers commands."""

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from learners.models import ImportJob
from learners.services import import_job_create


def run_import(
    command: BaseCommand, *, kind: str, path: str, background: bool, **extra: Any
) -> None:
    """Store the file, run (or queue) the job and print its counts and per-line errors."""
    file_path = Path(path)
    if not file_path.is_file():
        raise CommandError(f"no such file: {path}")
    with file_path.open("rb") as handle:
        job = import_job_create(
            kind=kind, file=File(handle, name=file_path.name), background=background, **extra
        )
    if background and not job.is_finished:
        job.refresh_from_db()
    if not job.is_finished:
        command.stdout.write(f"import job {job.pk} queued; follow it in the admin (Importaciones)")
        return
    if job.status == ImportJob.Status.FAILED:
        raise CommandError(f"import job {job.pk} failed: {job.failure}")
    for error in job.errors:
        command.stderr.write(
            f"line {error['line']}: {error['field']}: {error['rule']}: {error['message']}"
        )
    for warning in job.warnings:
        command.stdout.write(f"line {warning['line']}: warning: {warning['message']}")
    if job.error_count > len(job.errors):
        command.stderr.write(f"... and {job.error_count - len(job.errors)} more errors")
    summary = (
        f"import job {job.pk}: {job.total_rows} rows, {job.created_count} created, "
        f"{job.updated_count} updated, {job.unchanged_count} unchanged, "
        f"{job.error_count} errors, {job.warning_count} warnings"
    )
    if job.kind == ImportJob.Kind.TEACHERS and job.enroll_course_id:
        summary += f", {job.enrolled_count} enrolled"
    command.stdout.write(summary)
