"""Document resources (State, Activity Profile, Agent Profile) with ETags and concurrency,
and the Activities, Agents and About resources (Communication 2.3-2.7)."""

from __future__ import annotations

import hashlib
import json

import pytest

from lrs.models import LRSDocument
from tests.lrs.xapi_fixtures import ACTIVITY, new_id, statement

pytestmark = pytest.mark.django_db

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:learner@example.com"})
STATE = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}


def test_state_put_get_and_etag(xapi):
    response = xapi.put("activities/state", {"page": 3}, params=STATE)
    assert response.status_code == 204
    response = xapi.get("activities/state", STATE)
    assert response.status_code == 200
    assert response.json() == {"page": 3}
    assert response["Content-Type"] == "application/json"
    expected = hashlib.sha1(b'{"page": 3}').hexdigest()  # noqa: S324 - the spec says SHA-1
    assert response["ETag"] == f'"{expected}"'
    assert response["Last-Modified"].endswith("GMT")
    head = xapi.head("activities/state", STATE)
    assert head.status_code == 200 and head.content == b"" and head["ETag"] == response["ETag"]


def test_state_keeps_any_content_type(xapi):
    xapi.put(
        "activities/state", b"\x00\x01binary", params=STATE, content_type="application/octet-stream"
    )
    response = xapi.get("activities/state", STATE)
    assert response.content == b"\x00\x01binary"
    assert response["Content-Type"] == "application/octet-stream"


def test_state_post_merges_json_objects(xapi):
    xapi.post("activities/state", {"a": 1, "b": 1}, params=STATE)
    assert xapi.post("activities/state", {"b": 2, "c": 3}, params=STATE).status_code == 204
    assert xapi.get("activities/state", STATE).json() == {"a": 1, "b": 2, "c": 3}


def test_state_post_refuses_to_merge_non_json(xapi):
    xapi.put("activities/state", b"plain", params=STATE, content_type="text/plain")
    response = xapi.post("activities/state", {"a": 1}, params=STATE)
    assert response.status_code == 400
    xapi.put("activities/state", [1, 2], params=STATE)
    assert xapi.post("activities/state", {"a": 1}, params=STATE).status_code == 400
    assert xapi.post("activities/state", [1], params={**STATE, "stateId": "new"}).status_code == 400
    assert xapi.get("activities/state", STATE).json() == [1, 2]


def test_state_registration_separates_documents(xapi):
    registration = new_id()
    xapi.put("activities/state", {"r": 1}, params={**STATE, "registration": registration})
    assert xapi.get("activities/state", STATE).status_code == 404
    response = xapi.get("activities/state", {**STATE, "registration": registration})
    assert response.json() == {"r": 1}
    assert xapi.get("activities/state", {**STATE, "registration": "bad"}).status_code == 400


def test_state_list_with_since_and_delete_all(xapi):
    scope = {"activityId": ACTIVITY, "agent": AGENT}
    xapi.put("activities/state", {"x": 1}, params={**scope, "stateId": "one"})
    xapi.put("activities/state", {"x": 2}, params={**scope, "stateId": "two"})
    assert xapi.get("activities/state", scope).json() == ["one", "two"]
    assert xapi.get("activities/state", {**scope, "since": "2999-01-01T00:00:00Z"}).json() == []
    assert xapi.get("activities/state", {**scope, "since": "2000-01-01T00:00:00Z"}).json() == [
        "one",
        "two",
    ]
    assert xapi.delete("activities/state", {**scope, "stateId": "one"}).status_code == 204
    assert xapi.get("activities/state", scope).json() == ["two"]
    assert xapi.delete("activities/state", scope).status_code == 204
    assert xapi.get("activities/state", scope).json() == []


@pytest.mark.parametrize(
    "params",
    [
        {"agent": AGENT, "stateId": "x"},
        {"activityId": ACTIVITY, "stateId": "x"},
        {"activityId": "not iri", "agent": AGENT, "stateId": "x"},
        {"activityId": ACTIVITY, "agent": "{bad", "stateId": "x"},
        {"activityId": ACTIVITY, "agent": json.dumps({"name": "no ifi"}), "stateId": "x"},
        {"activityId": ACTIVITY, "agent": AGENT, "stateId": "x", "extra": "1"},
        {"activityId": ACTIVITY, "agent": AGENT, "stateId": "x", "since": "2020-01-01T00:00:00Z"},
    ],
)
def test_state_rejects_bad_parameters(xapi, params):
    assert xapi.get("activities/state", params).status_code == 400


