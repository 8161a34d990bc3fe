"""Imports in the background: the upload is kept, a Celery worker imports it, anyone polls.

A large package takes longer to extract, check and copy to S3 than a web request may last, so
the admin and the API only keep the zip in default_storage and queue a
:class:`~packages.models.PackageImport`; the task ``packages.import_run`` runs
:func:`packages.services.package_import` on it. On the embedded default (eager Celery) the
import runs before the request answers, so the demo shows its result at once.

What was accepted is not lost:

- the job and its zip are committed before the task is sent; if the broker does not take the
  message, or loses it, the sweep (``packages.import_sweep``) sends it again;
- a run first *claims* the job (a conditional UPDATE with a token of its own), so a second
  delivery of the same message leaves a running job alone; the import, and the job's
  ``imported`` status, are written in one transaction, so a worker that dies midway leaves
  nothing half-imported and the sweep runs the job again once its claim is stale;
- an unexpected failure (storage or database down) puts the job back in the queue, up to
  ``LMS_PACKAGE_IMPORT_MAX_ATTEMPTS`` runs; then it is ``failed`` and keeps its zip, so staff
  can try again (admin button, ``POST .../retry/``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from packages.conf import app_settings
from packages.models import Package, PackageImport, PackageVersion
from packages.problems import PackageRefused, Problem
from packages.services import ImportResult, package_import

logger = logging.getLogger(__name__)


class _ClaimLost(Exception):
    """Another run took the job over (this one was presumed dead): its import is undone."""


def _upload_size(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    position = upload.tell()
    upload.seek(0, os.SEEK_END)
    end = upload.tell()
    upload.seek(position)
    return end


def _eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def package_import_queue(
    *,
    upload: IO[bytes],
    mode: str = Package.Mode.COURSE,
    parent_id: int | None = None,
    user: Any,
    expected_package_id: int | None = None,
) -> PackageImport:
    """Keep the uploaded zip and queue its import for ``user`` (who must be signed in: the run
    checks her rights where the pages go). Refuses at once, with :class:`PackageRefused`, what
    needs no reading: an unknown mode, a zip over ``LMS_PACKAGE_MAX_UPLOAD_BYTES``. Returns the
    job, already finished on the embedded default (eager Celery)."""
    if mode not in Package.Mode.values:
        raise PackageRefused([Problem("mode", "invalid", _("mode debe ser course o lesson."))])
    size = _upload_size(upload)
    limit = app_settings.LMS_PACKAGE_MAX_UPLOAD_BYTES
    if size > limit:
        raise PackageRefused(
            [
                Problem(
                    "zip",
                    "upload_too_large",
                    _("El zip ocupa %(size)s bytes; el máximo es %(max)s.")
                    % {"size": size, "max": limit},
                )
            ]
        )
    name = os.path.basename(str(getattr(upload, "name", "") or "")) or "package.zip"
    upload.seek(0)
    job = PackageImport(
        mode=mode,
        parent_id=parent_id,
        expected_package_id=expected_package_id,
        created_by=user,
        original_name=name[:255],
        size=size,
        language=translation.get_language() or "",
    )
    job.file.save("upload.zip", File(upload, name="upload.zip"), save=False)
    try:
        with transaction.atomic():
            job.save()
            if not _eager():
                transaction.on_commit(partial(_send, job.pk))
    except BaseException:
        default_storage.delete(job.file.name)
        raise
    if _eager():
        _send(job.pk)
        job.refresh_from_db()
    return job


def _send(job_id: int) -> None:
    from packages.tasks import import_run

    PackageImport.objects.filter(pk=job_id).update(sent_at=timezone.now())
    try:
        import_run.delay(job_id)
    except (BrokerError, OSError) as error:
        # The job is committed with its zip: the sweep sends it again.
        logger.warning("packages: import %s queued, the broker refused it (%s)", job_id, error)


@contextmanager
def _local_copy(job: PackageImport) -> Iterator[IO[bytes]]:
    """The stored zip as a local, seekable file (an S3 object is read once, not per seek)."""
    with tempfile.TemporaryFile(prefix="capacita-upload-") as local:
        with default_storage.open(job.file.name, "rb") as stored:
            shutil.copyfileobj(stored, local, 1024 * 1024)
        local.seek(0)
        yield local


def _claim(job_id: int) -> uuid.UUID | None:
    token = uuid.uuid4()
    now = timezone.now()
    stale = now - timedelta(seconds=float(app_settings.LMS_PACKAGE_IMPORT_STALE_SECONDS))
    claimed = (
        PackageImport.objects.filter(pk=job_id)
        .filter(
            Q(status=PackageImport.Status.QUEUED)
            | Q(status=PackageImport.Status.RUNNING, started_at__lt=stale)
        )
        .update(
            status=PackageImport.Status.RUNNING,
            claim=token,
            started_at=now,
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


def _delete_upload(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("packages: could not delete the upload %s", name)


def package_import_run(*, job_id: int) -> PackageImport | None:
    """Run the import of job ``job_id`` if it is queued (or its run is presumed dead).

    Idempotent: a finished job, or one another run holds, is returned untouched."""
    token = _claim(job_id)
    job = PackageImport.objects.select_related("created_by").filter(pk=job_id).first()
    if token is None or job is None:
        return job
    mine = PackageImport.objects.filter(pk=job_id, claim=token)

    def finish(result: ImportResult) -> None:
        done = mine.update(
            status=PackageImport.Status.IMPORTED,
            finished_at=timezone.now(),
            package=result.package,
            result=result.as_dict(),
            problems=[],
            failure="",
            file="",
        )
        if not done:
            raise _ClaimLost

    upload_name = job.file.name
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            if job.created_by is None or not job.created_by.is_active:
                raise PackageRefused(
                    [
                        Problem(
                            "package",
                            "uploader_inactive",
                            _("La cuenta que subió el paquete ya no está activa."),
                        )
                    ]
                )
            with _local_copy(job) as upload:
                package_import(
                    upload=upload,
                    mode=job.mode,
                    parent_id=job.parent_id,
                    user=job.created_by,
                    expected_package_id=job.expected_package_id,
                    on_imported=finish,
                )
    except _ClaimLost:
        logger.warning("packages: import %s was taken over by another run", job_id)
        return PackageImport.objects.filter(pk=job_id).first()
    except PackageRefused as refused:
        if mine.update(
            status=PackageImport.Status.REFUSED,
            finished_at=timezone.now(),
            problems=[problem.as_dict() for problem in refused.problems],
            result=None,
            failure="",
            file="",
        ):
            _delete_upload(upload_name)
    except Exception as error:
        # The import's transaction is rolled back and its files deleted. Only the error's class
        # is kept: a storage or database message may quote more than staff should read.
        logger.exception("packages: import %s failed", job_id)
        final = _eager() or job.attempts >= app_settings.LMS_PACKAGE_IMPORT_MAX_ATTEMPTS
        mine.update(
            status=PackageImport.Status.FAILED if final else PackageImport.Status.QUEUED,
            finished_at=timezone.now() if final else None,
            claim=None,
            failure=_("Error inesperado (%(kind)s).") % {"kind": type(error).__name__},
        )
    else:
        _delete_upload(upload_name)
    return PackageImport.objects.filter(pk=job_id).first()


def package_import_retry(*, job: PackageImport) -> PackageImport:
    """Queue a failed job again (its zip was kept). Other statuses are left as they are."""
    if (
        PackageImport.objects.filter(pk=job.pk, status=PackageImport.Status.FAILED)
        .exclude(file="")
        .update(
            status=PackageImport.Status.QUEUED,
            attempts=0,
            claim=None,
            finished_at=None,
            failure="",
        )
    ):
        if _eager():
            _send(job.pk)
        else:
            transaction.on_commit(partial(_send, job.pk))
    job.refresh_from_db()
    return job


def package_imports_sweep() -> int:
    """Send again the jobs whose message was refused or lost (queued, last sent longer than
    ``LMS_PACKAGE_IMPORT_RESEND_SECONDS`` ago) and those whose run is presumed dead (running
    longer than ``LMS_PACKAGE_IMPORT_STALE_SECONDS``). Returns how many were sent."""
    now = timezone.now()
    resend = now - timedelta(seconds=float(app_settings.LMS_PACKAGE_IMPORT_RESEND_SECONDS))
    stale = now - timedelta(seconds=float(app_settings.LMS_PACKAGE_IMPORT_STALE_SECONDS))
    due = list(
        PackageImport.objects.filter(
            Q(status=PackageImport.Status.QUEUED, sent_at__lt=resend)
            | Q(status=PackageImport.Status.QUEUED, sent_at__isnull=True)
            | Q(status=PackageImport.Status.RUNNING, started_at__lt=stale)
        ).values_list("pk", flat=True)[:500]
    )
    for job_id in due:
        _send(job_id)
    return len(due)


def _walk(folder: str) -> Iterator[str]:
    """Every file name under ``folder`` in default_storage (local disk or S3)."""
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def package_orphan_files_delete() -> int:
    """Delete the files an import stored and then lost: a worker killed midway leaves its
    rows rolled back but the files it had copied, under a version prefix no row names. Only
    files older than ``LMS_PACKAGE_IMPORT_STALE_SECONDS`` are taken, so a running import's
    files are never touched. Returns how many were deleted."""
    root = app_settings.LMS_PACKAGE_STORAGE_PREFIX
    known = set(PackageVersion.objects.values_list("storage_prefix", flat=True))
    old = timezone.now() - timedelta(seconds=float(app_settings.LMS_PACKAGE_IMPORT_STALE_SECONDS))
    deleted = 0
    try:
        packages, _files = default_storage.listdir(root)
    except FileNotFoundError:
        return 0
    for package in packages:
        if package == "uploads":
            continue
        versions, _files = default_storage.listdir(f"{root}/{package}")
        for version in versions:
            prefix = f"{root}/{package}/{version}/"
            if prefix in known:
                continue
            for name in _walk(prefix.rstrip("/")):
                if default_storage.get_modified_time(name) < old:
                    default_storage.delete(name)
                    deleted += 1
    if deleted:
        logger.warning("packages: deleted %s files of imports that did not finish", deleted)
    return deleted
