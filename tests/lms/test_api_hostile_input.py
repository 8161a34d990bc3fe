"""Hostile JSON on /api/v1/ answers 400 naming the field and the rule, never a 500.

DRF's own JSON parser let deep nesting exhaust the recursion limit (a 500 on the anonymous
token and verify endpoints and on the report export), kept ``1e400`` as ``inf`` and kept NUL
and lone surrogates in strings; ``common.parsers.JSONParser`` refuses them all.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learners.models import Enrollment
from reports.models import ExportJob
from tests.reports.reports_builders import make_monitor

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000
TOKEN = "/api/v1/auth/token/"
VERIFY = "/api/v1/credentials/verify"
EXPORTS = "/api/v1/reports/exports/"
ENROLL = "/api/v1/me/enrollments/"


def _post(client: APIClient, path: str, body: str):
    return client.post(path, body, content_type="application/json")


def _errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.content
    return {(item["field"], item["rule"]) for item in response.json()["errors"]}


@pytest.fixture
def monitor() -> APIClient:
    client = APIClient()
    client.force_authenticate(make_monitor("monitor-hostile"))
    return client


@pytest.fixture
def learner() -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("hostile@example.mx"))
    return client


@pytest.mark.parametrize("path", [TOKEN, VERIFY])
def test_anonymous_endpoints_refuse_deep_nesting(path):
    assert _errors(_post(APIClient(), path, DEEP)) == {("non_field_errors", "json.depth")}
    # Deeper than the limit but within the parser's reach: the error names the member.
    deep_member = '{"credential": {"a": ' + "[" * 100 + "]" * 100 + "}}"
    ((field, rule),) = _errors(_post(APIClient(), path, deep_member))
    assert rule == "json.depth" and field.startswith("credential.a[0][0]"), field


def test_report_export_refuses_deep_nesting_and_stores_nothing(monitor):
    assert _errors(_post(monitor, EXPORTS, DEEP)) == {("non_field_errors", "json.depth")}
    body = '{"report": "completion", "params": {"x": ' + "[" * 100 + "]" * 100 + "}}"
    ((field, rule),) = _errors(_post(monitor, EXPORTS, body))
    assert rule == "json.depth" and field.startswith("params.x[0][0]"), field
    assert ExportJob.objects.count() == 0


def test_token_refuses_nul_and_lone_surrogates_naming_the_field():
    anonymous = APIClient()
    nul = '{"username": "a\\u0000@example.mx", "password": "x"}'
    assert _errors(_post(anonymous, TOKEN, nul)) == {("username", "text.nul")}
    surrogate = '{"username": "a@example.mx", "password": "\\udc00"}'
    assert _errors(_post(anonymous, TOKEN, surrogate)) == {("password", "text.surrogate")}
    assert Token.objects.count() == 0


def test_verify_refuses_non_finite_numbers_in_a_credential():
    body = '{"credential": {"@context": [], "credentialSubject": {"score": 1e400}}}'
    assert _errors(_post(APIClient(), VERIFY, body)) == {
        ("credential.credentialSubject.score", "number.finite")
    }
    assert _errors(_post(APIClient(), VERIFY, '{"credential": {"n": NaN}}')) == {
        ("credential.n", "number.finite")
    }


def test_verify_refuses_a_deep_credential_given_as_text():
    # A form field holds JSON text, which the credential field parses.
    response = APIClient().post(VERIFY, {"credential": '{"a": ' + DEEP + "}"})
    assert _errors(response) == {("credential", "json.depth")}
    # A JSON string holding JSON is read by the verifier, which keeps to the same limits.
    response = APIClient().post(VERIFY, {"credential": '{"a": ' + DEEP + "}"}, format="json")
    assert _errors(response) == {("credential", "unreadable")}
    assert "more than 64 deep" in response.json()["detail"]


def test_verify_refuses_a_jwt_whose_payload_is_nested_too_deep():
    import base64

    def segment(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    header = segment('{"alg": "EdDSA"}')
    jwt = f"{header}.{segment(DEEP)}.c2ln"
    assert _errors(APIClient().post(VERIFY, {"jwt": jwt}, format="json")) == {("jwt", "unreadable")}


def test_export_params_refuse_a_lone_surrogate(monitor):
    body = '{"report": "completion", "params": {"group_by": "state", "sector": "\\ud800"}}'
    assert _errors(_post(monitor, EXPORTS, body)) == {("params.sector", "text.surrogate")}
    assert ExportJob.objects.count() == 0


def test_enrollment_course_as_1e400_is_400(learner):
    assert _errors(_post(learner, ENROLL, '{"course": 1e400}')) == {("course", "number.finite")}
    assert _errors(_post(learner, ENROLL, '{"course": {"id": 1}}')) == {("course", "invalid")}
    assert Enrollment.objects.count() == 0


def test_form_fields_with_nul_are_refused_by_the_serializer():
    response = APIClient().post(TOKEN, {"username": "a\x00b", "password": "x"})
    assert _errors(response) == {("username", "null_characters_not_allowed")}
