"""Property: no input to the LRS gets a 5xx, and a refused request stores nothing.

Arbitrary JSON (every type, deep nesting, numbers beyond a double, NaN, NUL, lone surrogates)
goes into every field of a full statement, into every query parameter and body of the three
document resources. Runs on SQLite and, in the services run, on PostgreSQL (which refuses NUL
in text and JSONB, and values longer than a column). Profiles: tests/support/hypothesis_profiles.py.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from lrs.models import LRSDocument, Statement
from tests.lrs.xapi_fixtures import make_client
from tests.support.json_strategies import (
    field_paths,
    hostile_json_text,
    hostile_text,
    query_string,
    substitute,
)

pytestmark = pytest.mark.django_db

ACTIVITY = "http://example.com/activities/property"
EXT = "http://example.com/ext"
AGENT = {"objectType": "Agent", "mbox": "mailto:learner@example.com"}
FULL_STATEMENT = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"objectType": "Agent", "account": {"homePage": "http://x.mx", "name": "n1"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"es-MX": "respondió"}},
    "object": {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {
            "name": {"es-MX": "Pregunta"},
            "description": {"es-MX": "Una pregunta"},
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "moreInfo": "http://example.com/more",
            "interactionType": "choice",
            "correctResponsesPattern": ["a"],
            "choices": [{"id": "a", "description": {"es-MX": "A"}}],
            "extensions": {EXT: {"k": [1, "v"]}},
        },
    },
    "result": {
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": True,
        "response": "a",
        "duration": "PT1M",
        "extensions": {EXT: 1},
    },
    "context": {
        "registration": "9f1c3c3e-4a4e-4d3a-9a54-1d7d3c2b1a00",
        "instructor": {"mbox": "mailto:teacher@example.com"},
        "contextActivities": {"parent": [{"id": "http://example.com/course"}]},
        "revision": "1",
        "platform": "Capacita",
        "language": "es-MX",
        "statement": {"objectType": "StatementRef", "id": "0f4a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"},
        "extensions": {EXT: "x"},
    },
    "timestamp": "2026-05-01T10:00:00Z",
}
STATEMENT_PATHS = field_paths(FULL_STATEMENT)


@pytest.fixture
def lrs(db) -> tuple[Client, dict[str, str]]:
    from lrs.services import forget_defined_activities

    forget_defined_activities()
    _, auth = make_client()
    headers = {"X-Experience-API-Version": "1.0.3", "Authorization": auth}
    return Client(raise_request_exception=False), headers


def test_the_full_statement_template_is_accepted(lrs):
    client, headers = lrs
    response = client.post(
        "/xapi/statements", json.dumps(FULL_STATEMENT), "application/json", headers=headers
    )
    assert response.status_code == 200, response.content


@given(
    path=st.sampled_from(STATEMENT_PATHS),
    text=hostile_json_text,
    batch=st.booleans(),
)
def test_statements_never_answer_5xx_and_refusals_store_nothing(lrs, path, text, batch):
    client, headers = lrs
    statement = {**FULL_STATEMENT, "id": str(uuid.uuid4())}
    body = substitute([statement] if batch else statement, ((0,) if batch else ()) + path, text)
    before = Statement.objects.count()
    response = client.post("/xapi/statements", body, "application/json", headers=headers)
    assert response.status_code < 500, (response.status_code, body[:300])
    if response.status_code >= 400:
        assert Statement.objects.count() == before
        error = response.json()
        assert error.get("rule"), error
        json.dumps(error).encode("utf-8")


DOCUMENTS = {
    "activities/state": {
        "activityId": ACTIVITY,
        "agent": json.dumps(AGENT),
        "stateId": "s1",
        "registration": "9f1c3c3e-4a4e-4d3a-9a54-1d7d3c2b1a00",
    },
    "activities/profile": {"activityId": ACTIVITY, "profileId": "p1"},
    "agents/profile": {"agent": json.dumps(AGENT), "profileId": "p1"},
}


@st.composite
def document_requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], str, str]:
    resource = draw(st.sampled_from(sorted(DOCUMENTS)))
    params = dict(DOCUMENTS[resource])
    target = draw(st.sampled_from([*sorted(params), "body", "extra parameter"]))
    body = '{"a": 1}'
    if target == "body":
        body = draw(hostile_json_text)
    elif target == "extra parameter":
        params[draw(hostile_text)] = draw(hostile_text)
    elif target == "agent":
        params["agent"] = draw(
            st.one_of(
                hostile_json_text,
                st.builds(
                    lambda name: json.dumps(
                        {"account": {"homePage": "http://x.mx", "name": name}}, ensure_ascii=True
                    ),
                    hostile_text,
                ),
            )
        )
    else:
        params[target] = draw(st.one_of(hostile_text, hostile_json_text))
    method = draw(st.sampled_from(["put", "post", "get", "delete"]))
    content_type = draw(st.sampled_from(["application/json", "text/plain"]))
    return resource, method, params, body, content_type


@given(sent=document_requests())
def test_document_resources_never_answer_5xx_and_refusals_store_nothing(lrs, sent):
    client, headers = lrs
    resource, method, params, body, content_type = sent
    # A document to merge into, so POST exercises the merge of stored and sent JSON.
    LRSDocument.objects.all().delete()
    seeded = client.put(
        f"/xapi/{resource}?{query_string(DOCUMENTS[resource])}",
        '{"seed": 1}',
        "application/json",
        headers={**headers, "If-None-Match": "*"},
    )
    assert seeded.status_code == 204, seeded.content
    before = list(LRSDocument.objects.values_list("document_id", "content", "etag"))
    url = f"/xapi/{resource}?{query_string(params)}"
    send = getattr(client, method)
    if method in ("put", "post"):
        response = send(url, body.encode("utf-8", "surrogatepass"), content_type, headers=headers)
    else:
        response = send(url, headers=headers)
    assert response.status_code < 500, (response.status_code, method, params, body[:200])
    if response.status_code >= 400:
        after = list(LRSDocument.objects.values_list("document_id", "content", "etag"))
        assert [(i, bytes(c), e) for i, c, e in after] == [(i, bytes(c), e) for i, c, e in before]


@given(
    name=st.sampled_from(
        ["activity", "verb", "agent", "registration", "since", "limit", "statementId", "format"]
    ),
    value=st.one_of(hostile_text, hostile_json_text),
)
def test_statement_queries_never_answer_5xx(lrs, name, value):
    client, headers = lrs
    response = client.get(f"/xapi/statements?{query_string({name: value})}", headers=headers)
    assert response.status_code < 500, (response.status_code, name, value[:200])
