"""A teacher in Debian's Chromium: catalog → filter → course → lesson → knowledge check."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from courses.models import LessonPage, Sector
from tests.courses import factories

# Playwright's sync API runs an event loop in this thread; the live server is another thread.


pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A transactional test starts from whatever the previous one left: reload the migrations'
    # catalogs, facets and groups if they were flushed (see conftest.py).
    pytest.mark.usefixtures("migration_data"),
]


@pytest.fixture
def teacher_session(live_server):
    user = get_user_model().objects.create_user("docente", password="x")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_teacher_filters_the_catalog_opens_a_lesson_and_passes_a_check(
    live_server, browser, teacher_session
):
    course = factories.build_course(title="Sensores en el taller", slug="sensores", lessons=2)
    course.sectors.set([Sector.objects.get(slug="automotriz")])
    course.save()
    factories.build_course(title="Curso de textiles", slug="textiles", level="avanzado")
    host = live_server.url.split("//")[1].split(":")[0]

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-MX")
    context.add_cookies(
        [{"name": "sessionid", "value": teacher_session, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/")
    assert page.locator(".course-card").count() == 2
    # Usable at 360 px: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("Sector").select_option("automotriz")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**/?sector=automotriz**")
    assert page.locator(".course-card").count() == 1

    page.get_by_role("link", name="Sensores en el taller").click()
    page.get_by_role("heading", name="Contenido del curso").wait_for()
    # The lessons stay open to read from the outline (the sign-in action is tested in
    # tests/learners/test_browser_enrol.py).
    page.get_by_role("link", name="Lección 1.1").click()
    page.get_by_role("heading", level=1, name="Lección 1.1").wait_for()
    lesson_url = page.url

    page.get_by_label("Un dispositivo que mide").check()
    page.get_by_label("Python").check()
    page.get_by_label("C++").check()
    page.get_by_role("button", name="Revisar respuestas").click()
    status = page.locator("#check-kc-1 [role=status]")
    status.get_by_text("Obtuviste 2 de 2").wait_for()
    assert "¡Aprobaste!" in status.inner_text()
    assert "FEEDBACK-OK-2C" in page.locator("[data-question-result=q2]").inner_text()
    assert page.url == lesson_url  # graded through the API, no page reload

    # Keyboard: the next-lesson link is reachable and leads on.
    page.get_by_role("link", name="Siguiente").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Lección 1.2").wait_for()
    assert LessonPage.objects.filter(title="Lección 1.2").exists()
    context.close()


def test_knowledge_check_works_without_javascript(live_server, browser):
    course = factories.build_course(title="Sin JS", slug="sin-js", modules=1, lessons=1)
    lesson = LessonPage.objects.descendant_of(course).get()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}{lesson.url}")
    page.get_by_label("Un actuador").check()
    page.get_by_label("HTTP").check()
    page.get_by_role("button", name="Revisar respuestas").click()
    page.get_by_text("Obtuviste 0 de 2").wait_for()
    assert "FEEDBACK-KO-1B" in page.content()
    context.close()
