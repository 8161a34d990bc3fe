"""The SCORM run-time's server: opening and resuming attempts, committing values, the xAPI
statements and State document each commit writes, and the errors of bad commits."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learners.models import Enrollment
from lrs.models import LRSDocument, Statement
from packages.models import PackageUnit
from packages.scorm.datamodel import SCORM12, SCORM2004, validate
from packages.scorm.models import ScormAttempt
from packages.scorm.services import sco_activity_id
from packages.scorm.statements import ATTEMPT_STATE
from packages.services import package_import
from progress.engine.facts import evidence_from
from tests.packages import builders as b

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def scorm12_unit(author, teacher):
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    Enrollment.objects.create(user=teacher, course=result.course)
    return PackageUnit.objects.get(package=result.package)


@pytest.fixture
def scorm2004_units(author, teacher):
    result = package_import(
        upload=b.upload(b.scorm2004()), user=author, mode="lesson", parent_id=_module_id(author)
    )
    Enrollment.objects.create(user=teacher, course=result.course)
    return list(PackageUnit.objects.filter(package=result.package).order_by("order"))


def _module_id(author) -> int:
    from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog

    return ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog())).pk


def open_attempt(client: Client, unit: PackageUnit) -> dict:
    response = client.post(
        f"/packages/scorm/units/{unit.uuid}/attempts",
        {"lesson": unit.lesson_id},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def commit(client: Client, launch: dict, cmi: dict, terminate: bool = False):
    return client.post(
        launch["commitUrl"], {"cmi": cmi, "terminate": terminate}, content_type="application/json"
    )


def verbs(registration: str) -> list[str]:
    rows = Statement.objects.filter(registration=registration).order_by("stored", "id")
    return [row.verb.removeprefix(ADL) for row in rows]


def statements(registration: str, verb: str) -> list[dict]:
    return [
        row.data for row in Statement.objects.filter(registration=registration, verb=ADL + verb)
    ]


def test_a_scorm12_attempt_runs_to_completion_and_is_recorded_as_xapi(
    client, teacher, scorm12_unit
):
    client.force_login(teacher)
    launch = open_attempt(client, scorm12_unit)
    assert launch["version"] == SCORM12
    assert launch["values"]["cmi.core.entry"] == "ab-initio"
    assert launch["values"]["cmi.student_data.mastery_score"] == "80"
    assert "@" not in launch["values"]["cmi.core.student_id"]
    assert commit(client, launch, {"cmi.core.lesson_location": "p1"}).status_code == 200
    cmi = {
        "cmi.core.lesson_location": "p3",
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": "90",
        "cmi.core.score.min": "0",
        "cmi.core.score.max": "100",
        "cmi.core.exit": "",
        "cmi.core.session_time": "00:01:30",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.type": "choice",
        "cmi.interactions.0.student_response": "b",
        "cmi.interactions.0.result": "correct",
    }
    response = commit(client, launch, cmi, terminate=True)
    assert response.status_code == 200 and response.json()["ended"] is True
    registration = launch["attempt"]
    assert verbs(registration) == [
        "initialized",
        "completed",
        "passed",
        "answered",
        "completed",
        "terminated",
    ]
    lesson = scorm12_unit.lesson
    sco_iri = sco_activity_id(scorm12_unit, lesson)
    (passed,) = statements(registration, "passed")
    assert passed["object"]["id"] == sco_iri
    assert passed["context"]["contextActivities"]["parent"][0]["id"] == lesson.activity_id
    assert passed["context"]["registration"] == registration
    assert passed["result"] == {
        "success": True,
        "score": {"scaled": 0.9, "raw": 90.0, "min": 0.0, "max": 100.0},
    }
    assert passed["actor"]["account"]["name"] == launch["values"]["cmi.core.student_id"]
    (answered,) = statements(registration, "answered")
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["result"] == {"response": "b", "success": True}
    (terminated,) = statements(registration, "terminated")
    assert terminated["result"]["duration"] == "PT0H1M30.00S"
    # The lesson's own completion is the progress engine's evidence; the SCO's is a part.
    lesson_completed = [
        s for s in statements(registration, "completed") if s["object"]["id"] == lesson.activity_id
    ]
    assert len(lesson_completed) == 1
    found = evidence_from(lesson_completed[0], statement_id="x", timestamp=None)  # type: ignore[arg-type]
    assert found is not None and found[0] == lesson.activity_id and found[1].on_lesson
    sco_completed = [
        s for s in statements(registration, "completed") if s["object"]["id"] == sco_iri
    ]
    assert evidence_from(sco_completed[0], statement_id="y", timestamp=None)[1].on_lesson is False  # type: ignore[arg-type,index]
    # No personal data anywhere in what was stored.
    stored = json.dumps([row.data for row in Statement.objects.all()])
    assert teacher.email not in stored


def test_the_state_document_holds_the_attempt(client, teacher, scorm12_unit):
    client.force_login(teacher)
    launch = open_attempt(client, scorm12_unit)
    commit(client, launch, {"cmi.suspend_data": "abc", "cmi.core.lesson_location": "p2"})
    document = LRSDocument.objects.get(
        kind="state", registration=launch["attempt"], document_id=ATTEMPT_STATE
    )
    assert document.activity == sco_activity_id(scorm12_unit, scorm12_unit.lesson)
    content = json.loads(bytes(document.content))
    assert content["cmi"] == {"cmi.suspend_data": "abc", "cmi.core.lesson_location": "p2"}
    assert content["attempt"] == 1 and content["ended"] is False
    assert teacher.email not in bytes(document.content).decode()


def test_a_closed_tab_resumes_with_the_saved_location_and_suspend_data(
    client, teacher, scorm12_unit
):
    client.force_login(teacher)
    first = open_attempt(client, scorm12_unit)
    commit(
        client,
        first,
        {
            "cmi.core.lesson_location": "p7",
            "cmi.suspend_data": "s=7",
            "cmi.core.lesson_status": "incomplete",
        },
    )
    # The tab closed: no LMSFinish. The next launch resumes the same attempt.
    second = open_attempt(client, scorm12_unit)
    assert second["attempt"] == first["attempt"]
    assert second["values"]["cmi.core.entry"] == "resume"
    assert second["values"]["cmi.core.lesson_location"] == "p7"
    assert second["values"]["cmi.suspend_data"] == "s=7"
    commit(client, second, {"cmi.core.lesson_status": "incomplete"})
    assert verbs(first["attempt"]) == ["initialized", "resumed"]


# What one session of each version commits beyond where the learner was: everything of it
# that persists across the sessions of an attempt.
KEPT_12 = {
    "cmi.core.lesson_location": "p4",
    "cmi.core.lesson_status": "incomplete",
    "cmi.core.score.raw": "40",
    "cmi.suspend_data": "s=4",
    "cmi.comments": "Repasar el tema 2",
    "cmi.student_preference.language": "es",
    "cmi.student_preference.audio": "50",
    "cmi.objectives.0.id": "obj-sensores",
    "cmi.objectives.0.status": "passed",
    "cmi.objectives.0.score.raw": "90",
    "cmi.interactions.0.id": "q1",
    "cmi.interactions.0.objectives.0.id": "obj-sensores",
    "cmi.interactions.0.time": "10:30:00",
    "cmi.interactions.0.type": "choice",
    "cmi.interactions.0.correct_responses.0.pattern": "b",
    "cmi.interactions.0.weighting": "1",
    "cmi.interactions.0.student_response": "a",
    "cmi.interactions.0.result": "wrong",
    "cmi.interactions.0.latency": "00:00:12",
}
KEPT_2004 = {
    "cmi.location": "slide-4",
    "cmi.completion_status": "incomplete",
    "cmi.suspend_data": "s=4",
    "cmi.progress_measure": "0.5",
    "cmi.learner_preference.audio_captioning": "1",
    "cmi.comments_from_learner.0.comment": "Repasar el tema 2",
    "cmi.comments_from_learner.0.timestamp": "2026-03-01T10:30:00",
    "cmi.objectives.0.id": "urn:capacita:obj:sensores",
    "cmi.objectives.0.success_status": "passed",
    "cmi.objectives.0.completion_status": "completed",
    "cmi.objectives.0.score.scaled": "0.9",
    "cmi.objectives.0.progress_measure": "1",
    "cmi.objectives.0.description": "Sensores",
    "cmi.interactions.0.id": "urn:capacita:q1",
    "cmi.interactions.0.type": "choice",
    "cmi.interactions.0.objectives.0.id": "urn:capacita:obj:sensores",
    "cmi.interactions.0.timestamp": "2026-03-01T10:30:00",
    "cmi.interactions.0.correct_responses.0.pattern": "b[,]c",
    "cmi.interactions.0.weighting": "2",
    "cmi.interactions.0.learner_response": "a",
    "cmi.interactions.0.result": "incorrect",
    "cmi.interactions.0.latency": "PT12S",
    "cmi.interactions.0.description": "¿Qué sensor mide distancia?",
}


@pytest.mark.parametrize("version", [SCORM12, SCORM2004])
def test_a_resumed_attempt_starts_with_all_it_kept_interactions_objectives_and_all(
    client, teacher, scorm12_unit, scorm2004_units, version
):
    """cmi.entry = resume: the run-time starts with every value the attempt's sessions kept,
    the interactions with their correct responses and objectives, the objectives, comments and
    preferences, not only the location; the State document holds them too. The ended
    session's exit and session time are not handed back."""
    client.force_login(teacher)
    unit = scorm12_unit if version == SCORM12 else scorm2004_units[0]
    kept = KEPT_12 if version == SCORM12 else KEPT_2004
    exit_key, time_key = (
        ("cmi.core.exit", "cmi.core.session_time")
        if version == SCORM12
        else ("cmi.exit", "cmi.session_time")
    )
    first = open_attempt(client, unit)
    # The browser filters the SCO's values with the patterns of what the server keeps.
    import re

    patterns = [re.compile(source) for source in first["stored"]]
    assert all(any(p.match(key) for p in patterns) for key in kept)
    assert not any(p.match("cmi.interactions._count") for p in patterns)
    session = {exit_key: "suspend", time_key: "00:01:00" if version == SCORM12 else "PT1M"}
    response = commit(client, first, {**kept, **session}, terminate=True)
    assert response.status_code == 200, response.content
    second = open_attempt(client, unit)
    assert second["attempt"] == first["attempt"]
    values = second["values"]
    assert values["cmi.core.entry" if version == SCORM12 else "cmi.entry"] == "resume"
    assert {key: values.get(key) for key in kept} == kept
    assert exit_key not in values and time_key not in values
    document = LRSDocument.objects.get(
        kind="state", registration=first["attempt"], document_id=ATTEMPT_STATE
    )
    state = json.loads(bytes(document.content))["cmi"]
    assert {key: state.get(key) for key in kept} == kept
    (answered,) = statements(first["attempt"], "answered")
    definition = answered["object"]["definition"]
    if version == SCORM2004:
        # SCORM 2004's patterns are xAPI's: the interaction's definition carries them.
        assert definition["correctResponsesPattern"] == ["b[,]c"]
        assert answered["result"] == {"response": "a", "success": False}
    else:
        assert "correctResponsesPattern" not in definition


