"""A school (CCT) filter outside the monitor's scope is 403 naming the field and the rule, on
every report endpoint, export and the dashboard, as docs/reports.md promises; it used to be an
empty 200 for a state coordinator."""

import pytest
from rest_framework.test import APIClient

from reports.models import ExportJob
from tests.reports.reports_builders import build_world, make_monitor

pytestmark = pytest.mark.django_db

OTHER_STATE_SCHOOL = "14DCT0001A"  # a school of Jalisco in the world
UNKNOWN_OTHER_STATE_CCT = "14DCT9999Z"  # no such school; its digits name Jalisco
OWN_SCHOOL = "09DCT0003C"  # Ciudad de México's school in the world


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 1
    return build_world()


@pytest.fixture
def cdmx_user(world):
    return make_monitor("cdmx", level="state", state="09")


@pytest.fixture
def cdmx(cdmx_user):
    client = APIClient()
    client.force_authenticate(cdmx_user)
    return client


REPORTS = [
    "/api/v1/reports/completion/?group_by=course&school={}",
    "/api/v1/reports/summary/?school={}",
    "/api/v1/reports/trend/?school={}",
]


@pytest.mark.parametrize("url", REPORTS)
@pytest.mark.parametrize("cct", [OTHER_STATE_SCHOOL, UNKNOWN_OTHER_STATE_CCT, "14dct0001a"])
def test_a_state_coordinator_asking_for_another_states_school_gets_403(cdmx, url, cct):
    response = cdmx.get(url.format(cct))
    assert response.status_code == 403
    body = response.json()
    assert body["errors"] == [
        {"field": "school", "rule": "scope.school", "message": body["detail"]}
    ]
    assert "fuera de tu alcance de monitoreo" in body["detail"]


@pytest.mark.parametrize("url", REPORTS)
def test_a_state_coordinator_still_filters_on_her_own_states_schools(cdmx, url):
    response = cdmx.get(url.format(OWN_SCHOOL))
    assert response.status_code == 200
    assert response.json()["filters"]["school"] == OWN_SCHOOL


def test_her_own_school_has_figures(cdmx):
    body = cdmx.get(REPORTS[1].format(OWN_SCHOOL)).json()
    assert body["total"]["enrolled"] > 0


def test_an_unknown_cct_of_her_own_state_is_a_400_naming_the_school(cdmx):
    response = cdmx.get(REPORTS[1].format("09DCT9999Z"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "school"


def test_a_national_monitor_filters_on_any_school(world):
    client = APIClient()
    client.force_authenticate(make_monitor("nacional", level="national"))
    assert client.get(REPORTS[1].format(OTHER_STATE_SCHOOL)).status_code == 200


def test_an_export_of_another_states_school_is_403_and_not_created(cdmx):
    response = cdmx.post(
        "/api/v1/reports/exports/",
        {"params": {"group_by": "course", "school": OTHER_STATE_SCHOOL}},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "params.school"
    assert response.json()["errors"][0]["rule"] == "scope.school"
    assert ExportJob.objects.count() == 0


def test_a_school_director_asking_for_another_school_names_the_rule(world):
    client = APIClient()
    client.force_authenticate(make_monitor("dir", level="school", school=world.school_c))
    response = client.get(REPORTS[1].format("09DCT0004D"))
    assert response.status_code == 403
    assert response.json()["errors"][0]["rule"] == "scope.school"


def test_the_dashboard_answers_403_naming_the_field(client, cdmx_user):
    client.force_login(cdmx_user)
    response = client.get("/admin/reports/", {"school": OTHER_STATE_SCHOOL})
    assert response.status_code == 403
    assert 'data-error-field="school"' in response.content.decode()


def test_the_dashboard_export_of_another_states_school_is_403(client, cdmx_user):
    client.force_login(cdmx_user)
    response = client.post(
        "/admin/reports/exports/",
        {"report": "completion", "format": "csv", "school": OTHER_STATE_SCHOOL},
    )
    assert response.status_code == 403
    assert ExportJob.objects.count() == 0
