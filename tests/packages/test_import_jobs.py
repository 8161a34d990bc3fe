"""Imports in the background (packages.import_jobs): queued with their zip kept, run once by
a worker, polled by the admin and the API, never lost nor half-done.

The embedded default runs the import before the request answers (eager Celery): those tests
check the answers. ``queued`` switches to a broker-like setting where the task is only sent, so
the tests run the worker's side by hand; the real worker is in test_import_jobs_worker.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from packages import import_jobs
from packages.conf import app_settings
from packages.models import Package, PackageImport, PackageVersion
from packages.problems import PackageRefused
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


def zip_file(data: bytes, name: str = "curso.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


@pytest.fixture
def queued(settings):
    """Celery with a broker: sending the task does not run it. Yields the mock of ``delay``."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("packages.tasks.import_run.delay") as delay:
        yield delay


def _post(client, data: bytes, **extra):
    return client.post("/api/v1/packages/", {"file": zip_file(data), **extra})


# --- The embedded default: done before the answer ------------------------------------------


def test_an_import_done_in_the_request_answers_201_with_its_job(client, author):
    client.force_login(author)
    response = _post(client, b.one_au_cmi5())
    assert response.status_code == 201, response.content
    body = response.json()
    job = PackageImport.objects.get()
    assert body["job"] == {
        "id": str(job.uuid),
        "url": f"/api/v1/packages/imports/{job.uuid}/",
        "status": "imported",
    }
    status = client.get(body["job"]["url"]).json()
    assert status["status"] == "imported" and status["finished"] is True
    assert status["result"]["package"]["id"] == body["package"]["id"]
    assert status["result"]["lessons"] == body["lessons"]
    assert status["package"] == body["package"]["id"]
    assert status["file_name"] == "curso.zip" and status["attempts"] == 1
    # The zip is deleted once imported: the version's own files are what is served.
    assert not job.file and not default_storage.exists(f"packages/uploads/{job.uuid}.zip")


def test_a_refused_import_answers_400_and_its_job_keeps_the_problems(client, author):
    client.force_login(author)
    bad = b.make_zip({"cmi5.xml": b.cmi5_xml([b.au("x", "A", "nope.html")])})
    response = _post(client, bad)
    assert response.status_code == 400
    body = response.json()
    fields = {error["field"] for error in body["errors"]}
    assert {"/courseStructure/au[1]/@id", "/courseStructure/au[1]/url"} <= fields
    status = client.get(body["job"]["url"]).json()
    assert status["status"] == "refused" and status["result"] is None
    assert {error["field"] for error in status["errors"]} == fields
    assert not Package.objects.exists() and not PackageImport.objects.get().file


def test_a_zip_over_the_upload_limit_is_refused_before_anything_is_kept(client, author, settings):
    settings.LMS_PACKAGE_MAX_UPLOAD_BYTES = 1000
    client.force_login(author)
    response = _post(client, b.one_au_cmi5() + b"\0" * 1000)
    assert response.status_code == 400
    assert response.json()["errors"][0]["rule"] == "upload_too_large"
    assert not PackageImport.objects.exists()
    assert not default_storage.exists("packages/uploads")


