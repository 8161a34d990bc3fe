"""The LRS driven by a real xAPI client: tincan's RemoteLRS against a live server."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from tincan import (
    Activity,
    ActivityDefinition,
    Agent,
    Context,
    LanguageMap,
    RemoteLRS,
    Result,
    Statement,
    StatementRef,
    Verb,
)
from tincan.documents import ActivityProfileDocument, AgentProfileDocument, StateDocument

from lrs.client_services import lrs_client_create

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVITY = "http://example.com/activities/tincan-lesson"


@pytest.fixture
def lrs(live_server) -> RemoteLRS:
    client, secret = lrs_client_create(name="tincan", scopes=["all"])
    return RemoteLRS(
        endpoint=f"{live_server.url}/xapi/",
        version="1.0.3",
        username=client.key,
        password=secret,
    )


def make_statement(**kwargs) -> Statement:
    return Statement(
        actor=Agent(name="Learner", mbox="mailto:tincan@example.com"),
        verb=Verb(
            id="http://adlnet.gov/expapi/verbs/completed",
            display=LanguageMap({"en-US": "completed"}),
        ),
        object=Activity(
            id=ACTIVITY,
            definition=ActivityDefinition(name=LanguageMap({"en-US": "Lesson"})),
        ),
        **kwargs,
    )


def test_about(lrs):
    response = lrs.about()
    assert response.success
    assert "1.0.3" in response.content.version


def test_save_and_retrieve_statement(lrs):
    statement = make_statement(result=Result(completion=True, success=True))
    response = lrs.save_statement(statement)
    assert response.success, response.data
    saved_id = response.content.id
    retrieved = lrs.retrieve_statement(saved_id)
    assert retrieved.success, retrieved.data
    assert retrieved.content.id == saved_id
    assert retrieved.content.result.success is True
    assert retrieved.content.authority is not None


def test_save_statements_query_and_more(lrs):
    registration = str(uuid.uuid4())
    statements = [make_statement(context=Context(registration=registration)) for _ in range(5)]
    response = lrs.save_statements(statements)
    assert response.success, response.data
    page = lrs.query_statements({"registration": registration, "limit": 2})
    assert page.success, page.data
    seen = [s.id for s in page.content.statements]
    assert page.content.more
    while page.content.more:
        page = lrs.more_statements(page.content)
        assert page.success, page.data
        seen += [s.id for s in page.content.statements]
    assert len(seen) == 5 and len(set(seen)) == 5
    by_agent = lrs.query_statements(
        {
            "agent": Agent(mbox="mailto:tincan@example.com"),
            "verb": Verb(id="http://adlnet.gov/expapi/verbs/completed"),
            "activity": Activity(id=ACTIVITY),
        }
    )
    assert by_agent.success and len(by_agent.content.statements) == 5


def test_voiding_through_the_client(lrs):
    saved = lrs.save_statement(make_statement()).content
    voiding = Statement(
        actor=Agent(mbox="mailto:admin@example.com"),
        verb=Verb(id="http://adlnet.gov/expapi/verbs/voided"),
        object=StatementRef(id=saved.id),
    )
    assert lrs.save_statement(voiding).success
    assert not lrs.retrieve_statement(saved.id).success
    voided = lrs.retrieve_voided_statement(saved.id)
    assert voided.success and voided.content.id == saved.id


def test_state_documents(lrs):
    agent = Agent(mbox="mailto:tincan@example.com")
    activity = Activity(id=ACTIVITY)
    state = StateDocument(
        id="bookmark",
        activity=activity,
        agent=agent,
        content='{"page": 7}',
        content_type="application/json",
    )
    assert lrs.save_state(state).success
    retrieved = lrs.retrieve_state(activity, agent, "bookmark")
    assert retrieved.success, retrieved.data
    assert bytes(retrieved.content.content) == b'{"page": 7}'
    ids = lrs.retrieve_state_ids(activity, agent)
    assert ids.success and ids.content == ["bookmark"]
    assert lrs.delete_state(retrieved.content).success
    assert lrs.retrieve_state_ids(activity, agent).content == []


def test_activity_and_agent_profiles(lrs):
    activity = Activity(id=ACTIVITY)
    profile = ActivityProfileDocument(
        id="settings",
        activity=activity,
        content='{"theme": "dark"}',
        content_type="application/json",
    )
    assert lrs.save_activity_profile(profile).success
    got = lrs.retrieve_activity_profile(activity, "settings")
    assert got.success and bytes(got.content.content) == b'{"theme": "dark"}'
    # Overwriting an existing profile without If-Match is a conflict (Communication 3.1).
    # tincan does not read ETag headers back, so the test computes it: SHA-1 of the content.
    got.content.content = '{"theme": "light"}'
    conflict = lrs.save_activity_profile(got.content)
    assert not conflict.success and conflict.response.status == 409
    digest = hashlib.sha1(b'{"theme": "dark"}').hexdigest()  # noqa: S324 - the spec's ETag
    got.content.etag = f'"{digest}"'
    assert lrs.save_activity_profile(got.content).success
    assert bytes(lrs.retrieve_activity_profile(activity, "settings").content.content) == (
        b'{"theme": "light"}'
    )
    assert lrs.retrieve_activity_profile_ids(activity).content == ["settings"]

    agent = Agent(mbox="mailto:tincan@example.com")
    agent_profile = AgentProfileDocument(
        id="prefs", agent=agent, content="plain text", content_type="text/plain"
    )
    assert lrs.save_agent_profile(agent_profile).success
    fetched = lrs.retrieve_agent_profile(agent, "prefs")
    assert fetched.success and bytes(fetched.content.content) == b"plain text"
    assert lrs.delete_agent_profile(fetched.content).success
    assert lrs.retrieve_agent_profile_ids(agent).content == []


def test_wrong_credentials_fail(live_server):
    lrs = RemoteLRS(endpoint=f"{live_server.url}/xapi/", username="nobody", password="x")
    assert not lrs.save_statement(make_statement()).success
