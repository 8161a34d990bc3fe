"""Property: no input to /api/v1/ gets a 5xx, and a refused request stores nothing.

Arbitrary JSON (every type, deep nesting, numbers beyond a double, NaN, NUL, lone surrogates)
as the whole body or as any field of the auth token, credential verify, report export and
enrolment bodies, and as query parameters of ``me``, the enrolments, the reports and the
catalog. Profiles: tests/support/hypothesis_profiles.py.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learners.models import AuditEvent, Enrollment
from reports.models import ExportJob
from tests.reports.reports_builders import make_monitor
from tests.support.json_strategies import hostile_json_text, hostile_text, query_string

pytestmark = pytest.mark.django_db

# Each endpoint with a valid body whose fields the property replaces one at a time.
BODIES = {
    "/api/v1/auth/token/": {"username": "nadie@example.mx", "password": "x"},
    "/api/v1/credentials/verify": {"credential": {"@context": [], "type": ["x"]}},
    "/api/v1/reports/exports/": {
        "report": "completion",
        "format": "csv",
        "params": {"group_by": "state", "state": "09"},
    },
    "/api/v1/me/enrollments/": {"course": 1},
}
_FIELDS = sorted(
    (path, field) for path, body in BODIES.items() for field in [*body, "(body)", "(new field)"]
)


def _counts() -> tuple[int, ...]:
    return (
        Token.objects.count(),
        ExportJob.objects.count(),
        Enrollment.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def clients(db, settings) -> dict[str, APIClient]:
    # Verification is throttled per address; the property sends many from one.
    settings.LMS_CREDENTIALS_VERIFY_RATE = "100000/minute"
    from django.core.cache import cache

    cache.clear()
    monitor = APIClient(raise_request_exception=False)
    monitor.force_authenticate(make_monitor("monitor-property"))
    learner = APIClient(raise_request_exception=False)
    learner.force_authenticate(get_user_model().objects.create_user("property@example.mx"))
    return {
        "/api/v1/auth/token/": APIClient(raise_request_exception=False),
        "/api/v1/credentials/verify": APIClient(raise_request_exception=False),
        "/api/v1/reports/exports/": monitor,
        "/api/v1/me/enrollments/": learner,
    }


@given(target=st.sampled_from(_FIELDS), text=hostile_json_text, key=hostile_text)
def test_api_bodies_never_answer_5xx_and_refusals_store_nothing(clients, target, text, key):
    path, field = target
    placeholder = "\u0001hostile\u0001"
    body = dict(BODIES[path])
    if field == "(body)":
        sent = text
    else:
        body[key if field == "(new field)" else field] = placeholder
        sent = json.dumps(body).replace(json.dumps(placeholder), text)
    before = _counts()
    response = clients[path].post(path, sent.encode(), content_type="application/json")
    assert response.status_code < 500, (response.status_code, path, sent[:300])
    if response.status_code >= 400:
        assert _counts() == before
        if response.status_code == 400:
            errors = response.json()["errors"]
            assert errors and all(item["field"] and item["rule"] for item in errors), errors


@given(
    path=st.sampled_from(
        [
            "/api/v1/me/",
            "/api/v1/me/enrollments/",
            "/api/v1/reports/completion/",
            "/api/v1/courses/",
        ]
    ),
    params=st.dictionaries(
        st.sampled_from(
            ["group_by", "state", "school", "sector", "topic", "course", "date_from", "q", "locale"]
        )
        | hostile_text,
        hostile_text | hostile_json_text,
        max_size=3,
    ),
)
def test_api_query_parameters_never_answer_5xx(clients, path, params):
    client = clients["/api/v1/reports/exports/" if "reports" in path else "/api/v1/me/enrollments/"]
    response = client.get(f"{path}?{query_string(params)}")
    assert response.status_code < 500, (response.status_code, path, params)
