"""Report API: every endpoint under every scope, bad parameters, anonymous and teacher users."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.reports.reports_builders import build_world, make_monitor, make_user

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "completion": "/api/v1/reports/completion/?group_by=state",
    "summary": "/api/v1/reports/summary/",
    "trend": "/api/v1/reports/trend/",
    "exports": "/api/v1/reports/exports/",
}


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    return build_world()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def national(world):
    return client_for(make_monitor("nacional", level="national"))


@pytest.fixture
def state_09(world):
    return client_for(make_monitor("cdmx", level="state", state="09"))


@pytest.fixture
def school_a(world):
    return client_for(make_monitor("director", level="school", school=world.school_a))


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_anonymous_is_refused(world, name):
    response = APIClient().get(ENDPOINTS[name])
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["rule"] == "not_authenticated"


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_a_wrong_token_is_refused(world, name):
    # DRF answers 403 rather than 401 because session authentication comes first.
    response = APIClient().get(ENDPOINTS[name], HTTP_AUTHORIZATION="Token nope")
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["rule"] == "authentication_failed"


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_teacher_without_scope_gets_403(world, name):
    teacher = make_user("docente")
    response = client_for(teacher).get(ENDPOINTS[name])
    assert response.status_code == 403
    assert response.json()["detail"] == "Los reportes son solo para monitores de la SEP."


def test_teacher_cannot_create_an_export(world):
    response = client_for(make_user("docente")).post(
        ENDPOINTS["exports"], {"params": {"group_by": "state"}}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_superuser_is_a_national_monitor(world, name):
    response = client_for(make_user("root", superuser=True)).get(ENDPOINTS[name])
    assert response.status_code == 200


def test_group_member_without_scope_row_is_national(world):
    from django.contrib.auth.models import Group

    user = make_user("monitor_sep")
    user.groups.add(Group.objects.get(name="Monitores SEP"))
    body = client_for(user).get(ENDPOINTS["summary"]).json()
    assert body["scope"]["level"] == "national" and body["total"]["enrolled"] == 13


def test_token_authenticated_monitor(world):
    user = make_monitor("con_token")
    token = Token.objects.create(user=user)
    response = APIClient().get(ENDPOINTS["summary"], HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_completion_national(national):
    body = national.get(ENDPOINTS["completion"]).json()
    assert [row["state"] for row in body["results"]] == ["09", "14"]
    assert body["scope"] == {"level": "national", "state": None, "school": None}
    assert body["total"]["enrolled"] == 13 and body["min_cell"] == 3


def test_completion_state_scope(state_09):
    body = state_09.get(ENDPOINTS["completion"]).json()
    assert [row["state"] for row in body["results"]] == ["09"]
    assert body["filters"]["state"] == "09"


def test_completion_school_scope(school_a):
    body = school_a.get("/api/v1/reports/completion/?group_by=school").json()
    assert [row["school"] for row in body["results"]] == ["14DCT0001A"]
    assert body["total"]["enrolled"] == 5


@pytest.mark.parametrize(
    ("fixture", "url"),
    [
        ("state_09", "/api/v1/reports/completion/?group_by=school&state=14"),
        ("state_09", "/api/v1/reports/summary/?state=14"),
        ("state_09", "/api/v1/reports/trend/?state=14"),
        ("school_a", "/api/v1/reports/completion/?group_by=course&school=09DCT0003C"),
        ("school_a", "/api/v1/reports/summary/?state=09"),
        ("school_a", "/api/v1/reports/trend/?school=14DPT0002B"),
    ],
)
def test_asking_beyond_the_scope_is_403(request, fixture, url):
    response = request.getfixturevalue(fixture).get(url)
    assert response.status_code == 403
    assert "fuera de tu alcance de monitoreo" in response.json()["detail"]


def test_summary_under_each_scope(national, state_09, school_a):
    assert national.get(ENDPOINTS["summary"]).json()["total"]["enrolled"] == 13
    assert state_09.get(ENDPOINTS["summary"]).json()["total"]["enrolled"] == 6
    assert school_a.get(ENDPOINTS["summary"]).json()["total"]["enrolled"] == 5


def test_trend_under_each_scope(national, state_09, school_a):
    def months(client):
        return {p["month"]: p["enrolled"] for p in client.get(ENDPOINTS["trend"]).json()["results"]}

    assert months(national) == {"2026-01": 7, "2026-02": 6}
    assert months(state_09) == {"2026-02": 6}
    assert months(school_a) == {"2026-01": 5}


def test_exports_list_under_each_scope_shows_only_own_jobs(national, state_09):
    national.post(ENDPOINTS["exports"], {"params": {"group_by": "state"}}, format="json")
    assert len(national.get(ENDPOINTS["exports"]).json()) == 1
    assert state_09.get(ENDPOINTS["exports"]).json() == []


@pytest.mark.parametrize(
    ("url", "field", "rule"),
    [
        ("/api/v1/reports/completion/", "group_by", "required"),
        ("/api/v1/reports/completion/?group_by=galaxy", "group_by", "choice"),
        ("/api/v1/reports/completion/?group_by=state,course,month", "group_by", "max_dimensions"),
        ("/api/v1/reports/completion/?group_by=state&state=99", "state", "inegi_code"),
        ("/api/v1/reports/completion/?group_by=state&date_from=ayer", "date_from", "date"),
        ("/api/v1/reports/completion/?group_by=state&subsystem=nada", "subsystem", "unknown"),
        ("/api/v1/reports/completion/?group_by=state&school=14DCT9999Q", "school", "unknown"),
        ("/api/v1/reports/completion/?group_by=state&curp=X", "curp", "unknown"),
        ("/api/v1/reports/summary/?group_by=state", "group_by", "not_allowed"),
        ("/api/v1/reports/trend/?course=-4", "course", "integer"),
    ],
)
def test_bad_parameters_are_400_naming_parameter_and_rule(national, url, field, rule):
    response = national.get(url)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == (field, rule)


def test_export_create_rejects_bad_input(national):
    response = national.post(ENDPOINTS["exports"], {"format": "pdf"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"
    response = national.post(ENDPOINTS["exports"], {"params": {"group_by": "nope"}}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "params.group_by"


def test_export_beyond_scope_is_403(state_09):
    response = state_09.post(
        ENDPOINTS["exports"], {"params": {"group_by": "school", "state": "14"}}, format="json"
    )
    assert response.status_code == 403


def test_export_detail_of_someone_else_is_404(national, state_09):
    job = national.post(
        ENDPOINTS["exports"], {"params": {"group_by": "state"}}, format="json"
    ).json()
    assert state_09.get(f"/api/v1/reports/exports/{job['id']}/").status_code == 404


@pytest.mark.parametrize("group_by", ["state", "school", "course,month", "sector,subsystem"])
def test_query_count_is_bounded(national, django_assert_max_num_queries, group_by):
    with django_assert_max_num_queries(15):
        response = national.get(f"/api/v1/reports/completion/?group_by={group_by}")
    assert response.status_code == 200


def test_endpoints_are_in_the_openapi_schema(national):
    schema = national.get("/api/v1/schema/?format=json").json()
    for path in (
        "/api/v1/reports/completion/",
        "/api/v1/reports/summary/",
        "/api/v1/reports/trend/",
        "/api/v1/reports/exports/",
        "/api/v1/reports/exports/{id}/",
        "/api/v1/reports/exports/{id}/download/",
    ):
        assert path in schema["paths"], path
    completion = schema["paths"]["/api/v1/reports/completion/"]["get"]
    assert {"400", "401", "403"} <= set(completion["responses"])
