"""In Debian's Chromium: an author translates a course to English in the Wagtail admin and
sends it to review, a reviewer approves it on the dashboard, and a teacher studies it at /en/
(catalog → course → module → lesson) without a single 404."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import Locale

from tests.courses import factories
from tests.courses.localize_helpers import fill_translations, translated_pages

# Playwright's sync API runs an event loop in this thread; the live server is another thread.


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]


def session_for(username: str, group: str | None = None) -> str:
    user = get_user_model().objects.create_user(username, password="x")
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def browser_page(browser, live_server, session: str, locale: str = "es-MX"):
    host = live_server.url.split("//")[1].split(":")[0]
    context = browser.new_context(locale=locale, viewport={"width": 1200, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    statuses: list[tuple[int, str]] = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))
    return context, page, statuses


def test_translate_review_and_study_an_english_course(live_server, browser):
    course = factories.build_course(title="Robótica educativa", slug="robotica", lessons=2)
    english = Locale.objects.get(language_code="en")
    author = session_for("autora", "Course authors")
    reviewer = session_for("revisor", "Course reviewers")
    teacher = session_for("docente")

    # The author asks for an English translation from the page explorer.
    context, page, _ = browser_page(browser, live_server, author)
    page.goto(f"{live_server.url}/admin/pages/{factories.spanish_catalog().pk}/")
    translate_url = f"/admin/localize/submit/page/{course.pk}/"
    # The row's "More" menu (loaded when opened) offers "Translate this page".
    row = page.locator("tr", has_text="Robótica educativa").first
    row.locator("button[aria-label*='Robótica educativa']").last.click()
    page.locator(f'a[href^="{translate_url}"]').click()
    page.wait_for_url(f"**{translate_url}**")
    page.get_by_label("English").check()
    page.locator("main input[type=submit]").click()
    page.wait_for_url("**/admin/pages/*/edit/**")
    pages = translated_pages(course, english)
    assert len(pages) == 1 + 2 + 4  # course, 2 modules, 4 lessons
    assert not any(p.live for p in pages)

    # The translator's work (the translation editor saves each string through its API).
    for translated in pages:
        fill_translations(translated, english)

    # One action sends the course with its modules and lessons to review.
    page.goto(f"{live_server.url}/admin/courses/{pages[0].pk}/submit/")
    page.get_by_role("button", name="Enviar curso a revisión").click()
    page.get_by_text("se envió a revisión con 7 páginas").wait_for()
    context.close()

    # The reviewer approves the course on the dashboard.
    context, page, _ = browser_page(browser, live_server, reviewer)
    page.goto(f"{live_server.url}/admin/")
    row = page.locator("tr", has_text="EN Robótica educativa").first
    row.locator("[data-w-dropdown-target=toggle]").click()
    row.get_by_role("button", name="Aprobar", exact=True).click()
    page.get_by_text("Aprobaste «EN Robótica educativa».").wait_for()
    context.close()
    for translated in pages:
        translated.refresh_from_db()
        assert translated.live

    # The teacher studies it in English.
    context, page, statuses = browser_page(browser, live_server, teacher, locale="en-US")
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("link", name="EN Robótica educativa").click()
    page.wait_for_url("**/en/robotica/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("heading", name="EN Módulo 1").wait_for()
    page.get_by_role("link", name="EN Lección 1.1").first.click()
    page.get_by_role("heading", level=1, name="EN Lección 1.1").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="EN Lección 1.2").wait_for()
    # The module page works too, and leads to its lessons.
    response = page.goto(f"{live_server.url}/en/robotica/modulo-2/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="EN Lección 2.1").first.click()
    page.get_by_role("heading", level=1, name="EN Lección 2.1").wait_for()
    not_found = [url for status, url in statuses if status == 404]
    assert not_found == []
    context.close()
