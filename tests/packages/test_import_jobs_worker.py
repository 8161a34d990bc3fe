"""A package imported by a real Celery worker that reads the zip from S3.

Runs only with a broker (CELERY_BROKER_URL), PostgreSQL and the S3-compatible server, like
every real-worker test: the web process answers 202 at once, the worker (another process, in
production another machine) reads the kept zip from the bucket, imports it and stores the
package's files there, and the client polls the job until it is done.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from packages.models import PackageImport
from tests.courses.factories import spanish_catalog
from tests.packages import builders as b

pytestmark = pytest.mark.services


def _keys(s3: dict) -> list[str]:
    listing = s3["client"].list_objects_v2(Bucket=s3["bucket"])
    return [item["Key"] for item in listing.get("Contents", [])]


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