@pytest.mark.parametrize(
    ("version", "data", "field", "rule"),
    [
        (
            SCORM2004,
            {"cmi.objectives.0.success_status": "passed"},
            "cmi.objectives.0.id",
            "objectives.id",
        ),
        (
            SCORM2004,
            {"cmi.interactions.0.id": "q", "cmi.interactions.0.objectives.0.description": "x"},
            "cmi.interactions.0.objectives.0.description",
            "element.unknown",
        ),
        (
            SCORM2004,
            {"cmi.interactions.0.id": "q", "cmi.interactions.0.correct_responses.36.pattern": "a"},
            "cmi.interactions.0.correct_responses.36.pattern",
            "collection.count",
        ),
        (SCORM2004, {"cmi.objectives.100.id": "o"}, "cmi.objectives.100.id", "collection.count"),
        (
            SCORM2004,
            {"cmi.comments_from_learner.0.timestamp": "ayer"},
            "cmi.comments_from_learner.0.timestamp",
            "type.timestamp",
        ),
        (
            SCORM2004,
            {"cmi.objectives.0.id": "o", "cmi.objectives.0.score.scaled": "2"},
            "cmi.objectives.0.score.scaled",
            "range",
        ),
        (
            SCORM12,
            {"cmi.interactions.0.id": "q", "cmi.interactions.0.time": "25:00:00"},
            "cmi.interactions.0.time",
            "type.time",
        ),
        (
            SCORM12,
            {"cmi.objectives.0.id": "o", "cmi.objectives.0.status": "done"},
            "cmi.objectives.0.status",
            "vocabulary",
        ),
        (
            SCORM12,
            {"cmi.interactions.0.id": "q", "cmi.interactions.0.objectives.0.id": "a b"},
            "cmi.interactions.0.objectives.0.id",
            "type.identifier",
        ),
        (
            SCORM12,
            {"cmi.student_preference.text": "2"},
            "cmi.student_preference.text",
            "vocabulary",
        ),
    ],
)
def test_bad_objectives_and_nested_elements_are_named_with_their_rule(version, data, field, rule):
    from common.errors import InputError

    with pytest.raises(InputError) as raised:
        validate(version, data)
    assert (raised.value.field, raised.value.rule) == (field, rule)


