"""A cmi5 AU runs inside a lesson page in Debian's Chromium: an AU page built here reads the
launch parameters from its URL, fetches its token, reads ``LMS.LaunchData`` and talks to our
LRS with that token. The first visit is closed midway (no ``terminated``) and the abandon sweep
closes that session; the second launch initializes, completes, passes and terminates, and the
LMS's ``satisfied`` finishes the lesson, the block's module and the course for the teacher."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from django.test import Client

from learners.models import Enrollment
from lrs import cmi5 as lrs_cmi5
from lrs.models import Cmi5Session, Statement
from packages.cmi5.tasks import abandon_stale_sessions
from packages.models import PackageUnit
from packages.services import package_import
from progress.models import CourseProgress, LessonProgress
from tests.packages import builders as b
from tests.packages.test_browser_scorm import people, publish, tab
from tests.support.browser import chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # As in test_browser_scorm.py: the live server writes while the test reads.
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writes from the live server need a real database server",
    ),
]

ADL = "http://adlnet.gov/expapi/verbs/"
AU_ID = b.BLOCK_AU_ID

# A cmi5 AU as an authoring tool's player behaves (cmi5 sections 8 to 10): everything it knows
# comes from its launch URL, the fetch URL and LMS.LaunchData. It reports what it saw in #out,
# and "Terminar" sends completed, passed (0.9 >= masteryScore) and terminated.
AU_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>AU</title></head><body>
<p id="out"></p><button id="finish">Terminar</button>
<script>
var CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
var MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
var q = new URLSearchParams(location.search);
var launch = {endpoint: q.get("endpoint"), fetch: q.get("fetch"), actor: q.get("actor"),
              registration: q.get("registration"), activityId: q.get("activityId")};
var report = {launch: launch, sent: {}};
var headers, launchData;
function show() { document.getElementById("out").textContent = JSON.stringify(report); }
function send(verb, result, extensions) {
  var context = JSON.parse(JSON.stringify(launchData.contextTemplate));
  context.registration = launch.registration;
  // cmi5 defined statements: the template plus the cmi5 category (and moveOn where due).
  context.contextActivities.category = [{id: CMI5, objectType: "Activity"}];
  if (result && ("success" in result || "completion" in result)) {
    context.contextActivities.category.push({id: MOVEON, objectType: "Activity"});
  }
  Object.assign(context.extensions, extensions || {});
  var statement = {actor: JSON.parse(launch.actor),
                   verb: {id: "http://adlnet.gov/expapi/verbs/" + verb, display: {"en-US": verb}},
                   object: {objectType: "Activity", id: launch.activityId},
                   context: context, timestamp: new Date().toISOString()};
  if (result) statement.result = result;
  return fetch(launch.endpoint + "statements", {method: "POST", headers: headers,
                                                body: JSON.stringify(statement)})
    .then(function (r) { report.sent[verb] = r.status; show(); return r.status; });
}
fetch(launch.fetch, {method: "POST"}).then(function (r) { return r.json(); }).then(function (body) {
  report.token = "auth-token" in body;
  headers = {"Authorization": "Basic " + body["auth-token"],
             "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"};
  var state = new URLSearchParams({stateId: "LMS.LaunchData", activityId: launch.activityId,
                                   agent: launch.actor, registration: launch.registration});
  return fetch(launch.endpoint + "activities/state?" + state, {headers: headers});
}).then(function (r) { return r.json(); }).then(function (data) {
  launchData = data;
  report.launchData = data;
  return send("initialized");
}).then(function () {
  report.ready = true; show();
});
document.getElementById("finish").onclick = function () {
  send("completed", {completion: true, duration: "PT2M"})
    .then(function () {
      var extensions = {};
      extensions[MASTERY] = launchData.masteryScore;
      return send("passed", {success: true, duration: "PT3M", score: {scaled: 0.9}}, extensions);
    })
    .then(function () { return send("terminated", {duration: "PT4M"}); })
    .then(function () { document.body.dataset.finished = "1"; });
};
</script></body></html>"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def au_report(page) -> dict:
    frame = page.frame_locator("iframe[name^=cmi5-]")
    frame.locator("#out").filter(has_text='"ready":true').wait_for()
    return json.loads(frame.locator("#out").inner_text())


def verbs_of(session: Cmi5Session) -> list[str]:
    """The verbs stored in a session, in the order stored."""
    rows = Statement.objects.filter(registration=session.registration).order_by("stored", "pk")
    return [
        row.verb.rsplit("/", 1)[-1]
        for row in rows
        if (row.data["context"].get("extensions") or {}).get(lrs_cmi5.SESSION_EXTENSION)
        == session.session_id
    ]


def test_a_cmi5_au_runs_in_the_lesson_is_abandoned_once_then_satisfies_the_course(
    live_server, browser, migration_data, settings
):
    author, teacher = people()
    result = package_import(upload=b.upload(b.block_au_cmi5(AU_PAGE)), user=author)
    unit = PackageUnit.objects.select_related("lesson").get(package=result.package)
    lesson = unit.lesson.specific
    publish(lesson, author)
    enrollment = Enrollment.objects.create(user=teacher, course=result.course)
    lesson_url = live_server.url + lesson.url
    activity_id = f"{lesson.activity_id}/cmi5/{unit.uuid}"

    # First visit: launch from the lesson page, initialize, then the tab is closed.
    context, page = tab(browser, live_server, teacher)
    page.goto(lesson_url)
    page.get_by_role("button", name="Iniciar «Sensores»").click()
    first = au_report(page)
    context.close()
    launch = first["launch"]
    assert launch["endpoint"] == live_server.url + "/xapi/"
    assert launch["activityId"] == activity_id and launch["activityId"] != AU_ID
    assert set(json.loads(launch["actor"])) == {"objectType", "account"}
    assert first["token"] is True and first["sent"] == {"initialized": 200}
    data = first["launchData"]
    assert data["launchMode"] == "Normal" and data["moveOn"] == "CompletedAndPassed"
    assert data["masteryScore"] == 0.7 and data["returnURL"].endswith(lesson.url)
    assert {"id": AU_ID, "objectType": "Activity"} in data["contextTemplate"]["contextActivities"][
        "grouping"
    ]
    (abandoned_session,) = Cmi5Session.objects.all()
    assert str(abandoned_session.registration) == launch["registration"]
    assert verbs_of(abandoned_session) == ["launched", "initialized"]
    # The one-time fetch URL was spent by the AU.
    reused = Client().post(launch["fetch"].removeprefix(live_server.url))
    assert reused.json()["error-code"] == "1"

    # The sweep, with a short timeout, closes the session left open.
    settings.LMS_CMI5_ABANDON_AFTER_SECONDS = 1
    time.sleep(1.2)
    assert abandon_stale_sessions() == 1
    abandoned_session.refresh_from_db()
    assert abandoned_session.state == Cmi5Session.State.ABANDONED
    assert verbs_of(abandoned_session) == ["launched", "initialized", "abandoned"]
    assert not LessonProgress.objects.filter(user=teacher, done=True).exists()

    # Second visit: a new session in the same registration, run to the end.
    context, page = tab(browser, live_server, teacher)
    page.goto(lesson_url)
    page.get_by_role("button", name="Iniciar «Sensores»").click()
    second = au_report(page)
    assert second["launch"]["registration"] == launch["registration"]
    assert second["launch"]["fetch"] != launch["fetch"]
    frame = page.frame_locator("iframe[name^=cmi5-]")
    frame.locator("#finish").click()
    frame.locator("body[data-finished]").wait_for()
    report = json.loads(frame.locator("#out").inner_text())
    context.close()
    assert report["sent"] == {
        "initialized": 200,
        "completed": 200,
        "passed": 200,
        "terminated": 200,
    }
    session = Cmi5Session.objects.exclude(pk=abandoned_session.pk).get()
    assert session.state == Cmi5Session.State.TERMINATED
    assert session.completed and session.passed
    # The LMS states satisfied as soon as passed meets the moveOn, in the AU's session.
    verbs = verbs_of(session)
    assert [verb for verb in verbs if verb != "satisfied"] == [
        "launched",
        "initialized",
        "completed",
        "passed",
        "terminated",
    ]
    assert verbs.count("satisfied") == 3
    assert verbs.index("satisfied") > verbs.index("passed")

    # satisfied: the lesson (the AU's moveOn), the block's module and the course.
    satisfied = {
        row.activity: row.data["object"].get("definition", {}).get("type")
        for row in Statement.objects.filter(verb=lrs_cmi5.SATISFIED)
    }
    module = lesson.get_parent().specific
    assert satisfied == {
        lesson.activity_id: None,
        module.activity_id: lrs_cmi5.BLOCK_TYPE,
        result.course.activity_id: lrs_cmi5.COURSE_TYPE,
    }
    # The AU's own statements are about its LMS-made activity id, never the publisher's.
    assert not Statement.objects.filter(activity=AU_ID).exists()
    assert Statement.objects.filter(activity=activity_id, verb=ADL + "passed").count() == 1

    # The teacher's progress: the lesson is done, the course is complete.
    lesson_progress = LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id)
    assert lesson_progress.done
    course_progress = CourseProgress.objects.get(user=teacher)
    assert course_progress.percent == 100 and course_progress.completed_at is not None
    me = Client()
    me.force_login(teacher)
    answer = me.get(f"/api/v1/me/progress/{result.course.pk}/").json()
    assert answer["percent"] == 100 and answer["completed"] is True
    assert [(row["activity_id"], row["progress_percent"]) for row in answer["lessons"]] == [
        (lesson.activity_id, 100)
    ]
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
