"""cmi5 on the LRS: sessions, the one-time fetch token, the AU's rights, the statement rules."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from lrs import cmi5
from lrs.models import Cmi5Session, LRSDocument, Statement
from tests.lrs.xapi_fixtures import XAPI, make_client

ACTOR = {"objectType": "Agent", "account": {"homePage": "http://testserver", "name": "a-1"}}
AU_ID = "http://testserver/xapi/activities/lesson/0b8f5a2e-6a43-4d1b-9f2e-5c7a9f1d2e3a/cmi5"
PUBLISHER_ID = "https://publisher.example.com/au/1"
ADL = "http://adlnet.gov/expapi/verbs/"


def open_session(**overrides: Any) -> Cmi5Session:
    values: dict[str, Any] = {
        "registration": uuid.uuid4(),
        "actor": ACTOR,
        "activity_id": AU_ID,
        "publisher_id": PUBLISHER_ID,
        "move_on": "CompletedAndPassed",
        "launch_url": "http://testserver/packages/x/index.html",
        "mastery_score": 0.8,
    }
    values.update(overrides)
    return cmi5.cmi5_session_open(**values)


def au_client(session: Cmi5Session) -> XAPI:
    token = cmi5.cmi5_fetch_token_issue(session)
    body = cmi5.cmi5_fetch_redeem(token)
    return XAPI(Client(), f"Basic {body['auth-token']}")


def au_statement(
    session: Cmi5Session,
    verb: str,
    *,
    result: dict | None = None,
    moveon: bool = False,
    allowed: bool = False,
    extensions: dict | None = None,
    minutes: int = 0,
) -> dict:
    category = [] if allowed else [{"id": cmi5.CATEGORY_CMI5}]
    if moveon:
        category.append({"id": cmi5.CATEGORY_MOVEON})
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": ACTOR,
        "verb": {"id": verb if verb.startswith("http") else ADL + verb},
        "object": {"objectType": "Activity", "id": session.activity_id},
        "timestamp": (timezone.now() + timedelta(minutes=minutes)).isoformat(),
        "context": {
            "registration": str(session.registration),
            "contextActivities": {
                "category": category,
                "grouping": [{"id": session.publisher_id}],
            },
            "extensions": {cmi5.SESSION_EXTENSION: session.session_id, **(extensions or {})},
        },
    }
    if result is not None:
        statement["result"] = result
    return statement


def initialized(session: Cmi5Session) -> dict:
    return au_statement(session, "initialized")


def passed(session: Cmi5Session, scaled: float = 0.9, **kw: Any) -> dict:
    return au_statement(
        session,
        "passed",
        moveon=True,
        result={"success": True, "duration": "PT1M", "score": {"scaled": scaled}},
        extensions={cmi5.MASTERY_EXTENSION: session.mastery_score},
        **kw,
    )


def failed(session: Cmi5Session, scaled: float = 0.2, **kw: Any) -> dict:
    return au_statement(
        session,
        "failed",
        moveon=True,
        result={"success": False, "duration": "PT1M", "score": {"scaled": scaled}},
        extensions={cmi5.MASTERY_EXTENSION: session.mastery_score},
        **kw,
    )


def completed(session: Cmi5Session, **kw: Any) -> dict:
    return au_statement(
        session, "completed", moveon=True, result={"completion": True, "duration": "PT1M"}, **kw
    )


def terminated(session: Cmi5Session, **kw: Any) -> dict:
    return au_statement(session, "terminated", result={"duration": "PT2M"}, **kw)


def refused(api: XAPI, *statements: dict) -> tuple[int, dict]:
    before = Statement.objects.count()
    response = api.post("statements", list(statements))
    assert Statement.objects.count() == before, "nothing of a refused batch is stored"
    return response.status_code, response.json()


@pytest.fixture
def session(db) -> Cmi5Session:
    return open_session()


@pytest.fixture
def au(session: Cmi5Session) -> XAPI:
    return au_client(session)


# --- opening: LaunchData and launched ------------------------------------------------------


def test_session_open_writes_launch_data_and_launched_statement(session):
    document = LRSDocument.objects.get(
        kind="state",
        document_id="LMS.LaunchData",
        activity=AU_ID,
        registration=str(session.registration),
    )
    data = json.loads(bytes(document.content))
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "CompletedAndPassed"
    assert data["masteryScore"] == 0.8
    template = data["contextTemplate"]
    assert template["extensions"][cmi5.SESSION_EXTENSION] == session.session_id
    assert template["contextActivities"]["grouping"] == [
        {"id": PUBLISHER_ID, "objectType": "Activity"}
    ]
    # No cmi5 category: AUs copy the template into their "cmi5 allowed" statements too, which
    # must not carry it (cmi5 7.1.3); the spec's sample LaunchData has none either.
    assert "category" not in template["contextActivities"]
    launched = Statement.objects.get(verb=ADL + "launched")
    context = launched.data["context"]
    assert context["extensions"][cmi5.SESSION_EXTENSION] == session.session_id
    assert context["extensions"][cmi5.LAUNCH_MODE_EXTENSION] == "Normal"
    assert context["extensions"][cmi5.MOVE_ON_EXTENSION] == "CompletedAndPassed"
    assert context["extensions"][cmi5.MASTERY_EXTENSION] == 0.8
    assert {"id": cmi5.CATEGORY_CMI5, "objectType": "Activity"} in context["contextActivities"][
        "category"
    ]
    assert launched.data["object"]["id"] == AU_ID


def test_session_open_refuses_a_mode_outside_the_vocabulary(db):
    with pytest.raises(cmi5.XAPIError) as caught:
        open_session(launch_mode="Preview")
    assert caught.value.rule == "cmi5.launch_mode.value"
    assert not Cmi5Session.objects.exists()


# --- the fetch URL -----------------------------------------------------------------------


def test_fetch_token_answers_once_then_error_code_1(session):
    token = cmi5.cmi5_fetch_token_issue(session)
    first = cmi5.cmi5_fetch_redeem(token)
    assert "auth-token" in first
    second = cmi5.cmi5_fetch_redeem(token)
    assert second["error-code"] == "1"
    assert "auth-token" not in second


def test_fetch_unknown_token_is_error_code_2(db):
    assert cmi5.cmi5_fetch_redeem("nope")["error-code"] == "2"


def test_auth_token_of_one_session_opens_no_other(session, au):
    other = open_session()
    response = au.post("statements", [initialized(other)])
    assert response.status_code == 403
    assert response.json()["rule"] in {"cmi5.au.registration", "cmi5.session_id"}


def test_forged_token_is_refused(session):
    import base64

    forged = base64.b64encode(f"cmi5.{session.session_id}:guess".encode()).decode()
    response = XAPI(Client(), f"Basic {forged}").post("statements", [initialized(session)])
    assert response.status_code == 401


# --- the AU's rights ----------------------------------------------------------------------


def _state_params(session: Cmi5Session, **extra: str) -> dict:
    return {
        "activityId": session.activity_id,
        "agent": json.dumps(ACTOR),
        "registration": str(session.registration),
        **extra,
    }


def test_au_reads_launch_data_but_may_not_change_it(session, au):
    params = _state_params(session, stateId="LMS.LaunchData")
    assert au.get("activities/state", params).status_code == 200
    response = au.put("activities/state", {"x": 1}, params)
    assert response.status_code == 403
    assert response.json()["rule"] == "cmi5.au.launch_data"
    response = au.delete("activities/state", _state_params(session))
    assert response.json()["rule"] == "cmi5.au.launch_data"


def test_au_keeps_its_own_state_documents(session, au):
    params = _state_params(session, stateId="bookmark")
    assert au.put("activities/state", {"page": 3}, params).status_code == 204


def test_au_reaches_no_other_activity_state(session, au):
    params = _state_params(session, stateId="x")
    params["activityId"] = "http://example.com/other"
    response = au.get("activities/state", params)
    assert response.status_code == 403
    assert response.json()["rule"] == "cmi5.au.state_scope"


def test_au_reads_learner_preferences_only(session, au):
    cmi5.cmi5_learner_preferences_ensure(actor=ACTOR, language="es-MX,en-US")
    params = {"agent": json.dumps(ACTOR), "profileId": "cmi5LearnerPreferences"}
    response = au.get("agents/profile", params)
    assert response.status_code == 200
    assert response.json()["languagePreference"] == "es-MX,en-US"
    assert au.put("agents/profile", {"a": 1}, params).status_code == 403
    other = {"agent": json.dumps(ACTOR), "profileId": "other"}
    assert au.get("agents/profile", other).status_code == 403
    assert au.get("activities/profile", {"activityId": AU_ID, "profileId": "p"}).status_code == 403


def test_au_may_not_store_statements_about_someone_else(session, au):
    statement = initialized(session)
    statement["actor"] = {"objectType": "Agent", "account": {"homePage": "http://x", "name": "b"}}
    status, body = refused(au, statement)
    assert status == 403
    assert body["rule"] == "learner.own_actor"


def test_au_may_not_void(session, au):
    au.store(initialized(session))
    voiding = au_statement(session, "voided")
    voiding["object"] = {"objectType": "StatementRef", "id": str(uuid.uuid4())}
    status, body = refused(au, voiding)
    assert (status, body["rule"]) == (403, "cmi5.au.no_voiding")


def test_au_may_not_state_lms_verbs(session, au):
    au.store(initialized(session))
    status, body = refused(au, au_statement(session, "https://w3id.org/xapi/adl/verbs/satisfied"))
    assert (status, body["rule"]) == (403, "cmi5.lms_verb")


# --- order ------------------------------------------------------------------------------


def test_a_normal_session_runs_initialized_passed_completed_terminated(session, au):
    au.store(initialized(session))
    au.store(au_statement(session, "experienced", allowed=True))
    au.store(passed(session), completed(session))
    au.store(terminated(session))
    session.refresh_from_db()
    assert session.state == "terminated"
    assert (session.passed, session.completed, session.failed) == (True, True, False)


def test_initialized_must_come_first(session, au):
    status, body = refused(au, au_statement(session, "experienced", allowed=True))
    assert (status, body["rule"]) == (403, "cmi5.initialized_first")
    status, body = refused(au, completed(session))
    assert (status, body["rule"]) == (403, "cmi5.initialized_first")


def test_initialized_once(session, au):
    au.store(initialized(session))
    status, body = refused(au, initialized(session))
    assert (status, body["rule"]) == (403, "cmi5.initialized_once")


def test_nothing_after_terminated(session, au):
    au.store(initialized(session))
    au.store(terminated(session))
    for statement in (completed(session), au_statement(session, "experienced", allowed=True)):
        status, body = refused(au, statement)
        assert (status, body["rule"]) == (403, "cmi5.after_terminated")


def test_batch_is_ordered_by_timestamp(session, au):
    # terminated sent first in the batch but timed last: accepted in timestamp order
    au.store(terminated(session, minutes=2), initialized(session))
    session.refresh_from_db()
    assert session.state == "terminated"


def test_a_rule_broken_late_in_a_batch_stores_nothing(session, au):
    status, body = refused(au, initialized(session), completed(session), completed(session))
    assert (status, body["rule"]) == (403, "cmi5.completed_once")
    session.refresh_from_db()
    assert session.state == "launched"


def test_completed_once_per_registration(session, au):
    au.store(initialized(session), completed(session), terminated(session, minutes=1))
    later = open_session(registration=session.registration)
    api = au_client(later)
    api.store(initialized(later))
    status, body = refused(api, completed(later))
    assert (status, body["rule"]) == (403, "cmi5.completed_once")


def test_passed_once_per_registration(session, au):
    au.store(initialized(session), passed(session), terminated(session, minutes=1))
    later = open_session(registration=session.registration)
    api = au_client(later)
    api.store(initialized(later))
    status, body = refused(api, passed(later))
    assert (status, body["rule"]) == (403, "cmi5.passed_once")
    status, body = refused(api, failed(later))
    assert (status, body["rule"]) == (403, "cmi5.failed_after_passed")


def test_one_of_passed_and_failed_per_session(session, au):
    au.store(initialized(session), failed(session))
    status, body = refused(au, passed(session))
    assert (status, body["rule"]) == (403, "cmi5.passed_failed_once")


def test_failed_then_passed_in_a_new_session(session, au):
    au.store(initialized(session), failed(session), terminated(session, minutes=1))
    later = open_session(registration=session.registration)
    api = au_client(later)
    api.store(initialized(later), passed(later))


# --- mastery score ------------------------------------------------------------------------


def test_passed_below_mastery_is_refused(session, au):
    au.store(initialized(session))
    status, body = refused(au, passed(session, scaled=0.5))
    assert (status, body["rule"]) == (403, "cmi5.mastery.passed")


def test_failed_at_mastery_is_refused(session, au):
    au.store(initialized(session))
    status, body = refused(au, failed(session, scaled=0.8))
    assert (status, body["rule"]) == (403, "cmi5.mastery.failed")


def test_passed_needs_the_mastery_extension(session, au):
    au.store(initialized(session))
    statement = passed(session)
    del statement["context"]["extensions"][cmi5.MASTERY_EXTENSION]
    status, body = refused(au, statement)
    assert (status, body["rule"]) == (400, "cmi5.context.masteryscore")


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(scaled=st.floats(min_value=0, max_value=1), mastery=st.floats(min_value=0, max_value=1))
def test_mastery_decides_which_verb_is_accepted(django_db_blocker, scaled, mastery):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            session = open_session(mastery_score=mastery)
            api = au_client(session)
            api.store(initialized(session))
            verb_ok, verb_refused = (passed, failed) if scaled >= mastery else (failed, passed)
            assert api.post("statements", [verb_refused(session, scaled=scaled)]).status_code == 403
            assert api.post("statements", [verb_ok(session, scaled=scaled)]).status_code == 200
            transaction.set_rollback(True)


# --- launch mode --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["Browse", "Review"])
@pytest.mark.parametrize("make", [passed, failed, completed])
def test_browse_and_review_sessions_may_not_change_status(db, mode, make):
    session = open_session(launch_mode=mode)
    api = au_client(session)
    api.store(initialized(session))
    status, body = refused(api, make(session))
    assert (status, body["rule"]) == (403, "cmi5.launch_mode")
    api.store(terminated(session))


# --- required shape (400) -----------------------------------------------------------------


def _without_registration(s: dict) -> None:
    s["context"]["registration"] = str(uuid.uuid4())


def _without_grouping(s: dict) -> None:
    s["context"]["contextActivities"]["grouping"] = []


def _other_object(s: dict) -> None:
    s["object"]["id"] = PUBLISHER_ID


def _score_in_completed(s: dict) -> None:
    s["result"]["score"] = {"scaled": 1}


def _no_duration(s: dict) -> None:
    del s["result"]["duration"]


def _no_moveon(s: dict) -> None:
    s["context"]["contextActivities"]["category"] = [{"id": cmi5.CATEGORY_CMI5}]


def _success_in_completed(s: dict) -> None:
    s["result"]["success"] = True


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (_without_grouping, "cmi5.context.grouping"),
        (_other_object, "cmi5.object.activity_id"),
        (_score_in_completed, "cmi5.result.score"),
        (_no_duration, "cmi5.result.duration"),
        (_no_moveon, "cmi5.context.moveon"),
        (_success_in_completed, "cmi5.result.success"),
    ],
)
def test_cmi5_defined_statements_need_their_shape(session, au, mutate, rule):
    au.store(initialized(session))
    statement = completed(session)
    mutate(statement)
    status, body = refused(au, statement)
    assert (status, body["rule"]) == (400, rule)
    assert body["path"].startswith("statements[0]")


# --- the contextTemplate (cmi5 9.6.2, section 10) --------------------------------------------

PARENT = {"id": "http://testserver/xapi/activities/lesson/5", "objectType": "Activity"}
OTHER = {"id": "https://example.mx/otra/actividad", "objectType": "Activity"}


@pytest.fixture
def templated(db) -> Cmi5Session:
    """A session whose contextTemplate holds a parent and a second grouping activity."""
    return open_session(
        context_template={"contextActivities": {"parent": [PARENT], "grouping": [OTHER]}}
    )


def with_template(statement: dict) -> dict:
    statement["context"]["contextActivities"]["parent"] = [PARENT]
    statement["context"]["contextActivities"]["grouping"].append(OTHER)
    return statement


def test_the_session_keeps_the_context_activities_of_its_launch_data(templated):
    document = LRSDocument.objects.get(kind="state", document_id="LMS.LaunchData")
    template = json.loads(bytes(document.content))["contextTemplate"]
    assert templated.context_activities == template["contextActivities"]
    assert template["contextActivities"]["parent"] == [PARENT]
    assert template["contextActivities"]["grouping"] == [
        {"id": PUBLISHER_ID, "objectType": "Activity"},
        OTHER,
    ]
    # The LMS's own statements carry the template too.
    launched = Statement.objects.get(verb=ADL + "launched").data["context"]["contextActivities"]
    assert launched["parent"] == [PARENT] and OTHER in launched["grouping"]


def test_cmi5_defined_statements_carry_every_context_activity_of_the_template(templated):
    api = au_client(templated)
    status, body = refused(api, initialized(templated))
    assert (status, body["rule"]) == (400, "cmi5.context.template")
    assert body["path"] == "statements[0].context.contextActivities.grouping"
    assert OTHER["id"] in body["error"]
    statement = with_template(initialized(templated))
    del statement["context"]["contextActivities"]["parent"]
    status, body = refused(api, statement)
    assert (status, body["rule"]) == (400, "cmi5.context.template")
    assert body["path"] == "statements[0].context.contextActivities.parent"
    assert PARENT["id"] in body["error"]
    # The AU may add activities of its own beside the template's.
    statement = with_template(initialized(templated))
    statement["context"]["contextActivities"]["parent"].append(OTHER)
    api.store(statement)
    api.store(with_template(completed(templated)))


def test_cmi5_allowed_statements_are_not_held_to_the_template(templated):
    api = au_client(templated)
    api.store(with_template(initialized(templated)))
    api.store(au_statement(templated, "experienced", allowed=True))


def test_the_publisher_grouping_is_named_before_the_rest_of_the_template(templated):
    api = au_client(templated)
    statement = with_template(initialized(templated))
    statement["context"]["contextActivities"]["grouping"] = [OTHER]
    status, body = refused(api, statement)
    assert (status, body["rule"]) == (400, "cmi5.context.grouping")


def test_registration_must_be_the_launch_registration(session):
    # An LRS client (not the AU's token) sending a statement of a known session
    tool = XAPI(Client(), make_client()[1])
    tool.store(initialized(session))
    statement = completed(session)
    _without_registration(statement)
    status, body = refused(tool, statement)
    assert (status, body["rule"]) == (400, "cmi5.context.registration")


def test_statements_without_the_session_extension_are_untouched(xapi):
    statement = {
        "actor": ACTOR,
        "verb": {"id": ADL + "completed"},
        "object": {"id": AU_ID},
        "context": {"contextActivities": {"category": [{"id": cmi5.CATEGORY_CMI5}]}},
    }
    assert xapi.post("statements", [statement, dict(statement)]).status_code == 200


def test_unknown_session_ids_are_not_ours(xapi):
    statement = au_statement(open_session(), "completed")
    statement["context"]["extensions"][cmi5.SESSION_EXTENSION] = "not-a-session"
    assert xapi.post("statements", [statement]).status_code == 200


# --- abandoned, waived, satisfied ---------------------------------------------------------


def test_abandon_writes_one_abandoned_and_closes_the_session(session, au):
    au.store(initialized(session))
    assert cmi5.cmi5_session_abandon(session.session_id) is True
    assert cmi5.cmi5_session_abandon(session.session_id) is False
    abandoned = Statement.objects.filter(verb=cmi5.ABANDONED)
    assert abandoned.count() == 1
    assert abandoned.get().data["result"]["duration"].startswith("PT")
    session.refresh_from_db()
    assert session.state == "abandoned"
    # the token died with the session
    assert au.post("statements", [terminated(session)]).status_code == 401


def test_no_statement_after_abandoned_from_any_client(session):
    cmi5.cmi5_session_abandon(session.session_id)
    tool = XAPI(Client(), make_client()[1])
    status, body = refused(tool, initialized(session))
    assert (status, body["rule"]) == (403, "cmi5.after_abandoned")


def test_stale_sessions_are_abandoned_by_the_sweep(db):
    stale = open_session()
    fresh = open_session()
    Cmi5Session.objects.filter(pk=stale.pk).update(
        last_activity_at=timezone.now() - timedelta(hours=5)
    )
    assert cmi5.cmi5_sessions_abandon_stale(idle=timedelta(hours=1)) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, fresh.state) == ("abandoned", "launched")


def test_waive_once_per_registration(db):
    registration = uuid.uuid4()
    kwargs = {
        "registration": registration,
        "actor": ACTOR,
        "activity_id": AU_ID,
        "publisher_id": PUBLISHER_ID,
        "move_on": "Passed",
    }
    waived = cmi5.cmi5_au_waive(**kwargs, reason="Administrative")
    statement = Statement.objects.get(verb=cmi5.WAIVED).data
    assert statement["result"]["extensions"][cmi5.REASON_EXTENSION] == "Administrative"
    assert statement["result"]["success"] is True
    assert statement["context"]["extensions"][cmi5.SESSION_EXTENSION] == waived.session_id
    with pytest.raises(cmi5.XAPIError) as caught:
        cmi5.cmi5_au_waive(**kwargs, reason="Administrative")
    assert caught.value.status == 409
    with pytest.raises(cmi5.XAPIError) as caught:
        cmi5.cmi5_au_waive(**{**kwargs, "registration": uuid.uuid4()}, reason="Because")
    assert caught.value.rule == "cmi5.waive.reason"
    (status,) = cmi5.cmi5_au_status(registration)
    assert status.satisfied and status.waived


@pytest.mark.parametrize(
    ("move_on", "completed_", "passed_", "met"),
    [
        ("Passed", True, False, False),
        ("Passed", False, True, True),
        ("Completed", True, False, True),
        ("CompletedAndPassed", True, False, False),
        ("CompletedAndPassed", True, True, True),
        ("CompletedOrPassed", False, True, True),
        ("CompletedOrPassed", False, False, False),
        ("NotApplicable", False, False, True),
    ],
)
def test_move_on_values(move_on, completed_, passed_, met):
    assert cmi5.move_on_met(move_on, completed=completed_, passed=passed_, waived=False) is met


def test_status_change_signal_is_sent_with_the_session(session, au):
    seen: list = []

    def receiver(sessions, **kwargs):
        seen.extend(s.session_id for s in sessions)

    cmi5.cmi5_session_status_changed.connect(receiver)
    try:
        au.store(initialized(session))
    finally:
        cmi5.cmi5_session_status_changed.disconnect(receiver)
    assert seen == [session.session_id]


def test_a_new_launch_in_the_registration_abandons_the_open_session(session, au):
    au.store(initialized(session))
    later = open_session(registration=session.registration, activity_id=AU_ID + "-2")
    session.refresh_from_db()
    assert session.state == "abandoned"
    assert later.state == "launched"
    assert Statement.objects.filter(verb=cmi5.ABANDONED).count() == 1


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
_PLACES = [
    ("context", "extensions", cmi5.SESSION_EXTENSION),
    ("context", "contextActivities", "category"),
    ("context", "contextActivities", "grouping"),
    ("context", "extensions", cmi5.MASTERY_EXTENSION),
    ("result", "score"),
    ("result", "success"),
    ("result", "completion"),
    ("result", "duration"),
    ("object", "id"),
    ("verb", "id"),
]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(place=st.sampled_from(_PLACES), value=_json, verb=st.sampled_from(["passed", "failed"]))
def test_any_value_anywhere_in_a_cmi5_statement_is_never_a_5xx(
    django_db_blocker, place, value, verb
):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            session = open_session()
            api = au_client(session)
            api.store(initialized(session))
            statement = (passed if verb == "passed" else failed)(session)
            target = statement
            for key in place[:-1]:
                target = target.setdefault(key, {})
            target[place[-1]] = value
            response = api.post("statements", [statement])
            assert response.status_code in (200, 400, 403), response.content
            if response.status_code != 200:
                assert response.json().get("rule")
            transaction.set_rollback(True)
