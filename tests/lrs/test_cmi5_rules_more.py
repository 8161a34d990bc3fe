"""cmi5 rules of docs/xapi.md that test_cmi5_rules.py does not reach: the verbs an AU's cmi5
defined statements may use, the Agent with an account, result.completion, a waived session
that takes nothing else, the mastery score read from a raw score, the AU's token reading its
own statements (and only them), and the token's life after ``terminated``."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lrs import cmi5
from lrs.models import Cmi5Session
from tests.lrs.test_cmi5_rules import (
    ACTOR,
    AU_ID,
    PUBLISHER_ID,
    au_client,
    au_statement,
    completed,
    failed,
    initialized,
    open_session,
    passed,
    refused,
    terminated,
)
from tests.lrs.xapi_fixtures import XAPI, make_client


@pytest.fixture
def session(db) -> Cmi5Session:
    return open_session()


@pytest.fixture
def au(session: Cmi5Session) -> XAPI:
    return au_client(session)


def test_a_defined_statement_with_a_verb_cmi5_does_not_define_is_400(session, au):
    au.store(initialized(session))
    status, body = refused(au, au_statement(session, "experienced"))
    assert (status, body["rule"]) == (400, "cmi5.verb")
    assert body["path"] == "statements[0].verb.id"
    # The same verb without the cmi5 category is a "cmi5 allowed" statement, and is stored.
    au.store(au_statement(session, "experienced", allowed=True))


def test_a_defined_statement_needs_an_agent_with_an_account(session):
    tool = XAPI(Client(), make_client()[1])
    tool.store(initialized(session))
    statement = completed(session)
    statement["actor"] = {"objectType": "Agent", "mbox": "mailto:docente@example.mx"}
    status, body = refused(tool, statement)
    assert (status, body["rule"]) == (400, "cmi5.actor.account")
    assert body["path"] == "statements[0].actor"


@pytest.mark.parametrize(
    ("make", "completion"),
    [(completed, False), (passed, True), (failed, False)],
)
def test_result_completion_is_true_in_completed_and_absent_elsewhere(session, au, make, completion):
    au.store(initialized(session))
    statement = make(session)
    statement["result"]["completion"] = completion
    status, body = refused(au, statement)
    assert (status, body["rule"]) == (400, "cmi5.result.completion")


def test_a_waived_session_takes_no_other_statement(db):
    waived = cmi5.cmi5_au_waive(
        registration=uuid.uuid4(),
        actor=ACTOR,
        activity_id=AU_ID,
        publisher_id=PUBLISHER_ID,
        move_on="Passed",
        reason="Tested Out",
    )
    tool = XAPI(Client(), make_client()[1])
    status, body = refused(tool, initialized(waived))
    assert (status, body["rule"]) == (403, "cmi5.waived_session")


def raw_score(statement: dict, raw: int) -> dict:
    statement["result"]["score"] = {"raw": raw, "min": 0, "max": 50}
    return statement


def test_the_mastery_score_is_judged_on_a_raw_score_within_min_and_max(db):
    session = open_session(mastery_score=0.8)  # 40 of 50
    api = au_client(session)
    api.store(initialized(session))
    status, body = refused(api, raw_score(passed(session), 39))
    assert (status, body["rule"]) == (403, "cmi5.mastery.passed")
    status, body = refused(api, raw_score(failed(session), 40))
    assert (status, body["rule"]) == (403, "cmi5.mastery.failed")
    api.store(raw_score(passed(session), 40))


def test_the_aus_token_reads_its_learners_statements_and_nobody_elses(session, au):
    au.store(initialized(session))
    other = {"objectType": "Agent", "account": {"homePage": "http://testserver", "name": "b-2"}}
    tool = XAPI(Client(), make_client()[1])
    tool.store(
        {
            "actor": other,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "https://example.mx/otra"},
        }
    )
    mine = au.get("statements", {"registration": str(session.registration)})
    assert mine.status_code == 200, mine.content
    verbs = {s["verb"]["id"].rsplit("/", 1)[-1] for s in mine.json()["statements"]}
    assert verbs == {"launched", "initialized"}
    theirs = au.get("statements", {"agent": json.dumps(other)})
    assert theirs.status_code == 200 and theirs.json()["statements"] == []
    everything = au.get("statements")
    assert everything.status_code == 200
    assert {s["actor"]["account"]["name"] for s in everything.json()["statements"]} == {"a-1"}


def test_the_token_outlives_terminated_by_the_grace_period_only(session, au):
    au.store(initialized(session), terminated(session, minutes=1))
    state = {
        "activityId": session.activity_id,
        "agent": json.dumps(ACTOR),
        "registration": str(session.registration),
        "stateId": "LMS.LaunchData",
    }
    # Within the grace period (60 s): an AU may still read and save after terminated.
    assert au.get("activities/state", state).status_code == 200
    Cmi5Session.objects.filter(pk=session.pk).update(
        ended_at=timezone.now() - timedelta(seconds=61)
    )
    assert au.get("activities/state", state).status_code == 401
    assert au.post("statements", [completed(session)]).status_code == 401
