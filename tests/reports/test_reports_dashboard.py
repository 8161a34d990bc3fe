"""The reports dashboard in the Wagtail admin: access, scopes, map, drill-down, exports."""

import re

import pytest
from django.urls import reverse

from reports.models import ExportJob, MonitorScope
from tests.reports.reports_builders import build_world, make_monitor, make_user

pytestmark = pytest.mark.django_db

URL = "/admin/reports/"


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    return build_world()


def logged_in(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_teacher_cannot_open_the_dashboard(client, world):
    teacher = make_user("docente")
    response = logged_in(client, teacher).get(URL)
    assert response.status_code in (302, 403)


def test_staff_editor_without_scope_gets_403(client, world):
    from django.contrib.auth.models import Permission

    editor = make_user("editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    response = logged_in(client, editor).get(URL)
    # Wagtail turns PermissionDenied into a redirect to the admin home with a message.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # ... and the menu does not show the reports item.
    home = client.get("/admin/")
    assert "reportes-sep" not in home.content.decode()


def test_national_dashboard_shows_map_of_32_states_and_state_table(client, world):
    monitor = make_monitor("nacional")
    response = logged_in(client, monitor).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<path data-state="\d\d"', html)) == 32
    assert 'data-dimension="state"' in html
    # Jalisco and CDMX are shaded and link to their drill-down.
    assert 'href="?state=14"' in html and 'href="?state=09"' in html
    assert "Jalisco" in html
    assert 'data-figure="enrolled">13<' in html
    assert "reportes-sep" in client.get("/admin/").content.decode()


def test_drill_down_state_to_subsystem_to_school_to_course(client, world):
    client = logged_in(client, make_monitor("nacional"))
    html = client.get(URL, {"state": "09"}).content.decode()
    assert 'data-dimension="subsystem"' in html
    assert 'data-drill="dgeti"' in html
    html = client.get(URL, {"state": "09", "subsystem": "dgeti"}).content.decode()
    assert 'data-dimension="school"' in html
    assert 'data-drill="09DCT0003C"' in html
    html = client.get(URL, {"state": "09", "subsystem": "dgeti", "school": "09DCT0003C"})
    assert 'data-dimension="course"' in html.content.decode()


def test_state_coordinator_sees_only_their_state(client, world):
    client = logged_in(client, make_monitor("cdmx", level="state", state="09"))
    html = client.get(URL).content.decode()
    assert 'data-dimension="subsystem"' in html
    assert 'data-figure="enrolled">6<' in html
    assert 'href="?state=14"' not in html
    response = client.get(URL, {"state": "14"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-error-field="state"' in html
    assert 'data-figure="enrolled">6<' in html


def test_school_director_sees_only_their_school(client, world):
    client = logged_in(client, make_monitor("dir", level="school", school=world.school_c))
    html = client.get(URL).content.decode()
    assert 'data-dimension="course"' in html
    assert 'data-figure="enrolled">6<' in html
    html = client.get(URL, {"school": "14DCT0001A"}).content.decode()
    assert 'data-error-field="school"' in html


def test_bad_parameters_are_reported_not_crashing(client, world):
    client = logged_in(client, make_monitor("nacional"))
    html = client.get(URL, {"date_from": "mañana"}).content.decode()
    assert 'data-error-field="date_from"' in html
    html = client.get(URL, {"subsystem": "inexistente"}).content.decode()
    assert 'data-error-field="subsystem"' in html


def test_dashboard_export_flow(client, world, django_capture_on_commit_callbacks):
    monitor = make_monitor("nacional")
    client = logged_in(client, monitor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("progress_reports:export_create"),
            {"report": "completion", "format": "csv", "group_by": "subsystem", "state": "14"},
        )
    job = ExportJob.objects.get(created_by=monitor)
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    assert job.params == {"group_by": "subsystem", "state": "14"}
    page = client.get(response["Location"]).content.decode()
    assert "Descargar" in page
    status = client.get(response["Location"], {"format": "json"}).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["download_url"]


def test_export_of_another_users_job_is_404(client, world):
    owner = make_monitor("a")
    job = ExportJob.objects.create(created_by=owner, params={}, scope={"level": "national"})
    client = logged_in(client, make_monitor("b"))
    assert client.get(reverse("progress_reports:export", args=[job.pk])).status_code == 404


def test_saving_a_scope_puts_the_user_in_the_monitor_group(world):
    user = make_user("nuevo")
    MonitorScope.objects.create(user=user, level="state", state="14")
    assert user.groups.filter(name="Monitores SEP").exists()
