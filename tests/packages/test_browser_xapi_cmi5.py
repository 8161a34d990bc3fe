"""An AU written with the cmi5 client library authoring tools and AU developers use
(``@xapi/cmi5`` 1.4.0, its published browser bundle vendored unchanged under
``fixtures/xapi-cmi5``) runs inside a lesson page in Debian's Chromium, against our LMS and LRS.

The AU calls the library as its documentation shows: ``new Cmi5()`` reads the launch
parameters, ``initialize()`` fetches the token, reads ``LMS.LaunchData`` and the learner's
``cmi5LearnerPreferences`` and sends ``initialized``; then ``progress()`` and an interaction
("cmi5 allowed" statements), ``complete()``, ``pass(score)`` and ``terminate()``. Nothing in
it knows Capacita: if our fetch URL, LRS, State or Agent Profile answered anything the
library does not expect, it would stop with an error the page shows.
Then the lesson page offers the teacher a Review launch only, and the library's own guard
refuses ``passed`` in it (our LRS refuses it too, sent by hand through the library's client
with the session's token)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from learners.models import Enrollment
from lrs import cmi5 as lrs_cmi5
from lrs.models import Cmi5Session, Statement
from packages.models import PackageUnit
from packages.services import package_import
from progress.models import CourseProgress, LessonProgress
from tests.packages import builders as b
from tests.packages.test_browser_scorm import people, publish, tab
from tests.support.browser import chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writes from the live server need a real database server",
    ),
]

ADL = "http://adlnet.gov/expapi/verbs/"
LIBRARY = Path(__file__).parent / "fixtures" / "xapi-cmi5" / "Cmi5.umd.js"

# The AU: the library's documented calls and nothing else. What each call answered goes to
# #out; a rejected promise is shown there too (``error``), so a test failure says which call.
AU_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>AU @xapi/cmi5</title>
<script src="Cmi5.umd.js"></script></head><body>
<h1>Sensores</h1><p id="out"></p><button id="finish">Terminar</button>
<button id="pass-anyway">Aprobar</button>
<script>
var report = {calls: []};
function show() { document.getElementById("out").textContent = JSON.stringify(report); }
function fail(step) {
  return function (error) {
    var response = error && error.response;
    report.error = {step: step, message: String(error && error.message),
                    status: response ? response.status : null,
                    body: response ? response.data : null};
    show();
  };
}
var cmi5 = new Cmi5();
report.launchParameters = cmi5.getLaunchParameters();
cmi5.initialize().then(function () {
  report.calls.push("initialize");
  report.launchData = cmi5.getLaunchData();
  report.learnerPreferences = cmi5.getLearnerPreferences();
  report.ready = true;
  show();
}, fail("initialize"));
document.getElementById("finish").onclick = function () {
  cmi5.progress(50)
    .then(function () { report.calls.push("progress");
                        return cmi5.interactionTrueFalse("quiz", "q1", true, true); })
    .then(function () { report.calls.push("interaction"); return cmi5.complete(); })
    .then(function () { report.calls.push("complete");
                        return cmi5.pass({scaled: 0.9, raw: 90, min: 0, max: 100}); })
    .then(function () { report.calls.push("pass"); return cmi5.terminate(); })
    .then(function () { report.calls.push("terminate"); report.finished = true; show(); },
          fail("finish"));
};
// In Review the library itself refuses pass(); the same passed statement sent through the
// library's own LRS client, with the session's token, must be refused by our LRS.
function passedByHand() {
  var data = cmi5.getLaunchData(), params = cmi5.getLaunchParameters();
  var context = JSON.parse(JSON.stringify(data.contextTemplate));
  context.registration = params.registration;
  context.contextActivities.category = [
    {id: "https://w3id.org/xapi/cmi5/context/categories/cmi5"},
    {id: "https://w3id.org/xapi/cmi5/context/categories/moveon"}];
  context.extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] =
    data.masteryScore;
  return cmi5.sendXapiStatement({
    actor: params.actor, timestamp: new Date().toISOString(), context: context,
    verb: {id: "http://adlnet.gov/expapi/verbs/passed", display: {"en-US": "passed"}},
    object: {objectType: "Activity", id: params.activityId},
    result: {success: true, duration: "PT1M", score: {scaled: 0.9}}});
}
document.getElementById("pass-anyway").onclick = function () {
  Promise.resolve().then(function () { return cmi5.pass(0.9); })
    .then(function () { report.calls.push("pass"); },
          function (error) { report.libraryRefused = String(error && error.message); })
    .then(passedByHand)
    .then(function () { report.lrs = 200; },
          function (error) { report.lrs = error.response ? error.response.status : null;
                             report.lrsRule = error.response ? error.response.data.rule : null; })
    .then(function () { return cmi5.terminate(); })
    .then(function () { report.calls.push("terminate"); report.finished = true; show(); },
          fail("terminate"));
};
</script></body></html>"""


