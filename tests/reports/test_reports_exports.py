"""Exports: CSV and XLSX content, progress and audit, expiring links (local and real S3)."""

import csv
import io
import time
import urllib.error
import urllib.request
from unittest import mock

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reports.exports import export_job_build
from reports.models import ExportJob
from tests.reports.reports_builders import build_world, make_monitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.LMS_REPORT_MIN_CELL = 3
    # These tests read the embedded path (Django storage + a signed Django link) even when the
    # suite runs with S3 configured; the S3 path has its own tests below. Blanking the bucket
    # alone is not enough: the default storage would still be S3Storage (built lazily, with an
    # empty bucket), so the default storage is switched to the filesystem too.
    settings.LMS_REPORT_EXPORT_BUCKET = ""
    settings.AWS_STORAGE_BUCKET_NAME = ""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return build_world()


@pytest.fixture
def monitor(world):
    user = make_monitor("nacional")
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


@pytest.fixture
def create(django_capture_on_commit_callbacks):
    """POST an export and run what was enqueued on commit (the eager Celery task)."""

    def post(client, **body):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/reports/exports/", body, format="json")
        assert response.status_code == 202, response.content
        # The 202 body was written before the build ran; read the finished job.
        return client.get(f"/api/v1/reports/exports/{response.json()['id']}/").json()

    return post


def download_local(url: str, client: APIClient) -> bytes:
    """Download through the signed link, as the monitor who asked (nobody else may)."""
    path = url.split("testserver", 1)[1]
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.content


def test_csv_export_content_and_audit(monitor, create):
    job = create(
        monitor, report="completion", format="csv", params={"group_by": "school", "state": "14"}
    )
    assert job["status"] == "done" and job["progress"] == 100
    assert job["download_url"] and job["download_expires_at"]
    text = download_local(job["download_url"], monitor).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Escuela (CCT) (clave)", "Escuela (CCT)", "Inscritos"]
    by_school = {row[0]: row for row in rows[1:]}
    # In Jalisco school B (2 teachers) is small, and A is hidden with it.
    assert by_school["14DPT0002B"][2:9] == ["*"] * 7 and by_school["14DPT0002B"][-1] == "sí"
    assert by_school["14DCT0001A"][2] == "*"
    total = by_school["Total"]
    assert total[2:5] == ["7", "5", "4"]
    # Audit: who, when, which filters (narrowed to the scope).
    row = ExportJob.objects.get(pk=job["id"])
    assert row.created_by == monitor.user and row.created_at
    assert row.params == {"group_by": "school", "state": "14"}
    assert row.scope["level"] == "national"
    assert row.download_count == 1