def test_state_put_needs_a_state_id(xapi):
    response = xapi.put(
        "activities/state", {"a": 1}, params={"activityId": ACTIVITY, "agent": AGENT}
    )
    assert response.status_code == 400
    assert LRSDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("resource", "params"),
    [
        ("activities/profile", {"activityId": ACTIVITY, "profileId": "p"}),
        ("agents/profile", {"agent": AGENT, "profileId": "p"}),
    ],
)
def test_profiles_follow_the_concurrency_rules(xapi, resource, params):
    # Creating with If-None-Match: * works once.
    response = xapi.put(resource, {"v": 1}, params=params, headers={"If-None-Match": "*"})
    assert response.status_code == 204
    assert (
        xapi.put(resource, {"v": 0}, params=params, headers={"If-None-Match": "*"}).status_code
        == 412
    )
    etag = xapi.get(resource, params)["ETag"]
    # An unconditional PUT over an existing document is a conflict.
    assert xapi.put(resource, {"v": 2}, params=params).status_code == 409
    # A stale ETag fails; the current one succeeds.
    assert (
        xapi.put(resource, {"v": 2}, params=params, headers={"If-Match": '"stale"'}).status_code
        == 412
    )
    assert (
        xapi.put(resource, {"v": 2}, params=params, headers={"If-Match": etag}).status_code == 204
    )
    assert xapi.get(resource, params).json() == {"v": 2}
    # POST merges and honours If-Match too.
    assert (
        xapi.post(resource, {"w": 1}, params=params, headers={"If-Match": etag}).status_code == 412
    )
    assert xapi.post(resource, {"w": 1}, params=params).status_code == 204
    assert xapi.get(resource, params).json() == {"v": 2, "w": 1}
    # DELETE with a stale If-Match fails, without one succeeds.
    assert xapi.delete(resource, params, headers={"If-Match": '"stale"'}).status_code == 412
    assert xapi.delete(resource, params).status_code == 204
    assert xapi.get(resource, params).status_code == 404
    # If-Match on a missing document is a failed precondition.
    assert (
        xapi.put(resource, {"v": 3}, params=params, headers={"If-Match": etag}).status_code == 412
    )


def test_profile_lists_and_deletes_need_ids(xapi):
    xapi.put("activities/profile", {"a": 1}, params={"activityId": ACTIVITY, "profileId": "a"})
    xapi.put("activities/profile", {"a": 1}, params={"activityId": ACTIVITY, "profileId": "b"})
    assert xapi.get("activities/profile", {"activityId": ACTIVITY}).json() == ["a", "b"]
    assert xapi.delete("activities/profile", {"activityId": ACTIVITY}).status_code == 400
    assert xapi.get("agents/profile", {"agent": AGENT}).json() == []
    assert xapi.get("agents/profile", {}).status_code == 400


def test_activities_resource_returns_the_canonical_definition(xapi):
    xapi.store(statement(object={"id": ACTIVITY, "definition": {"name": {"en-US": "Lesson"}}}))
    xapi.store(
        statement(
            object={
                "id": ACTIVITY,
                "definition": {"name": {"es-MX": "Lección"}, "type": "http://e.x/t"},
            }
        )
    )
    response = xapi.get("activities", {"activityId": ACTIVITY})
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"en-US": "Lesson", "es-MX": "Lección"}, "type": "http://e.x/t"},
    }
    unknown = xapi.get("activities", {"activityId": "http://e.x/unknown"}).json()
    assert unknown == {"objectType": "Activity", "id": "http://e.x/unknown"}
    assert xapi.get("activities", {}).status_code == 400
    assert xapi.get("activities", {"activityId": "nope"}).status_code == 400


def test_agents_resource_returns_a_person(xapi):
    agent = {"objectType": "Agent", "name": "A", "mbox": "mailto:a@e.x"}
    response = xapi.get("agents", {"agent": json.dumps(agent)})
    assert response.json() == {"objectType": "Person", "name": ["A"], "mbox": ["mailto:a@e.x"]}
    assert xapi.get("agents", {"agent": json.dumps({"name": "A"})}).status_code == 400
    assert xapi.get("agents", {}).status_code == 400


def test_about_needs_no_credentials_and_lists_versions(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    body = response.json()
    assert "1.0.3" in body["version"] and "2.0.0" in body["version"]
    assert isinstance(body["extensions"], dict)
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert client.head("/xapi/about").status_code == 200
    # A 1.0.x client is shown the 1.0.x versions only (older clients reject unknown ones).
    older = client.get("/xapi/about", headers={"X-Experience-API-Version": "1.0.3"}).json()
    assert "2.0.0" not in older["version"] and "1.0.3" in older["version"]


def test_documents_need_the_state_or_profile_scope(db):
    from django.test import Client

    from tests.lrs.xapi_fixtures import XAPI, make_client

    _, auth = make_client(scopes=["statements/write"])
    api = XAPI(Client(), auth)
    assert api.get("activities/state", STATE).status_code == 403
    assert (
        api.put(
            "activities/profile", {"a": 1}, params={"activityId": ACTIVITY, "profileId": "p"}
        ).status_code
        == 403
    )
    assert api.get("agents/profile", {"agent": AGENT}).status_code == 403
    assert LRSDocument.objects.count() == 0


def test_documents_through_the_alternate_request_syntax(xapi):
    from urllib.parse import urlencode

    form = {
        "Authorization": xapi.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        **STATE,
        "content": json.dumps({"page": 9}),
    }
    response = xapi.client.post(
        "/xapi/activities/state?method=PUT",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    assert xapi.get("activities/state", STATE).json() == {"page": 9}
    form = {"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3", **STATE}
    response = xapi.client.post(
        "/xapi/activities/state?method=DELETE",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204
    assert xapi.get("activities/state", STATE).status_code == 404


def test_document_resources_answer_the_version_header_and_cors(xapi):
    response = xapi.get("activities/state", {"activityId": ACTIVITY, "agent": AGENT})
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert response["Access-Control-Allow-Origin"] == "*"
    xapi.version = ""
    assert xapi.get("activities/state", STATE).status_code == 400
