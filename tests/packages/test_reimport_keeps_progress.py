"""Issue 13: "re-importing a new version of the same package updates it in place and keeps
learners' progress". test_services_import.py shows the ids stay; these tests show what a
learner keeps. cmi5: a satisfied AU stays satisfied (the lesson done, Review offered) and the
next launch is in the same registration and activity id, on the new version's files; the AU's
own State documents written in an earlier session are there for a later one (how a cmi5 AU
resumes after a closed tab). SCORM: an attempt suspended in version 1 resumes after version 2
is imported, with its location and suspend data, on version 2's files."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from courses.models import LessonPage
from learners.models import Enrollment
from lrs import cmi5 as lrs_cmi5
from lrs.models import Cmi5Session
from lrs.statement_log import drain
from packages.models import PackageUnit, PackageVersion
from packages.services import package_import
from progress.models import LessonProgress
from tests.lrs.xapi_fixtures import XAPI
from tests.packages import builders as b
from tests.packages.test_cmi5_launch import (
    fetch_auth,
    launch,
    modes_offered,
    publish_tree,
    run_au_to_the_end,
)
from tests.packages.test_scorm_runtime import commit, open_attempt

pytestmark = pytest.mark.django_db


def learner_of(teacher) -> Client:
    client = Client()
    client.force_login(teacher)
    return client


def second_version_of_the_block_course() -> bytes:
    """block_au_cmi5 again, the same ids, with a new AU title and page."""
    structure = b.cmi5_xml(
        [
            b.block(
                f"{b.COURSE_ID}/block/sensores",
                "Sensores",
                [
                    b.au(
                        b.BLOCK_AU_ID,
                        "Sensores (2.ª edición)",
                        "au/index.html",
                        attrs='moveOn="CompletedAndPassed" masteryScore="0.7"',
                    )
                ],
            )
        ]
    )
    return b.make_zip({"cmi5.xml": structure, "au/index.html": "<!doctype html><title>v2</title>"})


def test_a_cmi5_learners_satisfied_au_survives_a_new_version(
    author, teacher, django_capture_on_commit_callbacks
):
    result = package_import(upload=b.upload(b.block_au_cmi5()), user=author)
    unit = PackageUnit.objects.get(package=result.package)
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    publish_tree(lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)
    learner = learner_of(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        run_au_to_the_end(learner, unit)
    drain(consumers=["progress"])
    first = Cmi5Session.objects.get()

    second = package_import(upload=b.upload(second_version_of_the_block_course()), user=author)
    assert second.version.number == 2
    publish_tree(LessonPage.objects.get(pk=unit.lesson_id), author)
    unit.refresh_from_db()
    assert unit.version_id == second.version.pk and unit.title == "Sensores (2.ª edición)"

    assert LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id).done
    (status,) = lrs_cmi5.cmi5_au_status(first.registration)
    assert status.satisfied
    assert modes_offered(learner, unit) == ["Review"]
    params = launch(learner, unit)
    assert params["registration"] == str(first.registration)
    assert params["activityId"] == first.activity_id
    assert f"/packages/{second.version.uuid}/" in params["path"]


def test_a_cmi5_aus_state_from_an_earlier_session_is_there_in_the_next(author, teacher):
    result = package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    unit = PackageUnit.objects.get(package=result.package)
    publish_tree(LessonPage.objects.get(pk=unit.lesson_id), author)
    Enrollment.objects.create(user=teacher, course=result.course)
    learner = learner_of(teacher)

    def state_params(params: dict) -> dict:
        return {
            "activityId": params["activityId"],
            "agent": params["actor"],
            "registration": params["registration"],
            "stateId": "marcador",
        }

    first = launch(learner, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), first['fetch'])}")
    assert au.put("activities/state", {"pagina": 7}, state_params(first)).status_code == 204
    # The tab closes; the next launch abandons that session and opens another.
    second = launch(learner, unit)
    assert Cmi5Session.objects.filter(state=Cmi5Session.State.ABANDONED).count() == 1
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), second['fetch'])}")
    answer = au.get("activities/state", state_params(second))
    assert answer.status_code == 200 and json.loads(answer.content) == {"pagina": 7}


def test_a_suspended_scorm_attempt_resumes_on_the_new_version(author, teacher):
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    unit = PackageUnit.objects.get(package=result.package)
    Enrollment.objects.create(user=teacher, course=result.course)
    learner = learner_of(teacher)
    first = open_attempt(learner, unit)
    values = {
        "cmi.core.lesson_location": "p5",
        "cmi.suspend_data": "s=5",
        "cmi.core.exit": "suspend",
        "cmi.core.lesson_status": "incomplete",
    }
    assert commit(learner, first, values, terminate=True).status_code == 200

    second = package_import(upload=b.upload(b.scorm12(mastery="70")), user=author)
    assert second.version.number == 2 and PackageVersion.objects.count() == 2
    unit.refresh_from_db()
    assert unit.mastery_score == 0.7

    resumed = open_attempt(learner, unit)
    assert resumed["attempt"] == first["attempt"]
    assert resumed["values"]["cmi.core.entry"] == "resume"
    assert resumed["values"]["cmi.core.lesson_location"] == "p5"
    assert resumed["values"]["cmi.suspend_data"] == "s=5"
    assert resumed["values"]["cmi.student_data.mastery_score"] == "70"
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    publish_tree(lesson, author)
    html = learner.get(lesson.url).content.decode()
    assert f"/packages/{second.version.uuid}/sco/index.html" in html
    assert f"/packages/{result.version.uuid}/" not in html
