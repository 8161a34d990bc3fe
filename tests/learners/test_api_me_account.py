"""Learner API: token, own profile, ARCO export and cancellation; negatives for each."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learners.models import AuditEvent
from tests.learners.learners_factories import (  # noqa: F401
    SchoolFactory,
    TeacherProfileFactory,
    UserFactory,
    seeded_subsystems,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
User = get_user_model()
PASSWORD = "Aprender-2026-seguro"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def teacher():
    school = SchoolFactory(cct="09DPR1858A")  # a check letter that warns
    return TeacherProfileFactory(
        user=UserFactory(username="ana@example.mx", password=PASSWORD), school=school
    )


def _fields(response) -> set[tuple[str, str]]:
    return {(error["field"], error["rule"]) for error in response.json()["errors"]}


def test_token_for_username_and_password_then_token_auth_works(api, teacher):
    response = api.post(
        "/api/v1/auth/token/", {"username": "ANA@example.mx", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == teacher.user
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["id"] == teacher.user.pk
    # Asking again gives the same token.
    again = APIClient().post(
        "/api/v1/auth/token/", {"username": "ana@example.mx", "password": PASSWORD}, format="json"
    )
    assert again.json()["token"] == token


def test_token_with_bad_credentials_is_400_naming_the_field(api, teacher):
    response = api.post(
        "/api/v1/auth/token/", {"username": "ana@example.mx", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert _fields(response) == {("password", "invalid_credentials")}


def test_token_for_an_unconfirmed_account_is_refused(api):
    UserFactory(username="nueva@example.mx", password=PASSWORD, is_active=False)
    response = api.post(
        "/api/v1/auth/token/", {"username": "nueva@example.mx", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_token_with_missing_fields_names_them(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert _fields(response) == {("username", "required"), ("password", "required")}


def test_me_returns_the_own_profile_with_school_warnings(api, teacher):
    api.force_authenticate(teacher.user)
    data = api.get("/api/v1/me/").json()
    assert data["curp"] == teacher.curp
    assert data["email"] == "ana@example.mx"
    assert data["state"] == "09"
    assert data["state_name"] == "Ciudad de México"
    assert data["subsystem"] == {"code": "dgeti", "name": "DGETI"}
    assert data["school"]["cct"] == "09DPR1858A"
    assert len(data["school"]["cct_warnings"]) == 1
    assert data["position"] == "docente"


def test_me_for_a_user_without_teacher_profile_has_null_profile_fields(api):
    api.force_authenticate(UserFactory())
    data = api.get("/api/v1/me/").json()
    assert data["curp"] is None
    assert data["school"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/me/export/"),
        ("post", "/api/v1/me/cancel/"),
    ],
)
def test_me_endpoints_refuse_anonymous_requests(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["rule"] == "not_authenticated"


def test_me_with_a_bad_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api.get("/api/v1/me/")
    # 403 rather than 401 because session auth comes first (no WWW-Authenticate challenge).
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["rule"] == "authentication_failed"


def test_export_contains_everything_held_and_is_audited(api, teacher):
    api.force_authenticate(teacher.user)
    response = api.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["account"]["email"] == "ana@example.mx"
    assert data["profile"]["curp"] == teacher.curp
    assert data["profile"]["first_name"] == "Ana"
    assert data["profile"]["school"]["cct"] == "09DPR1858A"
    assert data["enrollments"] == []
    event = AuditEvent.objects.get(action="arco_export")
    assert (event.actor, event.target_id) == (teacher.user, str(teacher.user.pk))
    assert teacher.curp not in str(event.details)


def test_cancel_needs_the_password_and_confirm_true(api, teacher):
    api.force_authenticate(teacher.user)
    response = api.post("/api/v1/me/cancel/", {"password": "nope", "confirm": True}, format="json")
    assert response.status_code == 400
    assert _fields(response) == {("password", "password_incorrect")}
    response = api.post(
        "/api/v1/me/cancel/", {"password": PASSWORD, "confirm": False}, format="json"
    )
    assert _fields(response) == {("confirm", "must_be_true")}
    response = api.post("/api/v1/me/cancel/", {}, format="json")
    assert _fields(response) == {("password", "required"), ("confirm", "required")}
    teacher.refresh_from_db()
    assert teacher.cancelled_at is None


def test_cancel_erases_personal_data_and_revokes_access(api, teacher):
    curp = teacher.curp
    token = Token.objects.create(user=teacher.user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        "/api/v1/me/cancel/", {"password": PASSWORD, "confirm": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"cancelled": True}
    teacher.refresh_from_db()
    user = User.objects.get(pk=teacher.user_id)
    assert teacher.curp is None
    assert (teacher.first_name, teacher.paternal_surname, teacher.maternal_surname) == ("", "", "")
    assert teacher.cancelled_at is not None
    assert user.email == ""
    assert user.username.startswith("cancelado-")
    assert "ana" not in user.username
    assert not user.has_usable_password()
    assert not user.is_active
    # Statistical dimensions stay.
    assert (teacher.state, teacher.subsystem.code, teacher.school.cct) == (
        "09",
        "dgeti",
        "09DPR1858A",
    )
    # The token no longer works; the old credentials neither.
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/v1/me/").status_code in (401, 403)
    again = APIClient().post(
        "/api/v1/auth/token/", {"username": "ana@example.mx", "password": PASSWORD}, format="json"
    )
    assert again.status_code == 400
    event = AuditEvent.objects.get(action="arco_cancel")
    assert event.target_id == str(user.pk)
    assert curp not in str(event.details)
    # The CURP is free again: the person may sign up anew later.
    TeacherProfileFactory(curp=curp)


def test_schema_lists_the_learner_endpoints(api):
    api.force_authenticate(UserFactory())
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/me/export/", "/api/v1/me/cancel/"):
        assert path in schema
