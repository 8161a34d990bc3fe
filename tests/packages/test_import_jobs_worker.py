"""A package imported by a real Celery worker that reads the zip from S3.

Runs only with a broker (CELERY_BROKER_URL), PostgreSQL and the S3-compatible server, like
every real-worker test: the web process answers 202 at once, the worker (another process, in
production another machine) reads the kept zip from the bucket, imports it and stores the
package's files there, and the client polls the job until it is done.
"""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from packages.models import PackageImport
from tests.courses.factories import spanish_catalog
from tests.packages import builders as b

pytestmark = pytest.mark.services


def _keys(s3: dict) -> list[str]:
    pages = s3["client"].get_paginator("list_objects_v2").paginate(Bucket=s3["bucket"])
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_a_package_is_imported_by_a_real_worker_from_s3(
    client, worker_sees_s3, celery_worker_process
):
    spanish_catalog()  # a transactional test starts without the demo's pages
    author = get_user_model().objects.create_superuser("autora@example.mx", "a@example.mx", "x")
    client.force_login(author)
    upload = SimpleUploadedFile("curso.zip", b.multi_au_cmi5(), content_type="application/zip")
    response = client.post("/api/v1/packages/", {"file": upload})
    assert response.status_code == 202, response.content
    url = response["Location"]
    job = PackageImport.objects.get()
    status: dict = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(url).json()
        if status["finished"]:
            break
        time.sleep(0.3)
    assert status["status"] == "imported", status
    assert status["result"]["course"]["cmi5_id"] == b.COURSE_ID
    assert len(status["result"]["lessons"]) == 5
    keys = _keys(worker_sees_s3)
    version_id = status["result"]["package"]["version_id"]
    assert any(f"-{version_id}/cmi5.xml" in key for key in keys)
    # The kept zip left the bucket once imported.
    assert not [key for key in keys if key.startswith("packages/uploads/")]
    job.refresh_from_db()
    assert job.attempts == 1 and not job.file


def _many_files_package(files: int) -> bytes:
    import io
    import os
    import zipfile

    base = zipfile.ZipFile(io.BytesIO(b.multi_au_cmi5()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in base.infolist():
            archive.writestr(info.filename, base.read(info.filename))
        for number in range(files):
            archive.writestr(f"media/{number:04d}.bin", os.urandom(2048), zipfile.ZIP_STORED)
    return out.getvalue()


def test_a_worker_killed_midway_leaves_nothing_and_the_job_is_run_again(
    client, worker_sees_s3, celery_workers, settings
):
    """SIGKILL the worker while it copies a package's files to S3: no row of the package stays,
    the job is still there with its zip, and once its claim is stale the sweep sends it to a
    new worker, which imports it whole."""
    import signal

    from packages import import_jobs
    from packages.models import Package, PackageVersion

    spanish_catalog()
    author = get_user_model().objects.create_superuser("autora@example.mx", "a@example.mx", "x")
    first = celery_workers()
    client.force_login(author)
    data = _many_files_package(1500)
    upload = SimpleUploadedFile("grande.zip", data, content_type="application/zip")
    assert client.post("/api/v1/packages/", {"file": upload}).status_code == 202
    job = PackageImport.objects.get()
    deadline = time.monotonic() + 120
    copied: list[str] = []
    while time.monotonic() < deadline:
        copied = [key for key in _keys(worker_sees_s3) if "/media/" in key]
        if len(copied) >= 50:
            break
        time.sleep(0.05)
    assert len(copied) >= 50, "the worker did not start copying"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    time.sleep(1)  # PostgreSQL notices the closed connection and rolls its transaction back
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1
    assert not Package.objects.exists() and not PackageVersion.objects.exists()
    assert any(key == job.file.name for key in _keys(worker_sees_s3))  # the zip is kept
    # A new worker; a delivery before the claim is stale leaves the job alone...
    celery_workers(LMS_PACKAGE_IMPORT_STALE_SECONDS="2")
    settings.LMS_PACKAGE_IMPORT_STALE_SECONDS = 2
    time.sleep(2.5)
    # ...the sweep (beat, here by hand) finds it stale and sends it again.
    assert import_jobs.package_imports_sweep() == 1
    status: dict = {}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = client.get(f"/api/v1/packages/imports/{job.uuid}/").json()
        if status["finished"]:
            break
        time.sleep(0.3)
    assert status["status"] == "imported", status
    assert status["attempts"] == 2
    version = PackageVersion.objects.get()
    assert len(version.files) == 1500 + 5
    # The dead run's files are not the version's: once old, the orphan sweep deletes them.
    dead = set(_keys(worker_sees_s3)) - {version.storage_name(name) for name in version.files}
    assert dead and set(copied) <= dead
    with mock.patch.object(
        import_jobs.timezone, "now", return_value=timezone.now() + timedelta(hours=1)
    ):
        assert import_jobs.package_orphan_files_delete() == len(dead)
    remaining = set(_keys(worker_sees_s3))
    assert not dead & remaining
    assert all(version.storage_name(name) in remaining for name in version.files)