def test_a_suspended_attempt_resumes_and_a_finished_one_starts_anew(client, teacher, scorm12_unit):
    client.force_login(teacher)
    first = open_attempt(client, scorm12_unit)
    commit(
        client,
        first,
        {"cmi.core.exit": "suspend", "cmi.core.lesson_location": "p4"},
        terminate=True,
    )
    assert verbs(first["attempt"]) == ["initialized", "suspended"]
    second = open_attempt(client, scorm12_unit)
    assert second["attempt"] == first["attempt"] and second["values"]["cmi.core.entry"] == "resume"
    commit(
        client, second, {"cmi.core.exit": "", "cmi.core.lesson_status": "completed"}, terminate=True
    )
    third = open_attempt(client, scorm12_unit)
    assert third["attempt"] != first["attempt"] and third["number"] == 2
    assert third["values"]["cmi.core.entry"] == "ab-initio"
    assert "cmi.core.lesson_location" not in third["values"]


def test_the_beacon_form_is_accepted_with_its_csrf_token(teacher, scorm12_unit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/packages/scorm/units/{scorm12_unit.uuid}/attempts",
        json.dumps({"lesson": scorm12_unit.lesson_id}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    launch = response.json()
    payload = json.dumps({"cmi": {"cmi.core.lesson_location": "beacon"}})
    refused = client.post(launch["commitUrl"], {"payload": payload})
    assert refused.status_code == 403
    accepted = client.post(launch["commitUrl"], {"payload": payload, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 200
    assert ScormAttempt.objects.get(uuid=launch["attempt"]).cmi == {
        "cmi.core.lesson_location": "beacon"
    }


@pytest.mark.parametrize(
    ("cmi", "element", "rule"),
    [
        ({"cmi.core.lesson_status": "done"}, "cmi.core.lesson_status", "vocabulary"),
        ({"cmi.core.lesson_location": "x" * 256}, "cmi.core.lesson_location", "length"),
        ({"cmi.core.score.raw": "101"}, "cmi.core.score.raw", "range"),
        ({"cmi.core.score.raw": "ten"}, "cmi.core.score.raw", "type.decimal"),
        ({"cmi.core.session_time": "PT1M"}, "cmi.core.session_time", "type.timespan"),
        ({"cmi.suspend_data": 5}, "cmi.suspend_data", "type.string"),
        ({"cmi.core.student_name": "x"}, "cmi.core.student_name", "element.unknown"),
        ({"cmi.interactions.0.result": "correct"}, "cmi.interactions.0.id", "interactions.id"),
        ({"cmi.interactions.0.id": "a b"}, "cmi.interactions.0.id", "type.identifier"),
    ],
)
def test_bad_scorm12_values_get_400_naming_element_and_rule(
    client, teacher, scorm12_unit, cmi, element, rule
):
    client.force_login(teacher)
    launch = open_attempt(client, scorm12_unit)
    response = commit(client, launch, cmi)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": element, "rule": rule, "message": response.json()["detail"]}
    ]
    attempt = ScormAttempt.objects.get(uuid=launch["attempt"])
    assert attempt.cmi == {} and not Statement.objects.filter(registration=launch["attempt"])


def test_requests_that_are_not_allowed(client, author, teacher, scorm12_unit):
    url = f"/packages/scorm/units/{scorm12_unit.uuid}/attempts"
    body = {"lesson": scorm12_unit.lesson_id}
    assert client.post(url, body, content_type="application/json").status_code == 401
    client.force_login(teacher)
    launch = open_attempt(client, scorm12_unit)
    assert client.get(url).status_code == 405
    assert client.post(url, {"lesson": "1"}, content_type="application/json").status_code == 400
    assert client.post(url, "{", content_type="application/json").status_code == 400
    deep = client.post(
        launch["commitUrl"], "[" * 5000 + "]" * 5000, content_type="application/json"
    )
    assert deep.status_code == 400
    nul = commit(client, launch, {"cmi.suspend_data": "a\u0000b"})
    assert nul.status_code == 400 and nul.json()["errors"][0]["field"].startswith("cmi")
    bad = client.post(
        launch["commitUrl"], {"cmi": {}, "terminate": "yes"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "terminate"
    Enrollment.objects.filter(user=teacher).delete()
    assert client.post(url, body, content_type="application/json").status_code == 403
    # Someone else's attempt does not exist for them.
    client.force_login(author)
    assert commit(client, launch, {}).status_code == 404
    client.force_login(teacher)
    commit(client, launch, {}, terminate=True)
    ended = commit(client, launch, {})
    assert ended.status_code == 400 and ended.json()["errors"][0]["rule"] == "attempt.ended"


def test_a_scorm2004_multi_sco_lesson_is_completed_once_every_sco_is(
    client, teacher, scorm2004_units
):
    client.force_login(teacher)
    scos = [u for u in scorm2004_units if u.kind == PackageUnit.Kind.SCO]
    assert len(scos) == 3 and len({u.lesson_id for u in scos}) == 1
    lesson_iri = scos[0].lesson.activity_id
    for number, unit in enumerate(scos):
        launch = open_attempt(client, unit)
        assert launch["version"] == SCORM2004
        assert launch["values"]["cmi.entry"] == "ab-initio"
        assert launch["values"]["cmi.completion_threshold"] == "0.9"
        cmi = {
            "cmi.completion_status": "completed",
            "cmi.success_status": "passed",
            "cmi.score.scaled": "0.8",
            "cmi.progress_measure": "1",
            "cmi.session_time": "PT2M",
            "cmi.exit": "normal",
        }
        assert commit(client, launch, cmi, terminate=True).status_code == 200
        done = Statement.objects.filter(activity=lesson_iri, verb=ADL + "completed")
        assert done.count() == (1 if number == len(scos) - 1 else 0)
    (statement,) = statements(launch["attempt"], "passed")
    assert statement["result"]["score"] == {"scaled": 0.8}


def test_a_sco_satisfied_once_stays_satisfied_when_it_is_revisited(
    client, teacher, scorm2004_units
):
    """Going back to a finished SCO (from the contents) starts a new attempt of it, as its
    first attempt ended; the lesson still counts the first attempt's satisfaction."""
    client.force_login(teacher)
    first, second, third = scorm2004_units
    lesson_iri = first.lesson.activity_id
    done = {
        "cmi.completion_status": "completed",
        "cmi.success_status": "passed",
        "cmi.score.scaled": "0.8",
        "cmi.progress_measure": "1",
        "cmi.exit": "normal",
    }
    assert commit(client, open_attempt(client, first), done, terminate=True).status_code == 200
    revisit = open_attempt(client, first)
    assert revisit["number"] == 2 and revisit["values"]["cmi.entry"] == "ab-initio"
    commit(client, revisit, {"cmi.location": "1", "cmi.exit": "normal"}, terminate=True)
    for unit in (second, third):
        assert commit(client, open_attempt(client, unit), done, terminate=True).status_code == 200
    completed = Statement.objects.filter(activity=lesson_iri, verb=ADL + "completed")
    assert completed.count() == 1


def test_scorm2004_scores_below_the_passing_score_fail(client, teacher, scorm2004_units):
    client.force_login(teacher)
    launch = open_attempt(client, scorm2004_units[0])
    assert launch["values"]["cmi.scaled_passing_score"] == "0.6"
    commit(client, launch, {"cmi.score.scaled": "0.5", "cmi.completion_status": "completed"})
    (failed,) = statements(launch["attempt"], "failed")
    assert failed["result"]["success"] is False
    bad = commit(client, launch, {"cmi.score.scaled": "1.5"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["rule"] == "range"
    bad = commit(client, launch, {"cmi.session_time": "00:01:00"})
    assert bad.json()["errors"][0] == {
        "field": "cmi.session_time",
        "rule": "type.timeinterval",
        "message": bad.json()["detail"],
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    version=st.sampled_from([SCORM12, SCORM2004]),
    data=st.dictionaries(
        st.text(max_size=40), st.one_of(st.text(max_size=300), st.integers()), max_size=4
    ),
)
def test_validation_accepts_or_names_an_element_and_rule(version, data):
    from common.errors import InputError

    try:
        clean = validate(version, data)
    except InputError as error:
        assert error.rule and error.message
        return
    assert all(isinstance(v, str) for v in clean.values())


def _publish(lesson, user) -> None:
    for page in [*lesson.get_ancestors().specific().filter(depth__gte=3), lesson]:
        revision = page.get_latest_revision()
        if revision is not None:
            revision.publish(user=user)


@pytest.mark.parametrize(
    ("cmi", "expected"),
    [
        ({"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85"}, "done"),
        # Completed below the mastery score (80): the SCO failed, the lesson is not done.
        ({"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "50"}, "in_progress"),
        ({"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "50"}, "in_progress"),
    ],
)
def test_the_progress_engine_sees_the_lesson_done_only_when_the_sco_is_satisfied(
    client, rf, author, teacher, scorm12_unit, cmi, expected
):
    from progress.engine.pages import lesson_statuses

    _publish(scorm12_unit.lesson, author)
    client.force_login(teacher)
    launch = open_attempt(client, scorm12_unit)
    assert commit(client, launch, cmi, terminate=True).status_code == 200
    request = rf.get("/")
    request.user = teacher
    course = scorm12_unit.package.course
    course.refresh_from_db()
    statuses = lesson_statuses(request=request, course_page=course)
    assert statuses is not None
    assert statuses[scorm12_unit.lesson.activity_id] == expected


def test_the_package_api_names_the_activity_id_of_the_scos_statements(
    client, author, teacher, scorm12_unit
):
    learner = Client()
    learner.force_login(teacher)
    launch = open_attempt(learner, scorm12_unit)
    assert commit(learner, launch, {"cmi.core.lesson_status": "incomplete"}).status_code == 200
    client.force_login(author)
    body = client.get(f"/api/v1/packages/{scorm12_unit.package_id}/").json()
    (listed,) = body["units"]
    (initialized,) = statements(launch["attempt"], "initialized")
    assert listed["activity_id"] == initialized["object"]["id"]
    assert listed["activity_id"] != scorm12_unit.lesson.activity_id


def test_a_terminate_sent_again_is_accepted_and_changes_nothing(client, teacher, scorm12_unit):
    """The run-time re-sends a Terminate whose answer the connection lost (and a beacon may
    carry it once more at unload): the same values again are answered 200 and change nothing
    — no second session time, no second statement; other values for the ended attempt are
    still refused."""
    client.force_login(teacher)
    launch = open_attempt(client, scorm12_unit)
    finish = {
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": "95",
        "cmi.core.exit": "",
        "cmi.core.session_time": "00:05:00",
    }
    assert commit(client, launch, finish, terminate=True).status_code == 200
    attempt = ScormAttempt.objects.get(uuid=launch["attempt"])
    kept = (attempt.cmi, attempt.total_seconds, attempt.recorded, attempt.updated_at)
    written = verbs(launch["attempt"])
    again = commit(client, launch, finish, terminate=True)
    assert again.status_code == 200 and again.json() == {"result": "true", "ended": True}
    attempt.refresh_from_db()
    assert (attempt.cmi, attempt.total_seconds, attempt.recorded, attempt.updated_at) == kept
    assert attempt.total_seconds == 300
    assert verbs(launch["attempt"]) == written
    changed = commit(client, launch, {**finish, "cmi.core.score.raw": "40"}, terminate=True)
    assert changed.status_code == 400 and changed.json()["errors"][0]["rule"] == "attempt.ended"
    bad = commit(client, launch, {**finish, "cmi.core.score.raw": "mucho"}, terminate=True)
    assert bad.status_code == 400
    attempt.refresh_from_db()
    assert attempt.cmi["cmi.core.score.raw"] == "95"
