"""A large roster imported in the background by a real Celery worker reading the file from S3.

Runs only with a broker (CELERY_BROKER_URL) and PostgreSQL, like every real-worker test; the
file goes through the default storage, here a real S3-compatible server, because the worker is
another process (in production another machine) that cannot see the web process's disk.
"""

import os
import time

import pytest
from django.core.files.base import ContentFile

from learners.models import AuditEvent, ImportJob, TeacherProfile
from learners.services import import_job_create
from tests.learners.learners_factories import UserFactory, dgeti, make_curp

pytestmark = pytest.mark.services


def _roster(rows: int) -> bytes:
    lines = ["curp,nombre,primer_apellido,segundo_apellido,correo,entidad,subsistema,cct,funcion"]
    lines += [
        f"{make_curp(n)},Nombre{n},Apellido,,docente{n}@example.mx,09,DGETI,,docente"
        for n in range(rows)
    ]
    lines.append("SABC560626MDFLRN02,Mal,Dato,,mal@example.mx,09,,,")  # one bad row at the end
    return ("\n".join(lines) + "\n").encode()


def test_large_roster_is_imported_by_a_real_worker_from_s3(worker_sees_s3, celery_worker_process):
    dgeti()  # a transactional test starts without the seeded subsystems
    uploader = UserFactory(username="operador@sep.example", is_staff=True)
    job = import_job_create(
        kind=ImportJob.Kind.TEACHERS,
        file=ContentFile(_roster(5000), name="plantilla.csv"),
        created_by=uploader,
    )
    # The file is in the bucket, not on this machine's disk.
    keys = [
        item["Key"]
        for item in worker_sees_s3["client"].list_objects_v2(Bucket=worker_sees_s3["bucket"])[
            "Contents"
        ]
    ]
    assert any(key.endswith(os.path.basename(job.file.name)) for key in keys)
    seen_progress: set[int] = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen_progress.add(job.processed_rows)
        if job.is_finished:
            break
        time.sleep(0.5)
    assert job.status == ImportJob.Status.DONE, job.failure
    # Progress moves in whole batches (2,000 rows), as the admin page shows it.
    assert seen_progress <= {0, 2000, 4000, 5001}
    assert (job.total_rows, job.processed_rows, job.created_count) == (5001, 5001, 5000)
    assert job.error_count == 1
    assert job.errors[0]["line"] == 5002
    assert TeacherProfile.objects.count() == 5000
    assert AuditEvent.objects.filter(action="import_teachers", actor=uploader).count() == 1
    # The roster (CURPs, names, e-mail) left the bucket when its import was done.
    listing = worker_sees_s3["client"].list_objects_v2(Bucket=worker_sees_s3["bucket"])
    assert not [item["Key"] for item in listing.get("Contents", []) if "imports/" in item["Key"]]
    assert not job.file