@pytest.fixture(scope="module")
def browser():
    """Chromium treating the publisher's (routed, address-less) origin of the second test like
    any public site reaching ours: without this, its local-network rules block every request
    from it to the test server on loopback, which a real publisher and a real Capacita never
    meet. (One browser for the module: Playwright's sync API runs one at a time.)"""
    flags = ",".join(
        (
            "BlockInsecurePrivateNetworkRequests",
            "PrivateNetworkAccessRespectPreflightResults",
            "LocalNetworkAccessChecks",
        )
    )
    with chromium((f"--disable-features={flags}",)) as launched:
        yield launched


def package() -> bytes:
    with zipfile.ZipFile(io.BytesIO(b.block_au_cmi5(AU_PAGE))) as archive:
        files: dict[str, bytes | str] = {name: archive.read(name) for name in archive.namelist()}
    return b.make_zip({**files, "au/Cmi5.umd.js": LIBRARY.read_bytes()})


def au_report(page, until: str) -> dict:
    frame = page.frame_locator("iframe[name^=cmi5-]")
    out = frame.locator("#out")
    out.filter(has_text=until).or_(out.filter(has_text='"error"')).wait_for()
    return json.loads(out.inner_text())


def test_an_au_made_with_xapi_cmi5_runs_to_the_end_then_reviews_without_changing_status(
    live_server, browser, migration_data
):
    assert LIBRARY.read_text().startswith("/*!\n * @xapi/cmi5 1.4.0")
    author, teacher = people()
    result = package_import(upload=b.upload(package()), user=author)
    unit = PackageUnit.objects.select_related("lesson").get(package=result.package)
    lesson = unit.lesson.specific
    publish(lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)
    lesson_url = live_server.url + lesson.url
    activity_id = f"{lesson.activity_id}/cmi5/{unit.uuid}"

    context, page = tab(browser, live_server, teacher)
    page.goto(lesson_url)
    # A first launch is Normal: the only button starts the AU.
    assert page.get_by_role("button", name="Revisar «Sensores»").count() == 0
    page.get_by_role("button", name="Iniciar «Sensores»").click()
    report = au_report(page, '"ready":true')
    assert "error" not in report, report["error"]
    assert report["launchParameters"]["activityId"] == activity_id
    assert report["launchData"]["launchMode"] == "Normal"
    assert report["launchData"]["masteryScore"] == 0.7
    assert report["learnerPreferences"] == {
        "languagePreference": "es-MX,en-US",
        "audioPreference": "on",
    }

    frame = page.frame_locator("iframe[name^=cmi5-]")
    frame.locator("#finish").click()
    report = au_report(page, '"finished":true')
    assert "error" not in report, report["error"]
    assert report["calls"] == [
        "initialize",
        "progress",
        "interaction",
        "complete",
        "pass",
        "terminate",
    ]
    if os.environ.get("CMI5_SCREENSHOTS"):
        page.screenshot(path=os.environ["CMI5_SCREENSHOTS"] + "/xapi-cmi5-normal.png")
    context.close()

    session = Cmi5Session.objects.get()
    assert session.state == Cmi5Session.State.TERMINATED
    assert session.completed and session.passed
    (status,) = lrs_cmi5.cmi5_au_status(session.registration)
    assert status.satisfied and status.activity_id == activity_id
    # "cmi5 allowed" statements of the library: progress about the AU, answered about a
    # question under it, both in the session and without the cmi5 category.
    progressed = Statement.objects.get(verb=ADL + "progressed", activity=activity_id)
    assert (
        progressed.data["result"]["extensions"][
            "https://w3id.org/xapi/cmi5/result/extensions/progress"
        ]
        == 50
    )
    answered = Statement.objects.get(verb=ADL + "answered")
    assert answered.activity == f"{activity_id}/test/quiz/question/q1"
    for allowed in (progressed, answered):
        context = allowed.data["context"]
        assert context["extensions"][lrs_cmi5.SESSION_EXTENSION] == session.session_id
        assert lrs_cmi5.CATEGORY_CMI5 not in {
            c["id"] for c in context["contextActivities"].get("category", [])
        }
    passed = Statement.objects.get(activity=activity_id, verb=ADL + "passed")
    assert passed.data["result"]["score"] == {"scaled": 0.9, "raw": 90, "min": 0, "max": 100}
    assert passed.data["context"]["extensions"][lrs_cmi5.MASTERY_EXTENSION] == 0.7
    satisfied = set(
        Statement.objects.filter(verb=lrs_cmi5.SATISFIED).values_list("activity", flat=True)
    )
    assert lesson.activity_id in satisfied and result.course.activity_id in satisfied
    assert LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id).done
    assert CourseProgress.objects.get(user=teacher).percent == 100

    # The AU is satisfied: the lesson page now offers Review, and the AU is told so.
    context, page = tab(browser, live_server, teacher)
    page.goto(lesson_url)
    page.get_by_role("button", name="Revisar «Sensores»").click()
    report = au_report(page, '"ready":true')
    assert "error" not in report, report["error"]
    assert report["launchData"]["launchMode"] == "Review"
    frame = page.frame_locator("iframe[name^=cmi5-]")
    frame.locator("#pass-anyway").click()
    report = au_report(page, '"finished":true')
    if os.environ.get("CMI5_SCREENSHOTS"):
        page.screenshot(path=os.environ["CMI5_SCREENSHOTS"] + "/xapi-cmi5-review.png")
    context.close()
    # The library refuses passed outside Normal itself, and our LRS refuses the same
    # statement sent by hand with the session's token; terminated still ends the session.
    assert "error" not in report, report["error"]
    assert report["calls"] == ["initialize", "terminate"]
    assert "Normal" in report["libraryRefused"]
    assert (report["lrs"], report["lrsRule"]) == (403, "cmi5.launch_mode")
    review = Cmi5Session.objects.exclude(pk=session.pk).get()
    assert review.launch_mode == Cmi5Session.Mode.REVIEW
    assert review.state == Cmi5Session.State.TERMINATED
    assert not (review.completed or review.passed or review.failed)
    assert Statement.objects.filter(verb=ADL + "passed").count() == 1