def test_problems_are_worded_in_the_uploaders_language(client, author):
    client.force_login(author)
    bad = b.make_zip({"cmi5.xml": b.cmi5_xml([b.au("x", "A", "nope.html")])})
    response = client.post("/api/v1/packages/", {"file": zip_file(bad)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    messages = " ".join(error["message"] for error in response.json()["errors"])
    assert "not" in messages and "no está" not in messages


# --- Queued: the worker's side ---------------------------------------------------------------


def test_with_a_broker_the_answer_is_202_and_the_job_is_queued_with_its_zip(
    client, author, queued, django_capture_on_commit_callbacks
):
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, b.one_au_cmi5())
    assert response.status_code == 202, response.content
    body = response.json()
    job = PackageImport.objects.get()
    assert response["Location"] == body["url"] == f"/api/v1/packages/imports/{job.uuid}/"
    assert body["status"] == "queued" and body["finished"] is False and body["result"] is None
    queued.assert_called_once_with(job.pk)  # sent after the job and its zip were committed
    assert job.sent_at is not None
    assert default_storage.exists(job.file.name)
    assert job.file.name == f"packages/uploads/{job.uuid}.zip"
    assert not Package.objects.exists()
    # The worker runs it; the status the client polls then holds the result.
    import_jobs.package_import_run(job_id=job.pk)
    status = client.get(body["url"]).json()
    assert status["status"] == "imported"
    assert status["result"]["course"]["cmi5_id"] == b.COURSE_ID
    assert not default_storage.exists(job.file.name)


def test_the_kept_zip_is_served_to_nobody(client, author, queued):
    client.force_login(author)
    _post(client, b.one_au_cmi5())
    job = PackageImport.objects.get()
    assert default_storage.exists(job.file.name)
    for url in (f"/media/{job.file.name}", f"/packages/{job.uuid}/upload.zip"):
        assert client.get(url).status_code == 404


def test_a_second_delivery_leaves_a_running_job_alone(author, queued):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    PackageImport.objects.filter(pk=job.pk).update(
        status=PackageImport.Status.RUNNING, started_at=timezone.now()
    )
    import_jobs.package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 0
    assert not Package.objects.exists()


def test_a_finished_job_is_not_run_again(author, queued):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    import_jobs.package_import_run(job_id=job.pk)
    import_jobs.package_import_run(job_id=job.pk)
    assert PackageVersion.objects.count() == 1
    job.refresh_from_db()
    assert job.status == "imported" and job.attempts == 1


def test_a_job_whose_worker_died_is_run_again_by_the_sweep(author, queued, settings):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    # A worker claimed it and died: its transaction was rolled back, the claim stays.
    long_ago = timezone.now() - timedelta(seconds=app_settings.LMS_PACKAGE_IMPORT_STALE_SECONDS + 1)
    PackageImport.objects.filter(pk=job.pk).update(
        status=PackageImport.Status.RUNNING, started_at=long_ago, attempts=1
    )
    queued.reset_mock()
    assert import_jobs.package_imports_sweep() == 1
    queued.assert_called_once_with(job.pk)
    import_jobs.package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "imported" and job.attempts == 2
    assert PackageVersion.objects.count() == 1


def test_a_message_the_broker_refused_is_sent_again_by_the_sweep(client, author, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(author)
    with (
        mock.patch(
            "packages.tasks.import_run.delay", side_effect=OperationalError("connection refused")
        ),
        mock.patch.object(import_jobs.logger, "warning") as warning,
    ):
        response = _post(client, b.one_au_cmi5())
        job = PackageImport.objects.get()
        import_jobs._send(job.pk)  # what on_commit does after the request: the broker is down
    # The client was told it is queued; the job and its zip are kept.
    assert response.status_code == 202
    warning.assert_called_once()
    job.refresh_from_db()
    assert job.status == "queued" and default_storage.exists(job.file.name)
    with mock.patch("packages.tasks.import_run.delay") as delay:
        assert import_jobs.package_imports_sweep() == 0  # sent a moment ago: not yet
        resend = app_settings.LMS_PACKAGE_IMPORT_RESEND_SECONDS + 1
        PackageImport.objects.filter(pk=job.pk).update(
            sent_at=timezone.now() - timedelta(seconds=resend)
        )
        assert import_jobs.package_imports_sweep() == 1
        delay.assert_called_once_with(job.pk)


def test_an_unexpected_failure_undoes_everything_and_is_retried_then_failed(
    client, author, queued, settings
):
    settings.LMS_PACKAGE_IMPORT_MAX_ATTEMPTS = 2
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    stored: list[str] = []
    real_save = default_storage.save

    def save_then_fail(name, content, *args, **kwargs):
        if len(stored) == 1:
            raise OSError("the storage went away")
        saved = real_save(name, content, *args, **kwargs)
        stored.append(saved)
        return saved

    with mock.patch.object(default_storage, "save", side_effect=save_then_fail):
        import_jobs.package_import_run(job_id=job.pk)
    job.refresh_from_db()
    # Back in the queue, nothing of the package written, the files stored so far deleted.
    assert job.status == "queued" and job.attempts == 1
    assert job.failure == "Error inesperado (OSError)."
    assert not Package.objects.exists() and not PackageVersion.objects.exists()
    assert stored and not any(default_storage.exists(name) for name in stored)
    stored.clear()
    with mock.patch.object(default_storage, "save", side_effect=save_then_fail):
        import_jobs.package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 2 and job.finished_at
    assert default_storage.exists(job.file.name)  # kept: staff can try again
    client.force_login(author)
    url = f"/api/v1/packages/imports/{job.uuid}/"
    assert client.get(url).json()["failure"] == "Error inesperado (OSError)."
    # Trying again queues it; the worker imports it.
    answer = client.post(url + "retry/")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    import_jobs.package_import_run(job_id=job.pk)
    assert client.get(url).json()["status"] == "imported"
    assert client.post(url + "retry/").status_code == 409  # only a failed import


def test_a_run_whose_claim_was_taken_over_undoes_its_import(author, queued):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    real_import = import_jobs.package_import

    def import_while_another_run_takes_over(**kwargs):
        PackageImport.objects.filter(pk=job.pk).update(claim=None)
        return real_import(**kwargs)

    with mock.patch.object(import_jobs, "package_import", import_while_another_run_takes_over):
        import_jobs.package_import_run(job_id=job.pk)
    assert not Package.objects.exists() and not PackageVersion.objects.exists()
    job.refresh_from_db()
    assert job.status == "running"  # the other run's to finish


def test_an_upload_whose_author_left_is_refused(author, queued):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    get_user_model().objects.filter(pk=author.pk).update(is_active=False)
    import_jobs.package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "refused"
    assert job.problems[0]["rule"] == "uploader_inactive"
    assert not Package.objects.exists() and not default_storage.exists(
        f"packages/uploads/{job.uuid}.zip"
    )


def test_the_run_checks_the_uploaders_rights_where_the_pages_go(teacher, queued):
    from packages.models import Package as PackageModel

    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=teacher)
    import_jobs.package_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and job.problems[0]["rule"] == "permission"
    assert not PackageModel.objects.exists()


def test_an_unknown_mode_is_refused_at_once(author):
    with pytest.raises(PackageRefused):
        import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), mode="x", user=author)
    assert not PackageImport.objects.exists()


