"""Who may download a report export: its monitor, while her scope still covers the export's.

The file itself is never reachable under /media/ (tests/lms/test_media_access.py); here the
download view and the links the API and the dashboard hand out are checked, on the filesystem
default and on the real S3 server.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from learners.models import School
from reports.models import ExportJob, MonitorScope
from tests.reports import test_reports_exports as exports_tests
from tests.reports.reports_builders import make_monitor

pytestmark = pytest.mark.django_db

# The export tests' fixtures: a hand-countable world, a national monitor, POST-and-build.
world = exports_tests.world
monitor = exports_tests.monitor
create = exports_tests.create


def _path(url: str) -> str:
    return url.split("testserver", 1)[1]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


@pytest.fixture
def jalisco(world):
    """A state coordinator of Jalisco (14)."""
    return _client(make_monitor("coord_jal", level="state", state="14"))


@pytest.fixture
def national_export(monitor, create):
    return create(monitor, format="csv", params={"group_by": "state"})


def test_the_monitor_downloads_her_own_export(monitor, national_export):
    response = monitor.get(_path(national_export["download_url"]))
    assert response.status_code == 200
    assert "Jalisco" in response.content.decode("utf-8-sig")
    assert response["Cache-Control"] == "private, no-store"
    assert ExportJob.objects.get(pk=national_export["id"]).download_count == 1


def test_an_anonymous_request_with_a_valid_link_is_refused(national_export):
    response = APIClient().get(_path(national_export["download_url"]))
    assert response.status_code in (401, 403)
    assert ExportJob.objects.get(pk=national_export["id"]).download_count == 0


def test_another_states_coordinator_gets_neither_file_nor_link(jalisco, national_export):
    path = _path(national_export["download_url"])
    assert jalisco.get(path).status_code == 404
    assert jalisco.get(f"/api/v1/reports/exports/{national_export['id']}/").status_code == 404
    assert ExportJob.objects.get(pk=national_export["id"]).download_count == 0


def test_another_national_monitor_cannot_use_the_link(world, national_export):
    other = _client(make_monitor("otro_nacional"))
    assert other.get(_path(national_export["download_url"])).status_code == 404


def test_a_teacher_without_a_scope_is_refused(world, national_export):
    teacher = get_user_model().objects.create_user("maestra", "m@example.org", "pw")
    assert _client(teacher).get(_path(national_export["download_url"])).status_code == 403


def test_a_monitor_narrowed_to_one_state_loses_her_national_export(monitor, national_export):
    MonitorScope.objects.filter(user=monitor.user).update(level="state", state="14")
    response = monitor.get(_path(national_export["download_url"]))
    assert response.status_code == 403
    assert "alcance de monitoreo" in response.json()["detail"]
    detail = monitor.get(f"/api/v1/reports/exports/{national_export['id']}/")
    assert detail.status_code == 403


def test_a_state_export_stays_with_its_state_coordinator(jalisco, create):
    job = create(jalisco, format="csv", params={"group_by": "school"})
    assert jalisco.get(_path(job["download_url"])).status_code == 200
    # Moved to another state: the Jalisco export is out of her scope now.
    MonitorScope.objects.filter(user=jalisco.user).update(state="09")
    assert jalisco.get(_path(job["download_url"])).status_code == 403
    # Narrowed to a school of Jalisco: a state-wide export is still too wide.
    school = School.objects.filter(state="14").first()
    MonitorScope.objects.filter(user=jalisco.user).update(level="school", state="", school=school)
    assert jalisco.get(_path(job["download_url"])).status_code == 403


def test_the_link_token_is_bound_to_its_job(monitor, create):
    first = create(monitor, format="csv", params={"group_by": "state"})
    second = create(monitor, format="csv", params={"group_by": "subsystem"})
    token = first["download_url"].split("token=", 1)[1]
    forged = f"/api/v1/reports/exports/{second['id']}/download/?token={token}"
    assert monitor.get(forged).status_code == 403


def test_the_dashboard_link_needs_the_same_monitor(world, monitor, national_export):
    user = monitor.user
    session = Client()
    session.force_login(user)
    page = session.get(f"/admin/reports/exports/{national_export['id']}/?format=json")
    assert page.status_code == 200, page.content
    link = page.json()["download_url"]
    assert session.get(_path(link)).status_code == 200
    stranger = Client()
    stranger.force_login(make_monitor("coord_cdmx", level="state", state="09"))
    assert stranger.get(_path(link)).status_code == 404
    assert Client().get(_path(link)).status_code in (401, 403)


def test_stored_export_names_are_unguessable(monitor, national_export):
    job = ExportJob.objects.get(pk=national_export["id"])
    folder, name = job.file_key.rsplit("/", 1)
    assert name == job.filename
    token = folder.rsplit("/", 1)[1]
    assert len(token) >= 22 and token not in (str(job.pk), job.filename)


# --- on the real S3 server ---------------------------------------------------------------------


@pytest.mark.services
def test_s3_export_goes_only_to_its_monitor(world, monitor, jalisco, s3_storage, create):
    job = create(monitor, format="csv", params={"group_by": "state"})
    row = ExportJob.objects.get(pk=job["id"])
    assert row.storage == "s3"
    plain = f"{s3_storage['endpoint']}/{s3_storage['bucket']}/{row.file_key}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain, timeout=10)  # the local test server, unsigned
    assert refused.value.code == 403
    assert jalisco.get(f"/api/v1/reports/exports/{job['id']}/").status_code == 404
    assert APIClient().get(f"/api/v1/reports/exports/{job['id']}/").status_code in (401, 403)
    MonitorScope.objects.filter(user=monitor.user).update(level="state", state="14")
    assert monitor.get(f"/api/v1/reports/exports/{job['id']}/").status_code == 403
    MonitorScope.objects.filter(user=monitor.user).update(level="national", state="")
    link = monitor.get(f"/api/v1/reports/exports/{job['id']}/").json()["download_url"]
    with urllib.request.urlopen(link, timeout=10) as response:
        assert "Jalisco" in response.read().decode("utf-8-sig")
