"""A SCORM 2004 package of three SCOs imported as one lesson plays in Debian's Chromium the way
issue 13 asks: the SCOs in manifest order, a table of contents that marks the current one,
previous/next buttons (by mouse and keyboard), the SCO's own ``adl.nav.request`` continue and
previous at Terminate, and the lesson (so the course) completed once all three are satisfied.
Screenshots at 1280 px and 360 px go to ``$SCORM_SCREENSHOTS`` when it is set."""

from __future__ import annotations

import json
import os

import pytest
from django.conf import settings

from learners.models import Enrollment
from lrs.models import Statement
from packages.models import PackageUnit
from packages.scorm.models import ScormAttempt
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

# A SCO that says which one it is, asks what the LMS allows, and ends three ways: finished
# (completed, passed), or leaving for the next or the previous SCO through adl.nav.request.
SCO = """<!doctype html><html><head><meta charset="utf-8"><title>SCO</title></head><body>
<p id="out"></p>
<button id="finish">Terminar</button><button id="next">Continuar</button>
<button id="prev">Regresar</button>
<script>
var api = window.parent.API_1484_11;
var report = {init: api.Initialize(""), sco: location.pathname.split("/").slice(-2)[0]};
report.entry = api.GetValue("cmi.entry");
report.continueValid = api.GetValue("adl.nav.request_valid.continue");
report.previousValid = api.GetValue("adl.nav.request_valid.previous");
api.SetValue("cmi.location", "visto");
api.Commit("");
document.getElementById("out").textContent = JSON.stringify(report);
function done() {
  api.SetValue("cmi.score.scaled", "0.9");
  api.SetValue("cmi.progress_measure", "1");
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.success_status", "passed");
  api.SetValue("cmi.exit", "normal");
}
document.getElementById("finish").onclick = function () {
  done();
  document.body.dataset.finished = api.Terminate("");
};
document.getElementById("next").onclick = function () {
  done();
  api.SetValue("adl.nav.request", "continue");
  api.Terminate("");
};
document.getElementById("prev").onclick = function () {
  api.SetValue("cmi.exit", "suspend");
  api.SetValue("adl.nav.request", "previous");
  api.Terminate("");
};
</script></body></html>"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


SHOTS = os.environ.get("SCORM_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def three_scos() -> bytes:
    return b.make_zip(
        {
            "imsmanifest.xml": b.scorm2004_manifest(),
            "sco1/index.html": SCO,
            "sco2/index.html": SCO,
            "sco3/index.html": SCO,
            "shared/api.js": "var x = 1;",
        }
    )


def imported_lesson(author, teacher, catalog):
    from tests.courses.factories import CoursePageFactory, ModulePageFactory

    course = CoursePageFactory(parent=catalog, locale=catalog.locale)
    module = ModulePageFactory(parent=course, locale=catalog.locale)
    course.save_revision(user=author).publish(user=author)
    result = package_import(
        upload=b.upload(three_scos()), user=author, mode="lesson", parent_id=module.pk
    )
    units = list(PackageUnit.objects.filter(package=result.package).order_by("order"))
    lesson = units[0].lesson.specific
    publish(lesson, author)
    Enrollment.objects.create(user=teacher, course=course)
    return course, lesson, units


def report(page) -> dict:
    """What the SCO on show said once it had initialized."""
    frame = page.frame_locator(".scorm-sco:visible iframe")
    frame.locator("#out").filter(has_text="init").wait_for()
    return json.loads(frame.locator("#out").inner_text())


def current(page) -> str:
    return page.locator(".scorm-nav [aria-current=step]").inner_text()


def wait_current(page, title: str) -> None:
    page.wait_for_function(
        "(title) => { const c = document.querySelector('.scorm-nav [aria-current=step]');"
        " return c && c.textContent === title; }",
        arg=title,
    )


def idle(page) -> None:
    page.wait_for_function("() => window.capacitaScorm.pending === 0")


def test_three_scos_play_in_order_with_contents_previous_next_and_nav_requests(
    live_server, browser, migration_data
):
    from tests.courses.factories import spanish_catalog

    author, teacher = people()
    course, lesson, units = imported_lesson(author, teacher, spanish_catalog())
    context, page = tab(browser, live_server, teacher)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + lesson.url)

    nav = page.get_by_role("navigation", name="Contenido del paquete")
    assert nav.get_by_role("listitem").all_inner_texts() == ["SCO 1", "SCO 2", "SCO 3"]
    previous = nav.locator(".scorm-previous")
    following = nav.locator(".scorm-next")
    first = report(page)
    assert first["sco"] == "sco1" and first["entry"] == "ab-initio"
    # The LMS says where continue and previous lead: nowhere before the first SCO.
    assert first["continueValid"] == "true" and first["previousValid"] == "false"
    assert current(page) == "SCO 1" and previous.is_disabled() and following.is_enabled()
    # Its buttons tell a screen reader where they lead (the lesson pager's say it for lessons).
    assert following.get_attribute("class") == "scorm-next"
    assert nav.get_by_role("button", name="Siguiente: SCO 2", exact=True).is_visible()
    assert page.get_by_role("heading", name="Contenido del paquete").is_visible()
    assert page.locator(".scorm-sco:visible").count() == 1
    idle(page)
    shot(page, "nav-1280-sco1")

    # The SCO finishes and asks for continue at Terminate: SCO 2 plays.
    page.frame_locator(".scorm-sco:visible iframe").locator("#next").click()
    wait_current(page, "SCO 2")
    second = report(page)
    assert second["sco"] == "sco2" and second["entry"] == "ab-initio"
    assert second["continueValid"] == "true" and second["previousValid"] == "true"
    assert previous.is_enabled() and following.is_enabled()

    # SCO 2 suspends and asks for previous: SCO 1 again, as a new attempt (its first one ended).
    page.frame_locator(".scorm-sco:visible iframe").locator("#prev").click()
    wait_current(page, "SCO 1")
    again = report(page)
    assert again["sco"] == "sco1" and again["entry"] == "ab-initio"
    idle(page)

    # The keyboard: Tab to the contents' third entry and press Enter.
    third = nav.get_by_role("button", name="SCO 3")
    third.focus()
    page.keyboard.press("Enter")
    wait_current(page, "SCO 3")
    assert report(page)["continueValid"] == "false"
    assert following.is_disabled()
    assert page.evaluate("document.activeElement.textContent") == "SCO 3"
    page.frame_locator(".scorm-sco:visible iframe").locator("#finish").click()
    page.frame_locator(".scorm-sco:visible iframe").locator("body[data-finished=true]").wait_for()
    idle(page)

    # Next from SCO 2 by keyboard: focus the previous button, Enter, and SCO 2 resumes.
    previous.focus()
    page.keyboard.press("Enter")
    wait_current(page, "SCO 2")
    resumed = report(page)
    assert resumed["sco"] == "sco2" and resumed["entry"] == "resume"
    assert not Statement.objects.filter(
        activity=lesson.activity_id, verb=ADL + "completed"
    ).exists()
    # Finishing SCO 2 (continue) satisfies the last SCO the lesson waited for.
    page.frame_locator(".scorm-sco:visible iframe").locator("#next").click()
    wait_current(page, "SCO 3")
    report(page)
    idle(page)
    shot(page, "nav-1280-sco3")
    context.close()

    completed = Statement.objects.filter(activity=lesson.activity_id, verb=ADL + "completed")
    assert completed.count() == 1
    numbers = {
        unit.identifier: sorted(
            ScormAttempt.objects.filter(user=teacher, unit=unit).values_list("number", flat=True)
        )
        for unit in units
    }
    assert numbers == {"ITEM1": [1, 2], "ITEM2": [1], "ITEM3": [1, 2]}
    assert LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id).done
    progress = CourseProgress.objects.get(user=teacher, course_iri=course.activity_id)
    assert progress.percent == 100 and progress.completed_at is not None


def test_the_contents_speak_english_on_an_english_lesson_and_fit_a_phone(
    live_server, browser, migration_data
):
    from tests.courses.factories import english_catalog

    author, teacher = people()
    _course, lesson, _units = imported_lesson(author, teacher, english_catalog())
    context, page = tab(browser, live_server, teacher)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + lesson.url)
    nav = page.get_by_role("navigation", name="Package contents")
    assert nav.get_by_role("button", name="Previous").is_disabled()
    following = nav.get_by_role("button", name="Next: SCO 2", exact=True)
    report(page)
    idle(page)
    shot(page, "nav-360-en-sco1")
    following.click()
    wait_current(page, "SCO 2")
    report(page)
    idle(page)
    # Nothing of the contents or the frame runs out of a 360 px screen.
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.scorm-nav, .scorm-nav *, .scorm-sco iframe')]"
        ".filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 360
    shot(page, "nav-360-en-sco2")
    # By keyboard onto the last SCO: Next is disabled under the focus, which moves to the
    # contents' entry of the SCO now playing instead of dropping to the page's start.
    following = nav.locator(".scorm-next")
    following.focus()
    page.keyboard.press("Enter")
    wait_current(page, "SCO 3")
    assert following.is_disabled()
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "step"
    assert page.evaluate("document.activeElement.textContent") == "SCO 3"
    context.close()


def test_imported_one_sco_per_lesson_a_scos_continue_and_previous_follow_the_lessons(
    live_server, browser, migration_data
):
    """Imported as a course, each SCO is a lesson of its own, in manifest order: the SCO's
    continue (or previous) at Terminate opens the next (or previous) lesson, and the LMS tells
    it so through adl.nav.request_valid."""
    author, teacher = people()
    result = package_import(upload=b.upload(three_scos()), user=author)
    units = list(PackageUnit.objects.filter(package=result.package).order_by("order"))
    lessons = [unit.lesson.specific for unit in units]
    for lesson in lessons:
        publish(lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)
    context, page = tab(browser, live_server, teacher)
    page.goto(live_server.url + lessons[0].url)
    assert page.locator(".scorm-nav").count() == 0  # one SCO: no contents of its own
    first = report(page)
    assert first["sco"] == "sco1"
    assert first["continueValid"] == "true" and first["previousValid"] == "false"
    idle(page)
    page.frame_locator(".scorm-sco:visible iframe").locator("#next").click()
    page.wait_for_url(live_server.url + lessons[1].url)
    second = report(page)
    assert second["sco"] == "sco2" and second["previousValid"] == "true"
    idle(page)
    page.frame_locator(".scorm-sco:visible iframe").locator("#prev").click()
    page.wait_for_url(live_server.url + lessons[0].url)
    assert report(page)["sco"] == "sco1"
    context.close()