# --- Who may read a job ----------------------------------------------------------------------


def test_only_staff_who_may_import_read_a_job(client, author, teacher, queued):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    url = f"/api/v1/packages/imports/{job.uuid}/"
    assert client.get(url).status_code in (401, 403)
    client.force_login(teacher)
    assert client.get(url).status_code == 403
    assert client.post(url + "retry/").status_code == 403
    client.force_login(author)
    assert client.get(url).status_code == 200
    assert (
        client.get("/api/v1/packages/imports/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )
    assert client.get("/api/v1/packages/imports/nope/").status_code == 404


def test_the_schema_documents_the_job(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    post = schema["paths"]["/api/v1/packages/"]["post"]["responses"]
    assert {"201", "202", "400"} <= set(post)
    assert "/api/v1/packages/imports/{job}/" in schema["paths"]
    assert "/api/v1/packages/imports/{job}/retry/" in schema["paths"]


# --- The admin page of an import -------------------------------------------------------------


@pytest.mark.wagtail_admin
def test_the_admin_page_of_a_queued_import_says_so_and_asks_again(client, author, queued):
    client.force_login(author)
    response = client.post(
        "/admin/packages/",
        {"file": SimpleUploadedFile("grande.zip", b.one_au_cmi5()), "mode": "course"},
    )
    job = PackageImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/packages/imports/{job.uuid}/"
    html = client.get(response["Location"]).content.decode()
    assert "En espera" in html and "grande.zip" in html
    assert "se está importando en segundo plano" in html
    assert "packages/admin-import" in html  # the script that asks again
    status = client.get(f"/admin/packages/imports/{job.uuid}/status/").json()
    assert status == {"status": "queued", "status_display": "En espera", "finished": False}
    # The packages page lists the import.
    assert f"/admin/packages/imports/{job.uuid}/" in client.get("/admin/packages/").content.decode()
    import_jobs.package_import_run(job_id=job.pk)
    assert client.get(f"/admin/packages/imports/{job.uuid}/status/").json()["finished"] is True
    html = client.get(response["Location"]).content.decode()
    assert "Paquete importado" in html and "packages/admin-import" not in html


@pytest.mark.wagtail_admin
def test_the_admin_page_of_a_failed_import_offers_to_try_again(client, author, queued, settings):
    settings.LMS_PACKAGE_IMPORT_MAX_ATTEMPTS = 1
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    with mock.patch.object(import_jobs, "package_import", side_effect=RuntimeError("boom")):
        import_jobs.package_import_run(job_id=job.pk)
    client.force_login(author)
    html = client.get(f"/admin/packages/imports/{job.uuid}/").content.decode()
    assert "La importación falló" in html and "Error inesperado (RuntimeError)." in html
    assert "boom" not in html
    response = client.post(f"/admin/packages/imports/{job.uuid}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 0


@pytest.mark.wagtail_admin
def test_teachers_cannot_open_an_import(client, author, teacher, queued):
    job = import_jobs.package_import_queue(upload=b.upload(b.one_au_cmi5()), user=author)
    client.force_login(teacher)
    for url in (
        f"/admin/packages/imports/{job.uuid}/",
        f"/admin/packages/imports/{job.uuid}/status/",
    ):
        assert client.get(url).status_code in (302, 403)
    assert client.post(f"/admin/packages/imports/{job.uuid}/retry/").status_code in (302, 403)


def test_files_a_dead_import_left_are_deleted_once_old_and_no_others(author, settings):
    from django.core.files.base import ContentFile

    from packages.services import package_import

    settings.LMS_PACKAGE_STORAGE_PREFIX = f"packages-orphans-{uuid.uuid4().hex[:8]}"
    root = settings.LMS_PACKAGE_STORAGE_PREFIX
    imported = package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    kept = imported.version.storage_name("au1/index.html")
    # A worker killed while copying: its rows rolled back, two files stayed, one long ago.
    orphan_old = default_storage.save(f"{root}/1b0c/v1-dead/au1/index.html", ContentFile(b"x"))
    orphan_new = default_storage.save(f"{root}/1b0c/v1-running/au1/index.html", ContentFile(b"x"))
    upload = default_storage.save(f"{root}/uploads/waiting.zip", ContentFile(b"zip"))
    long_ago = timezone.now() - timedelta(hours=2)
    real_modified = default_storage.get_modified_time

    def modified(name):
        return long_ago if name in (kept, orphan_old, upload) else real_modified(name)

    with mock.patch.object(default_storage, "get_modified_time", side_effect=modified):
        assert import_jobs.package_orphan_files_delete() == 1
        assert not default_storage.exists(orphan_old)
        # A version's files, a running import's fresh files and kept uploads stay.
        assert default_storage.exists(kept) and default_storage.exists(orphan_new)
        assert default_storage.exists(upload)
        assert import_jobs.package_orphan_files_delete() == 0
