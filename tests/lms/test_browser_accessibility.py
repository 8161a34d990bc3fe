"""Accessibility sweep: axe-core on every learner-facing page, on a phone and on a desktop.

Each page is loaded in Debian's Chromium at 360 px and at 1280 px, in Spanish and (where the
page exists in both) in English, with the data a real teacher would see: an enrolled teacher
with progress, an issued credential and a revoked one. No page may have a serious or critical
axe-core violation (tests/support/axe.py prints each rule with its targets when one does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from wagtail.models import Locale

from courses.models import CoursePage, LessonPage, ModulePage
from courses.selectors import course_outline
from credentials import services as credential_services
from learners.models import Enrollment
from tests.courses import factories as course_factories
from tests.credentials.factories import AchievementFactory, IssuerFactory
from tests.learners.learners_factories import TeacherProfileFactory, UserFactory, seed_subsystems
from tests.progress.engine_support import lesson_statement, store
from tests.support.axe import (
    assert_no_serious_violations,
    axe_violations,
    format_violations,
    serious_violations,
)
from tests.support.browser import chromium

# Playwright's sync API runs an event loop in this thread; the live server is another one.

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def browser():
    """One browser for the module: the sweep opens many pages."""
    with chromium() as launched:
        yield launched


@dataclass
class World:
    """The pages' data: what one enrolled teacher with progress and two badges would see."""

    session: str
    course: CoursePage
    lesson: LessonPage
    course_en: CoursePage
    lesson_en: LessonPage
    issued_uuid: str
    revoked_uuid: str


def _translate(page, english: Locale):
    translated = page.copy_for_translation(english)
    translated.title = f"{page.title} (EN)"
    translated.save_revision().publish()
    return translated.specific


@pytest.fixture
def world(live_server, migration_data) -> World:
    seed_subsystems()
    course = course_factories.build_course(
        title="Sensores y microcontroladores en el taller de electrónica",
        slug="sensores",
        modules=1,
        lessons=2,
    )
    outline = course_outline(course_id=course.pk)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).order_by("path").first()

    english = Locale.objects.get(language_code="en")
    course_en = _translate(course, english)
    _translate(module, english)
    lesson_en = _translate(lesson, english)

    teacher = TeacherProfileFactory(
        user=UserFactory(username="lucia@example.mx", email="lucia@example.mx")
    )
    user = teacher.user
    Enrollment.objects.create(user=user, course=course)
    first = outline.lessons[0]
    store(
        lesson_statement(user, "experienced", first.activity_id, minute=1),
        lesson_statement(user, "progressed", first.activity_id, minute=2, progress=50),
    )

    issuer = IssuerFactory(slug="sep", name="Secretaría de Educación Pública")
    issued, _ = credential_services.award_issue(
        achievement_id=AchievementFactory(issuer=issuer, name="Sensores en el aula").pk,
        user_id=user.pk,
        source="completion",
        score=0.9,
    )
    revoked, _ = credential_services.award_issue(
        achievement_id=AchievementFactory(issuer=issuer, name="Robótica educativa").pk,
        user_id=user.pk,
        source="completion",
        score=0.8,
    )
    credential_services.award_revoke(award_id=revoked.pk, reason="Otorgada por error")

    client = Client()
    client.force_login(user)
    return World(
        session=client.cookies["sessionid"].value,
        course=course,
        lesson=lesson,
        course_en=course_en,
        lesson_en=lesson_en,
        issued_uuid=str(issued.uuid),
        revoked_uuid=str(revoked.uuid),
    )


def _submit_empty_form(page) -> None:
    """Send the account form empty, so the page shows its error summary and field errors."""
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    page.locator(".form-errors, .has-error").first.wait_for()


def _answer_check_wrong(page) -> None:
    """Grade the knowledge check with wrong answers: feedback and the failed status show."""
    page.locator("#opt-kc-1-o1b").check()
    page.get_by_role("button", name=re.compile("Revisar respuestas|Check answers")).click()
    page.locator("#check-kc-1 [data-check-result] .ko").wait_for()


@dataclass(frozen=True)
class Visit:
    """One page in one language and state."""

    label: str
    path: str
    signed_in: bool
    then: Callable[[Any], None] | None = None  # what the person does before the check


def _visits(world: World, name: str) -> list[Visit]:
    issued, revoked = world.issued_uuid, world.revoked_uuid
    return {
        "catalog": [Visit("catalog es", "/", False), Visit("catalog en", "/en/", False)],
        "course": [
            Visit("course es (anonymous)", world.course.url, False),
            Visit("course es (enrolled, with progress)", world.course.url, True),
            Visit("course en (enrolled)", world.course_en.url, True),
        ],
        "lesson": [
            Visit("lesson es", world.lesson.url, True),
            Visit("lesson es (check answered)", world.lesson.url, True, _answer_check_wrong),
            Visit("lesson en", world.lesson_en.url, True),
            Visit("lesson en (check answered)", world.lesson_en.url, True, _answer_check_wrong),
        ],
        "signup": [
            Visit("sign-up es", "/cuenta/registro/", False),
            Visit("sign-up es (errors)", "/cuenta/registro/", False, _submit_empty_form),
            Visit("sign-up en", "/en/cuenta/registro/", False),
            Visit("sign-up en (errors)", "/en/cuenta/registro/", False, _submit_empty_form),
            Visit("sign-in es", "/cuenta/entrar/", False),
            Visit("sign-in en", "/en/cuenta/entrar/", False),
        ],
        "profile": [
            Visit("profile es", "/cuenta/perfil/", True),
            Visit("profile en", "/en/cuenta/perfil/", True),
        ],
        "wallet": [
            Visit("wallet es", "/credentials/wallet/", True),
            Visit("wallet en", "/credentials/wallet/?lang=en", True),
        ],
        "verification": [
            Visit("verification es (issued)", f"/credentials/{issued}/", False),
            Visit("verification en (issued)", f"/credentials/{issued}/?lang=en", False),
            Visit("verification es (revoked)", f"/credentials/{revoked}/", False),
            Visit("verification en (revoked)", f"/credentials/{revoked}/?lang=en", False),
        ],
        "certificate": [
            Visit("certificate es", f"/credentials/{issued}/certificate/", True),
            Visit("certificate en", f"/credentials/{issued}/certificate/?lang=en", True),
        ],
    }[name]