# An AU hosted by its publisher on another origin (an absolute AU url in cmi5.xml, cmi5
# 13.1.4): the library must reach our fetch URL and LRS across origins. Playwright answers
# for the publisher's host, so no network is needed. Before the fetch URL answered CORS, the
# browser spent the token and hid the answer: initialize() failed with "Network Error".
REMOTE = "http://au.publisher.example"


def remote_au_package() -> bytes:
    structure = b.cmi5_xml(
        [
            b.au(
                b.BLOCK_AU_ID,
                "Sensores",
                f"{REMOTE}/sensores/index.html",
                attrs='moveOn="CompletedAndPassed" masteryScore="0.7"',
            )
        ]
    )
    return b.make_zip({"cmi5.xml": structure})


def test_an_xapi_cmi5_au_on_the_publishers_origin_reaches_our_fetch_url_and_lrs(
    live_server, browser, migration_data
):
    author, teacher = people()
    result = package_import(upload=b.upload(remote_au_package()), user=author)
    unit = PackageUnit.objects.select_related("lesson").get(package=result.package)
    assert unit.is_absolute
    lesson = unit.lesson.specific
    publish(lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)

    context, page = tab(browser, live_server, teacher)

    def publisher(route) -> None:
        if route.request.url.startswith(f"{REMOTE}/sensores/Cmi5.umd.js"):
            route.fulfill(status=200, content_type="text/javascript", body=LIBRARY.read_text())
        else:
            route.fulfill(status=200, content_type="text/html", body=AU_PAGE)

    context.route(lambda url: url.startswith(REMOTE), publisher)

    # Playwright routes no redirect hop: the launch's 302 to the publisher's host is turned
    # into a page that goes there itself (the launch and its URL are unchanged).
    def launch_hop(route) -> None:
        answer = route.fetch(max_redirects=0)
        location = answer.headers["location"]
        assert location.startswith(f"{REMOTE}/sensores/index.html?endpoint=")
        route.fulfill(
            status=200,
            content_type="text/html",
            body=f"<script>location.replace({json.dumps(location)})</script>",
        )

    context.route("**/packages/cmi5/launch/**", launch_hop)
    page.goto(live_server.url + lesson.url)
    page.get_by_role("button", name="Iniciar «Sensores»").click()
    report = au_report(page, '"ready":true')
    assert "error" not in report, report["error"]
    assert report["launchData"]["launchMode"] == "Normal"
    frame = page.frame_locator("iframe[name^=cmi5-]")
    frame.locator("#finish").click()
    report = au_report(page, '"finished":true')
    context.close()
    assert "error" not in report, report["error"]
    assert report["calls"] == [
        "initialize",
        "progress",
        "interaction",
        "complete",
        "pass",
        "terminate",
    ]
    session = Cmi5Session.objects.get()
    assert session.state == Cmi5Session.State.TERMINATED and session.passed
