"""SCOs written the way authoring tools write them: the pipwerks SCORM API wrapper (vendored in
``fixtures/``, MIT) finds the API by walking up ``window.parent`` from a frame inside the SCO's
own frame, and, from a window the SCO opened, through ``window.top.opener``; it sets the
starting status, the exit mode at quit, and quits when its page unloads. Both SCORM versions,
in Debian's Chromium: the first session is left by closing the tab, the second resumes in a
pop-up window and completes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.conf import settings

from learners.models import Enrollment
from lrs.models import Statement
from packages.models import PackageUnit
from packages.scorm.models import ScormAttempt
from packages.services import package_import
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
WRAPPER = (Path(__file__).parent / "fixtures" / "SCORM_API_wrapper.js").read_text()

# The SCO's launch page, as tools write it: a player page that holds the content in a frame of
# its own, or, set so in the browser, opens it in a window.
LAUNCHER = """<!doctype html><html><head><meta charset="utf-8"><title>Player</title></head><body>
<button id="open">Abrir en ventana</button>
<script>
if (localStorage.getItem("player") !== "popup") {
  var frame = document.createElement("iframe");
  frame.src = "content.html";
  frame.style.width = "100%";
  document.body.appendChild(frame);
}
document.getElementById("open").onclick = function () {
  window.open("content.html", "contenido", "width=600,height=400");
};
</script></body></html>"""

# The content: pipwerks finds the API, reads where the learner was, saves as it goes.
CONTENT = """<!doctype html><html><head><meta charset="utf-8"><title>Contenido</title>
<script src="lib/SCORM_API_wrapper.js"></script></head><body>
<p id="out"></p><button id="finish">Terminar</button>
<script>
var scorm = pipwerks.SCORM;
var report = {init: scorm.init()};
var v12 = scorm.version === "1.2";
report.version = scorm.version;
report.entry = scorm.get(v12 ? "cmi.core.entry" : "cmi.entry");
report.location = scorm.get(v12 ? "cmi.core.lesson_location" : "cmi.location");
report.status = scorm.get(v12 ? "cmi.core.lesson_status" : "cmi.completion_status");
report.name = scorm.get(v12 ? "cmi.core.student_name" : "cmi.learner_name");
scorm.set(v12 ? "cmi.core.lesson_location" : "cmi.location", report.location ? "p3" : "p2");
scorm.set("cmi.suspend_data", "visto=" + (report.location ? "2" : "1"));
report.saved = scorm.save();
document.getElementById("out").textContent = JSON.stringify(report);
document.getElementById("finish").onclick = function () {
  if (v12) {
    scorm.set("cmi.core.score.raw", "95");
    scorm.set("cmi.core.lesson_status", "passed");
  } else {
    scorm.set("cmi.score.scaled", "0.95");
    scorm.set("cmi.completion_status", "completed");
    scorm.set("cmi.success_status", "passed");
  }
  document.body.dataset.quit = scorm.quit();
};
// Authoring tools quit when their page goes away (a closed tab, a closed window).
window.onunload = function () { scorm.quit(); };
</script></body></html>"""


def package(version: str) -> bytes:
    files: dict[str, bytes | str] = {
        "sco/index.html": LAUNCHER,
        "sco/content.html": CONTENT,
        "sco/lib/SCORM_API_wrapper.js": WRAPPER,
    }
    if version == "1.2":
        resources = (
            '<resource identifier="RES1" type="webcontent" adlcp:scormtype="sco" '
            'href="sco/index.html"><file href="sco/index.html"/><file href="sco/content.html"/>'
            '<file href="sco/lib/SCORM_API_wrapper.js"/></resource>'
        )
        manifest = b.scorm12_manifest(resources=resources)
    else:
        items = '<item identifier="ITEM1" identifierref="RES1"><title>Lección SCORM</title></item>'
        manifest = b.scorm2004_manifest(items=items)
        files.update({"sco1/index.html": b.PAGE, "sco2/index.html": b.PAGE})
        files.update({"sco3/index.html": b.PAGE, "shared/api.js": "var x = 1;"})
        manifest = manifest.replace(
            'href="index.html" xml:base="sco1/"', 'href="index.html" xml:base="sco/"'
        )
    files["imsmanifest.xml"] = manifest
    return b.make_zip(files)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def read(frame) -> dict:
    frame.locator("#out").filter(has_text="init").wait_for()
    return json.loads(frame.locator("#out").inner_text())


def until(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.2)
        value = check()
    return value


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_a_pipwerks_sco_finds_the_api_through_parents_and_opener_and_resumes(
    live_server, browser, migration_data, version
):
    author, teacher = people()
    result = package_import(upload=b.upload(package(version)), user=author)
    unit = PackageUnit.objects.get(package=result.package, identifier="ITEM1")
    publish(unit.lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)
    lesson_url = live_server.url + unit.lesson.specific.url
    location_key = "cmi.core.lesson_location" if version == "1.2" else "cmi.location"

    # Two frames down: content.html in the player's frame, in the lesson's SCO frame.
    context, page = tab(browser, live_server, teacher)
    page.goto(lesson_url)
    content = page.frame_locator(".scorm-sco iframe").frame_locator("iframe")
    first = read(content)
    assert first["init"] is True and first["version"] == version
    assert first["entry"] == "ab-initio" and first["location"] == ""
    # pipwerks sets a new attempt's status to incomplete at init.
    assert first["status"] == "incomplete" and first["saved"] is True
    page.wait_for_function("() => window.capacitaScorm.pending === 0")
    page.close(run_before_unload=True)  # the tab closes: pipwerks quits as its page unloads

    def get():
        return ScormAttempt.objects.get(user=teacher, unit=unit)

    assert until(lambda: get().cmi.get(location_key) == "p2")

    # The quit at unload reached the server: the attempt is suspended, with its exit mode.
    def ended():
        found = get()
        return found if found.ended else None

    attempt = until(ended)
    context.close()
    assert attempt is not None, get().cmi
    assert attempt.suspended
    assert attempt.cmi["cmi.core.exit" if version == "1.2" else "cmi.exit"] == "suspend"

    # The next visit resumes, in a pop-up window the player opens: pipwerks finds the API
    # through window.top.opener and its parents.
    context, page = tab(browser, live_server, teacher)
    context.add_init_script("localStorage.setItem('player', 'popup')")
    page.goto(live_server.url + unit.lesson.specific.url)
    player = page.frame_locator(".scorm-sco iframe")
    with context.expect_page() as opened:
        player.locator("#open").click()
    popup = opened.value
    second = read(popup)
    assert second["init"] is True and second["entry"] == "resume"
    assert second["location"] == "p2"
    assert second["status"] == "incomplete"
    popup.locator("#finish").click()
    popup.locator("body[data-quit=true]").wait_for()
    page.wait_for_function("() => window.capacitaScorm.pending === 0")
    context.close()
    attempt.refresh_from_db()
    assert attempt.ended and not attempt.suspended and attempt.number == 1
    assert attempt.cmi[location_key] == "p3"
    verbs = [
        row.verb.removeprefix(ADL)
        for row in Statement.objects.filter(registration=str(attempt.uuid)).order_by("stored")
    ]
    assert verbs[0] == "initialized" and "resumed" in verbs and "suspended" in verbs
    assert {"completed", "passed"} <= set(verbs) and verbs[-1] == "terminated"
