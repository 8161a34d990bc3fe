"""The SCORM staff API: a learner's attempts on a lesson's SCOs, one attempt's status, and
abandoning an open attempt (the profile's terminated; the next launch starts a new attempt)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from learners.models import Enrollment
from lrs.models import LRSDocument, Statement
from packages.models import PackageUnit
from packages.scorm.models import ScormAttempt
from packages.services import package_import
from tests.packages import builders as b
from tests.packages.test_scorm_runtime import commit, open_attempt

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"
STATUS = "/api/v1/packages/scorm/status/"


@pytest.fixture
def units(author, teacher):
    from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog

    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    result = package_import(
        upload=b.upload(b.scorm2004()), user=author, mode="lesson", parent_id=module.pk
    )
    Enrollment.objects.create(user=teacher, course=result.course)
    return list(PackageUnit.objects.filter(package=result.package).order_by("order"))


@pytest.fixture
def learner(teacher) -> Client:
    client = Client()
    client.force_login(teacher)
    return client


@pytest.fixture
def staff(client, author) -> Client:
    client.force_login(author)
    return client


def finish(learner: Client, unit: PackageUnit) -> dict:
    launch = open_attempt(learner, unit)
    values = {
        "cmi.completion_status": "completed",
        "cmi.progress_measure": "1",
        "cmi.score.scaled": "0.9",
        "cmi.success_status": "passed",
        "cmi.exit": "normal",
        "cmi.session_time": "PT1M",
    }
    assert commit(learner, launch, values, terminate=True).status_code == 200
    return launch


def midway(learner: Client, unit: PackageUnit) -> dict:
    launch = open_attempt(learner, unit)
    values = {"cmi.location": "p2", "cmi.session_time": "PT30S"}
    assert commit(learner, launch, values).status_code == 200
    return launch


def test_status_lists_each_sco_with_the_learners_latest_attempt(staff, learner, teacher, units):
    first, second, _third = units
    finish(learner, first)
    open_second = midway(learner, second)
    lesson = first.lesson
    response = staff.get(STATUS, {"user": teacher.pk, "lesson": lesson.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lesson_id"] == lesson.pk and body["lesson_activity_id"] == lesson.activity_id
    assert body["completed"] is False  # the third SCO has not been played
    done, running, untouched = body["scos"]
    assert [sco["unit"] for sco in body["scos"]] == [str(u.uuid) for u in units]
    assert done["activity_id"] == f"{lesson.activity_id}/scorm/{first.uuid}"
    assert done["attempts"] == 1
    assert done["latest"] | {"registration": None, "updated_at": None} == {
        "registration": None,
        "number": 1,
        "entry": "ab-initio",
        "open": False,
        "suspended": False,
        "ended": True,
        "abandoned": False,
        "completed": True,
        "success": True,
        "score_scaled": 0.9,
        "satisfied": True,
        "location": "",
        "total_time": "PT0H1M0.00S",
        "updated_at": None,
    }
    assert running["latest"]["registration"] == open_second["attempt"]
    assert running["latest"]["open"] is True and running["latest"]["location"] == "p2"
    assert running["latest"]["satisfied"] is False and running["latest"]["success"] is None
    assert untouched["attempts"] == 0 and untouched["latest"] is None
    assert [sco["satisfied"] for sco in body["scos"]] == [True, False, False]

    one = staff.get(f"/api/v1/packages/scorm/attempts/{open_second['attempt']}/")
    assert one.status_code == 200 and one.json() == running["latest"]


def test_status_says_the_lesson_is_completed_once_every_sco_is_satisfied(
    staff, learner, teacher, units
):
    for unit in units:
        finish(learner, unit)
    body = staff.get(STATUS, {"user": teacher.pk, "lesson": units[0].lesson_id}).json()
    assert body["completed"] is True
    assert all(sco["latest"]["satisfied"] for sco in body["scos"])
    assert all(sco["satisfied"] for sco in body["scos"])
    # She goes back to the first SCO: a new attempt, not satisfied (yet); the SCO still is.
    midway(learner, units[0])
    body = staff.get(STATUS, {"user": teacher.pk, "lesson": units[0].lesson_id}).json()
    revisited = body["scos"][0]
    assert revisited["attempts"] == 2 and revisited["latest"]["satisfied"] is False
    assert revisited["satisfied"] is True and body["completed"] is True


def test_abandoning_an_open_attempt_terminates_it_and_the_next_launch_starts_anew(
    staff, learner, teacher, units
):
    launch = midway(learner, units[1])
    abandon = f"/api/v1/packages/scorm/attempts/{launch['attempt']}/abandon/"
    assert staff.post(abandon).json() == {"abandoned": True}
    assert staff.post(abandon).json() == {"abandoned": False}  # already ended
    registration = launch["attempt"]
    verbs = [
        row.verb.removeprefix(ADL)
        for row in Statement.objects.filter(registration=registration).order_by("stored", "id")
    ]
    assert verbs == ["initialized", "terminated"]
    (terminated,) = Statement.objects.filter(registration=registration, verb=ADL + "terminated")
    assert terminated.data["object"]["id"] == f"{units[1].lesson.activity_id}/scorm/{units[1].uuid}"
    assert terminated.data["result"] == {"duration": "PT0H0M30.00S"}
    assert terminated.data["actor"]["account"]["name"]  # the learner, opaque
    state = LRSDocument.objects.get(kind="state", registration=registration)
    assert b'"ended": true' in bytes(state.content)
    status = staff.get(f"/api/v1/packages/scorm/attempts/{registration}/").json()
    assert status["abandoned"] and status["ended"] and not status["open"]
    # The learner's page, still open, may no longer commit to it.
    late = commit(learner, launch, {"cmi.location": "p3"})
    assert late.status_code == 400 and late.json()["errors"][0]["rule"] == "attempt.ended"
    again = open_attempt(learner, units[1])
    assert again["number"] == 2 and again["entry"] == "ab-initio"
    assert "cmi.location" not in again["values"]  # nothing carried over from the first


def test_abandoning_an_attempt_that_committed_nothing_writes_no_statement(staff, learner, units):
    launch = open_attempt(learner, units[0])
    abandon = f"/api/v1/packages/scorm/attempts/{launch['attempt']}/abandon/"
    assert staff.post(abandon).json() == {"abandoned": True}
    assert not Statement.objects.filter(registration=launch["attempt"]).exists()
    status = staff.get(f"/api/v1/packages/scorm/attempts/{launch['attempt']}/").json()
    assert status["ended"] and status["abandoned"] and not status["open"]


def test_a_suspended_attempt_is_not_abandoned(staff, learner, units):
    launch = open_attempt(learner, units[0])
    values = {"cmi.location": "p1", "cmi.exit": "suspend", "cmi.session_time": "PT5S"}
    assert commit(learner, launch, values, terminate=True).status_code == 200
    abandon = f"/api/v1/packages/scorm/attempts/{launch['attempt']}/abandon/"
    assert staff.post(abandon).json() == {"abandoned": False}
    assert open_attempt(learner, units[0])["entry"] == "resume"


def test_status_needs_user_and_lesson_and_names_the_bad_field(staff, teacher, units):
    missing = staff.get(STATUS, {"lesson": units[0].lesson_id})
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["user"]
    bad = staff.get(STATUS, {"user": teacher.pk, "lesson": "primera"})
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["lesson"]


def test_not_found_answers(staff, teacher, author, units):
    from tests.courses.factories import LessonPageFactory

    lesson = units[0].lesson
    assert staff.get(STATUS, {"user": 999_999, "lesson": lesson.pk}).status_code == 404
    assert staff.get(STATUS, {"user": teacher.pk, "lesson": 999_999}).status_code == 404
    plain = LessonPageFactory(parent=lesson.get_parent())
    no_sco = staff.get(STATUS, {"user": teacher.pk, "lesson": plain.pk})
    assert no_sco.status_code == 404
    nobody = uuid.uuid4()
    assert staff.get(f"/api/v1/packages/scorm/attempts/{nobody}/").status_code == 404
    assert staff.post(f"/api/v1/packages/scorm/attempts/{nobody}/abandon/").status_code == 404


def test_teachers_and_anonymous_are_refused(client, learner, teacher, units):
    launch = midway(learner, units[0])
    paths = [
        ("get", STATUS + f"?user={teacher.pk}&lesson={units[0].lesson_id}"),
        ("get", f"/api/v1/packages/scorm/attempts/{launch['attempt']}/"),
        ("post", f"/api/v1/packages/scorm/attempts/{launch['attempt']}/abandon/"),
    ]
    for method, path in paths:
        assert getattr(client, method)(path).status_code in (401, 403)
        assert getattr(learner, method)(path).status_code == 403  # her own, still not staff
    assert not ScormAttempt.objects.get(uuid=launch["attempt"]).ended


def test_scorm_endpoints_are_in_the_openapi_schema(staff):
    paths = staff.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    assert "get" in paths["/api/v1/packages/scorm/status/"]
    assert "get" in paths["/api/v1/packages/scorm/attempts/{attempt}/"]
    operation = paths["/api/v1/packages/scorm/attempts/{attempt}/abandon/"]["post"]
    assert {"200", "403", "404"} <= set(operation["responses"])
