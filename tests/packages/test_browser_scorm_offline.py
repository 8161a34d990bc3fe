"""A SCORM SCO on a poor connection, in Debian's Chromium (issue 13: "a closed tab or a lost
connection loses at most the last uncommitted change"). The connection drops while the SCO
commits: once it is back, the next commit carries everything (each commit sends the whole
kept data model). And when it drops exactly at LMSFinish, the finish must still reach the
server once the connection returns while the page is open, or the learner's completion and
score are lost although the SCO told her she had finished."""

from __future__ import annotations

import pytest
from django.conf import settings

from learners.models import Enrollment
from lrs.models import Statement
from packages.models import PackageUnit
from packages.scorm.models import ScormAttempt
from packages.services import package_import
from tests.packages import builders as b
from tests.packages.test_browser_scorm import people, publish, quiet, tab
from tests.support.browser import chromium

TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writes from the live server need a real database server",
    ),
]

SCO = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<button id="save">Guardar</button><button id="finish">Terminar</button><p id="out"></p>
<script>
var api = window.parent.API;
api.LMSInitialize("");
api.LMSSetValue("cmi.core.lesson_location", "p1");
api.LMSCommit("");
var page = 1;
document.getElementById("save").onclick = function () {
  page += 1;
  api.LMSSetValue("cmi.core.lesson_location", "p" + page);
  document.getElementById("out").textContent = "commit " + api.LMSCommit("");
};
document.getElementById("finish").onclick = function () {
  api.LMSSetValue("cmi.core.score.raw", "95");
  api.LMSSetValue("cmi.core.lesson_status", "passed");
  api.LMSSetValue("cmi.core.exit", "");
  api.LMSSetValue("cmi.core.session_time", "00:05:00");
  document.getElementById("out").textContent = "finish " + api.LMSFinish("");
};
</script></body></html>"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def opened(live_server, browser):
    author, teacher = people()
    files = {"imsmanifest.xml": b.scorm12_manifest(), "sco/index.html": SCO, "sco/video.mp4": ""}
    result = package_import(upload=b.upload(b.make_zip(files)), user=author)
    unit = PackageUnit.objects.get(package=result.package)
    publish(unit.lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)
    context, page = tab(browser, live_server, teacher)
    page.goto(live_server.url + unit.lesson.specific.url)
    page.wait_for_function(
        "() => window.capacitaScorm && window.capacitaScorm.pending === 0 "
        "&& window.capacitaScorm.commits > 0"
    )
    return teacher, context, page


def idle(page) -> None:
    page.wait_for_function("() => window.capacitaScorm.pending === 0")


def test_a_commit_lost_to_the_connection_is_carried_by_the_next(
    live_server, browser, migration_data
):
    teacher, context, page = opened(live_server, browser)
    frame = page.frame_locator(".scorm-sco iframe")
    context.set_offline(True)
    frame.locator("#save").click()  # p2, its commit fails
    idle(page)
    assert page.evaluate("window.capacitaScorm.failures") >= 1
    assert ScormAttempt.objects.get(user=teacher).cmi["cmi.core.lesson_location"] == "p1"
    context.set_offline(False)
    frame.locator("#save").click()  # p3 goes, with all the rest
    idle(page)
    assert ScormAttempt.objects.get(user=teacher).cmi["cmi.core.lesson_location"] == "p3"
    context.close()


def test_a_finish_lost_to_the_connection_reaches_the_server_when_it_returns(
    live_server, browser, migration_data
):
    teacher, context, page = opened(live_server, browser)
    frame = page.frame_locator(".scorm-sco iframe")
    notice = page.locator(".scorm-sco .scorm-status")
    context.set_offline(True)
    frame.locator("#finish").click()
    frame.locator("#out").filter(has_text="finish true").wait_for()
    idle(page)
    # While it is unsent the learner is told, in the page's language, in a live region.
    assert notice.get_attribute("role") == "status"
    assert notice.inner_text() == "Sin conexión: tu avance se guardará al reconectar"
    assert not ScormAttempt.objects.get(user=teacher).ended
    context.set_offline(False)
    # The page is still open: the finish is sent again once the connection is back.
    page.wait_for_function("() => Object.keys(window.capacitaScorm.outbox).length === 0")
    idle(page)
    assert notice.inner_text() == ""
    attempt = ScormAttempt.objects.get(user=teacher)
    assert attempt.ended
    assert attempt.cmi["cmi.core.lesson_status"] == "passed"
    assert attempt.cmi["cmi.core.score.raw"] == "95"
    # Closing the tab sends nothing more (a copy would change nothing either).
    page.close(run_before_unload=True)
    quiet(lambda: ScormAttempt.objects.get(user=teacher))
    context.close()
    attempt.refresh_from_db()
    assert attempt.total_seconds == 300
    assert Statement.objects.filter(registration=attempt.uuid, verb=TERMINATED).count() == 1


def test_a_finish_still_unsent_when_the_tab_closes_leaves_as_a_beacon(
    live_server, browser, migration_data
):
    """The server is unreachable (it answers 503) when the SCO finishes, and the learner closes
    the tab before any retry gets through: the finish goes as a beacon at unload."""
    teacher, context, page = opened(live_server, browser)
    frame = page.frame_locator(".scorm-sco iframe")
    page.route("**/commit", lambda route: route.fulfill(status=503, body="{}"))
    frame.locator("#finish").click()
    frame.locator("#out").filter(has_text="finish true").wait_for()
    idle(page)
    assert page.evaluate("Object.keys(window.capacitaScorm.outbox).length") == 1
    assert not ScormAttempt.objects.get(user=teacher).ended
    # No retry before the close: only the unload's beacon can carry the finish.
    page.evaluate(
        "clearTimeout(window.capacitaScorm.retryTimer); window.capacitaScorm.retryTimer = -1"
    )
    page.unroute("**/commit")
    page.close(run_before_unload=True)
    quiet(lambda: ScormAttempt.objects.get(user=teacher))
    context.close()
    attempt = ScormAttempt.objects.get(user=teacher)
    assert attempt.ended
    assert attempt.cmi["cmi.core.lesson_status"] == "passed"
    assert attempt.total_seconds == 300