def test_xlsx_export_content(monitor, create):
    job = create(monitor, report="completion", format="xlsx", params={"group_by": "state"})
    workbook = load_workbook(io.BytesIO(download_local(job["download_url"], monitor)))
    sheet = workbook["Reporte"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["Entidad (clave)", "Entidad"]
    states = {row[0]: row for row in rows[1:]}
    assert states["14"][1] == "Jalisco"
    assert states["14"][2:6] == [7, 5, 4, 1]
    assert states["09"][6] == 0.5 and states["09"][7] == 7  # rate, median days
    assert states["Total"][2] == 13
    about = dict(workbook["Parámetros"].iter_rows(values_only=True))
    assert about["group_by"] == "state"
    assert "suprimidas" in about["Privacidad"]


def test_two_dimension_export_has_margins(monitor, create):
    job = create(monitor, format="csv", params={"group_by": "state,month"})
    rows = list(
        csv.reader(io.StringIO(download_local(job["download_url"], monitor).decode("utf-8-sig")))
    )
    assert ["14", "Jalisco", "Total", ""] in [row[:4] for row in rows]
    assert ["Total", "", "2026-02", "2026-02"] in [row[:4] for row in rows]


def test_trend_and_summary_exports(monitor, create):
    trend = create(monitor, report="trend", format="csv")
    text = download_local(trend["download_url"], monitor).decode("utf-8-sig")
    assert text.splitlines()[0] == "Mes,Inscripciones,Inicios,Conclusiones,Credenciales"
    assert "2026-01,7,5,3,*" in text.splitlines()
    summary = create(monitor, report="summary", format="csv")
    assert ",13,11,7," in download_local(summary["download_url"], monitor).decode("utf-8-sig")


def test_exports_carry_no_personal_data(monitor, create):
    job = create(monitor, format="csv", params={"group_by": "school,course"})
    text = download_local(job["download_url"], monitor).decode("utf-8-sig").lower()
    assert "@example.org" not in text and "curp" not in text


def test_state_monitor_export_is_narrowed_to_the_state(world, create):
    user = make_monitor("cdmx", level="state", state="09")
    client = APIClient()
    client.force_authenticate(user)
    job = create(client, format="csv", params={"group_by": "school"})
    assert job["params"] == {"group_by": "school", "state": "09"}
    text = download_local(job["download_url"], client).decode("utf-8-sig")
    assert "09DCT0003C" in text and "14DCT0001A" not in text


def test_local_link_expires(monitor, settings, create):
    settings.LMS_REPORT_EXPORT_LINK_SECONDS = 60
    job = create(monitor, format="csv", params={"group_by": "state"})
    path = job["download_url"].split("testserver", 1)[1]
    later = time.time() + 61
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = monitor.get(path)
    assert response.status_code == 403
    assert "caducó" in response.json()["detail"]  # Spanish: no Accept-Language


def test_local_link_with_a_forged_token_is_refused(monitor, create):
    job = create(monitor, format="csv", params={"group_by": "state"})
    path = job["download_url"].split("?", 1)[0].split("testserver", 1)[1]
    assert monitor.get(f"{path}?token=forged").status_code == 403
    assert monitor.get(path).status_code == 403


def test_detail_shows_progress_while_building(monitor, create):
    job = ExportJob.objects.create(
        created_by=monitor.user, report="completion", params={"group_by": "state"},
        scope={"level": "national"},
    )  # fmt: skip
    body = monitor.get(f"/api/v1/reports/exports/{job.pk}/").json()
    assert (body["status"], body["progress"], body["download_url"]) == ("pending", 0, None)
    export_job_build(job_id=job.pk)
    body = monitor.get(f"/api/v1/reports/exports/{job.pk}/").json()
    assert body["status"] == "done" and body["progress"] == 100 and body["row_count"] == 3


def test_build_is_idempotent(monitor, create):
    job = create(monitor, format="csv", params={"group_by": "state"})
    before = ExportJob.objects.get(pk=job["id"])
    export_job_build(job_id=job["id"])
    after = ExportJob.objects.get(pk=job["id"])
    assert (after.file_key, after.finished_at) == (before.file_key, before.finished_at)


def test_failed_build_is_recorded(monitor, create):
    job = ExportJob.objects.create(
        created_by=monitor.user, report="completion", params={"group_by": "planet"},
        scope={"level": "national"},
    )  # fmt: skip
    with pytest.raises(ValueError):
        export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "group_by" in job.failure


@pytest.mark.services
def test_s3_export_and_presigned_link_expiry(monitor, s3_storage, settings, create):
    settings.LMS_REPORT_EXPORT_LINK_SECONDS = 2
    job = create(monitor, format="xlsx", params={"group_by": "state"})
    row = ExportJob.objects.get(pk=job["id"])
    assert row.storage == "s3" and row.file_key.endswith(".xlsx")
    url = job["download_url"]
    assert url.startswith(s3_storage["endpoint"]) and "X-Amz-Expires=2" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
    assert load_workbook(io.BytesIO(body))["Reporte"].cell(row=1, column=2).value == "Entidad"
    time.sleep(4)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url, timeout=10)
    assert error.value.code == 403
    # A fresh link works again.
    fresh = monitor.get(f"/api/v1/reports/exports/{job['id']}/").json()["download_url"]
    with urllib.request.urlopen(fresh, timeout=10) as response:
        assert response.status == 200


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_export_into_s3(worker_sees_s3, celery_worker_process, settings):
    settings.LMS_REPORT_MIN_CELL = 3
    build_world()
    user = make_monitor("nacional_worker")
    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/reports/exports/",
        {"format": "csv", "params": {"group_by": "state"}},
        format="json",
    )
    assert response.status_code == 202
    job_id = response.json()["id"]
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/reports/exports/{job_id}/").json()
        seen.add(body["status"])
        if body["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert body["status"] == "done", body["failure"]
    assert ExportJob.objects.get(pk=job_id).storage == "s3"
    with urllib.request.urlopen(body["download_url"], timeout=10) as download:
        text = download.read().decode("utf-8-sig")
    assert "Jalisco" in text and "Total" in text