PAGES = [
    "catalog",
    "course",
    "lesson",
    "signup",
    "profile",
    "wallet",
    "verification",
    "certificate",
]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(live_server, browser, world, name, viewport):
    host = urlparse(live_server.url).hostname
    width = VIEWPORTS[viewport]["width"]
    failures: list[str] = []
    for signed_in in (False, True):
        visits = [visit for visit in _visits(world, name) if visit.signed_in is signed_in]
        if not visits:
            continue
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="es-MX")
        if signed_in:
            context.add_cookies(
                [{"name": "sessionid", "value": world.session, "domain": host, "path": "/"}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        for visit in visits:
            response = page.goto(live_server.url + visit.path)
            assert response is not None and response.status == 200, visit
            page.wait_for_load_state("networkidle")
            if visit.then is not None:
                visit.then(page)
            where = f"{visit.label} at {width} px ({visit.path})"
            blocking = serious_violations(axe_violations(page))
            if blocking:
                failures.append(f"{where}:\n{format_violations(blocking)}")
            # WCAG 1.4.10 (reflow), which axe-core does not check: nothing wider than the screen.
            failures += _page_width_failures(page, where, width)
        context.close()
    report = "\n\n".join(failures)
    print(report)
    assert not failures, report


# --- the harness itself: it must catch what it claims to catch ---------------------------------
BROKEN = """<!DOCTYPE html><html><head><title>roto</title></head><body>
<main>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt">
  <button id="no-name"></button>
  <p id="faint" style="color:#ccc;background:#fff">texto casi invisible</p>
</main></body></html>"""

FINE = """<!DOCTYPE html><html lang="es-MX"><head><title>bien</title></head><body>
<main><h1>Hola</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Punto">
<button>Enviar</button><p style="color:#222;background:#fff">texto legible</p></main>
</body></html>"""


@pytest.mark.django_db(transaction=False, serialized_rollback=False)
def test_the_harness_fails_on_serious_violations_and_names_their_targets(browser):
    page = browser.new_page()
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as failure:
        assert_no_serious_violations(page, label="broken page")
    message = str(failure.value)
    for rule, target in (
        ("image-alt", "#no-alt"),
        ("button-name", "#no-name"),
        ("color-contrast", "#faint"),
        ("html-has-lang", "html"),
    ):
        assert rule in message and target in message, (rule, message)
    assert "broken page" in message

    page.set_content(FINE)
    violations = assert_no_serious_violations(page)
    assert not serious_violations(violations)
    page.close()


OUTSIDE_THE_SCREEN = """([root, width]) => {
  // Elements of `root` that reach past the screen's right edge, unless a scrolling box
  // that fits the screen holds them (a table scrolling inside its wrapper is fine).
  const found = [];
  for (const el of document.querySelectorAll(root + " *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let held = false;
    for (let up = el.parentElement; up && !up.matches(root); up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if ((overflow === "auto" || overflow === "scroll")
          && up.getBoundingClientRect().right <= width + 1) { held = true; break; }
    }
    const name = `${el.tagName.toLowerCase()}.${el.getAttribute("class") || ""}`;
    if (!held) found.push(`${name} ends at ${Math.round(box.right)} px`);
  }
  return found.slice(0, 5);
}"""


def _page_width_failures(page, where: str, width: int, root: str = "main") -> list[str]:
    """WCAG 1.4.10 (reflow): nothing on the page is wider than the screen.

    The document's own width catches a page that scrolls sideways; the element check catches
    what a layout with hidden overflow (the Wagtail admin) cuts off instead.
    """
    failures = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        failures.append(f"{where}: the page is {scroll_width} px wide (reflow)")
    outside = page.evaluate(OUTSIDE_THE_SCREEN, [root, width])
    if outside:
        failures.append(f"{where}: cut off at the right edge: {'; '.join(outside)}")
    return failures


@pytest.mark.parametrize("language", ["es-mx", "en"])
def test_reports_dashboard_fits_a_phone(live_server, browser, settings, language):
    # The Wagtail admin around it is Wagtail's: only the dashboard's own reflow is checked.
    from wagtail.users.models import UserProfile

    from tests.reports.reports_builders import build_world, make_monitor

    settings.LMS_REPORT_MIN_CELL = 3
    build_world()
    monitor = make_monitor("nacional")
    profile = UserProfile.get_for_user(monitor)
    profile.preferred_language = language
    profile.save()
    client = Client()
    client.force_login(monitor)
    host = urlparse(live_server.url).hostname
    width = VIEWPORTS["phone"]["width"]
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="es-MX")
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures: list[str] = []
    for path in (
        "/admin/reports/",
        "/admin/reports/?state=14",
        "/admin/reports/?state=14&subsystem=dgeti",
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_selector("#reports-dashboard")
        failures += _page_width_failures(
            page, f"reports {language} at {width} px ({path})", width, "#reports-dashboard"
        )
    context.close()
    report = "\n".join(failures)
    assert not failures, report
