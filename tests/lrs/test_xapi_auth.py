"""Access to the LRS: per-client HTTP Basic credentials with scopes, learner sessions, the
client admin and the lrs_client command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from lrs.auth import hash_secret
from lrs.identity import learner_actor, learner_user_for_actor
from lrs.models import LearnerIdentity, LRSClient, Statement
from tests.lrs.xapi_fixtures import ACTIVITY, XAPI, make_client, statement

pytestmark = pytest.mark.django_db


def api_with(scopes: list[str]) -> XAPI:
    client, auth = make_client(scopes=scopes)
    api = XAPI(Client(), auth)
    api.lrs_client = client
    return api


# --- clients and scopes -----------------------------------------------------------------------


def test_secrets_are_stored_hashed_with_a_fast_keyed_hash():
    client, _ = make_client()
    assert len(client.secret_hash) == 64
    assert int(client.secret_hash, 16) >= 0  # a hex HMAC-SHA256 digest, not a password hash
    assert client.secret_hash != hash_secret("another secret")


def test_inactive_clients_are_refused(xapi):
    assert xapi.get("statements").status_code == 200  # now cached by this process
    client = LRSClient.objects.get(pk=xapi.lrs_client.pk)
    client.active = False
    client.save()  # as the admin does: the cache forgets the client at once
    assert xapi.get("statements").status_code == 401


def test_write_scope_cannot_read_and_read_scope_cannot_write():
    writer = api_with(["statements/write"])
    reader = api_with(["statements/read"])
    assert writer.post("statements", statement()).status_code == 200
    assert writer.get("statements").status_code == 403
    assert reader.post("statements", statement()).status_code == 403
    assert len(reader.get("statements").json()["statements"]) == 1
    assert Statement.objects.count() == 1


def test_read_mine_sees_only_the_clients_own_statements():
    mine = api_with(["statements/write", "statements/read/mine"])
    other = api_with(["statements/write"])
    own_id = mine.store(statement())[0]
    other_id = other.store(statement())[0]
    ids = [s["id"] for s in mine.get("statements").json()["statements"]]
    assert ids == [own_id]
    assert mine.get("statements", {"statementId": other_id}).status_code == 404
    assert mine.get("statements", {"statementId": own_id}).status_code == 200


def test_define_scope_controls_canonical_definitions():
    plain = api_with(["statements/write", "statements/read"])
    plain.store(statement(object={"id": ACTIVITY, "definition": {"name": {"en": "Untrusted"}}}))
    assert "definition" not in plain.get("activities", {"activityId": ACTIVITY}).json()
    definer = api_with(["statements/write", "define", "statements/read"])
    definer.store(statement(object={"id": ACTIVITY, "definition": {"name": {"en": "Trusted"}}}))
    assert plain.get("activities", {"activityId": ACTIVITY}).json()["definition"] == {
        "name": {"en": "Trusted"}
    }


# --- learners (session) ----------------------------------------------------------------------


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user(
        username="maestra", email="maestra@example.com", password="x", first_name="Ana"
    )


@pytest.fixture
def learner_api(learner) -> XAPI:
    client = Client()
    client.force_login(learner)
    return XAPI(client, None)


def test_learner_actor_is_an_opaque_account_created_once(learner, settings):
    actor = learner_actor(user=learner)
    assert actor["objectType"] == "Agent"
    assert actor["account"]["homePage"] == settings.LMS_SITE_URL
    name = actor["account"]["name"]
    assert learner.username not in name and "maestra" not in json.dumps(actor)
    assert learner_actor(user=learner) == actor
    assert LearnerIdentity.objects.filter(user=learner).count() == 1
    assert learner_user_for_actor(actor=actor) == learner
    assert learner_user_for_actor(actor={"mbox": "mailto:maestra@example.com"}) is None
    other_home = {"account": {"homePage": "http://elsewhere", "name": name}}
    assert learner_user_for_actor(actor=other_home) is None


def test_learner_writes_statements_about_themselves_only(learner, learner_api):
    actor = learner_actor(user=learner)
    assert learner_api.post("statements", statement(actor=actor)).status_code == 200
    response = learner_api.post("statements", statement(actor={"mbox": "mailto:x@e.x"}))
    assert response.status_code == 403
    named = {**actor, "name": "Ana"}
    assert learner_api.post("statements", statement(actor=named)).status_code == 403
    assert Statement.objects.count() == 1
    assert Statement.objects.get().user_id == learner.pk


def test_learner_reads_only_their_own_statements(learner, learner_api, xapi):
    actor = learner_actor(user=learner)
    own = learner_api.store(statement(actor=actor))[0]
    foreign = xapi.store(statement())[0]
    # About the learner but by someone else: as the object, and as the instructor.
    xapi.store(statement(object=actor))
    xapi.store(statement(context={"instructor": actor}))
    ids = [s["id"] for s in learner_api.get("statements").json()["statements"]]
    assert ids == [own]
    assert learner_api.get("statements", {"statementId": foreign}).status_code == 404


def test_learner_state_is_limited_to_their_own_agent(learner, learner_api):
    agent = json.dumps(learner_actor(user=learner))
    params = {"activityId": ACTIVITY, "agent": agent, "stateId": "s"}
    assert learner_api.put("activities/state", {"a": 1}, params=params).status_code == 204
    other = {**params, "agent": json.dumps({"mbox": "mailto:x@e.x"})}
    assert learner_api.get("activities/state", other).status_code == 403
    assert (
        learner_api.put(
            "activities/profile", {"a": 1}, params={"activityId": ACTIVITY, "profileId": "p"}
        ).status_code
        == 403
    )


def test_learner_writes_need_the_csrf_token(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    api = XAPI(client, None)
    actor = learner_actor(user=learner)
    response = api.post("statements", statement(actor=actor))
    assert response.status_code == 403
    assert response.json()["rule"] == "csrf"
    client.get("/xapi/about")  # no token issued here; fetch one the Django way
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = api.post("statements", statement(actor=actor), headers={"X-CSRFToken": token})
    assert response.status_code == 200


# --- the lrs_client command and the admin -----------------------------------------------------


def test_lrs_client_command_prints_credentials_as_json_on_the_last_line():
    out = io.StringIO()
    call_command(
        "lrs_client",
        "create",
        "Articulate",
        "--scope",
        "statements/write",
        "--scope",
        "state",
        stdout=out,
    )
    credentials = json.loads(out.getvalue().strip().splitlines()[-1])
    client = LRSClient.objects.get(key=credentials["key"])
    assert client.name == "Articulate"
    assert client.scopes == ["state", "statements/write"]
    assert client.secret_hash == hash_secret(credentials["secret"])
    assert credentials["secret"] not in client.secret_hash
    import base64

    auth = base64.b64encode(f"{credentials['key']}:{credentials['secret']}".encode()).decode()
    api = XAPI(Client(), f"Basic {auth}")
    assert api.post("statements", statement()).status_code == 200


def test_lrs_client_command_defaults_to_all_and_rejects_unknown_scopes():
    out = io.StringIO()
    call_command("lrs_client", "create", "Tool", stdout=out)
    key = json.loads(out.getvalue().strip().splitlines()[-1])["key"]
    assert LRSClient.objects.get(key=key).scopes == ["all"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("lrs_client", "create", "Tool", "--scope", "everything", stderr=io.StringIO())


@pytest.mark.wagtail_admin
def test_admin_lists_and_creates_clients_showing_the_secret_once(admin_client):
    make_client(name="Existing tool")
    response = admin_client.get("/admin/snippets/lrs/lrsclient/")
    assert response.status_code == 200
    assert b"Existing tool" in response.content
    response = admin_client.post(
        "/admin/snippets/lrs/lrsclient/add/",
        {"name": "H5P", "scopes": ["statements/write", "state"], "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    client = LRSClient.objects.get(name="H5P")
    assert set(client.scopes) == {"statements/write", "state"}
    assert len(client.key) == 32 and len(client.secret_hash) == 64
    messages = [str(m) for m in response.context["messages"]]
    assert any(client.key in m for m in messages)


@pytest.mark.wagtail_admin
def test_admin_is_closed_to_anonymous_users(client):
    response = client.get("/admin/snippets/lrs/lrsclient/")
    assert response.status_code == 302
