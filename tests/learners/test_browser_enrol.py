"""In Debian's Chromium, as a teacher on a 360 px phone: the course page's one action in each
state, enrolling with and without JavaScript, prerequisites refused with a message, the
outline's ticks, a knowledge check's result after a reload, unenrolling from the profile."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest
from django.test import Client

from courses.selectors import course_outline
from learners.models import Enrollment
from tests.courses import factories
from tests.progress.engine_support import lesson_statement, make_learner, store

PHONE = {"width": 360, "height": 740}
PASSWORD = "Aprender-2026-seguro"
QUEUE_EMPTY = "() => window.capacitaTracking && window.capacitaTracking.queued() === 0"
SHOTS = os.environ.get("LMS_TEST_SCREENSHOTS", "")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in_context(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, **options)
    host = urlparse(live_server.url).hostname
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context.add_cookies([{**cookie, "domain": host, "path": "/"}])
    return context


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def action_text(page) -> str:
    return " ".join(page.inner_text("#course-actions").split())


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_teacher_signs_in_from_the_course_enrols_starts_and_continues(
    live_server, browser, javascript
):
    course = factories.build_course(title="Robótica", slug="robotica", modules=1, lessons=2)
    outline = course_outline(course_id=course.pk)
    user = make_learner("maestra")
    user.set_password(PASSWORD)
    user.save()
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)

    # Signed out: one action, to the site's own login, and back to the course.
    page.goto(live_server.url + outline.url)
    assert action_text(page) == "Entra o crea tu cuenta para inscribirte"
    shot(page, f"1-signed-out-{javascript}")
    page.get_by_role("link", name="Entra o crea tu cuenta para inscribirte").click()
    page.wait_for_url(re.compile(r".*/cuenta/entrar/\?next="))
    page.get_by_label("Correo electrónico o nombre de usuario").fill("maestra")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Entrar").click()
    page.wait_for_url(live_server.url + outline.url)

    # Signed in, not enrolled: a real form.
    assert action_text(page) == "Inscribirme"
    page.get_by_role("button", name="Inscribirme").click()
    page.wait_for_url(live_server.url + outline.url)
    assert "Ya estás inscrita o inscrito" in page.inner_text("#messages")
    assert Enrollment.objects.filter(user=user, course=course, status="active").exists()

    # Enrolled, not started: Comenzar leads to the first lesson.
    assert page.get_attribute("#course-progress", "data-course-action") == "not_started"
    shot(page, f"2-enrolled-{javascript}")
    page.get_by_role("link", name="Comenzar", exact=True).click()
    page.wait_for_url(live_server.url + outline.lessons[0].url)

    # In progress: continue where she left off, with the percentage.
    if javascript:  # let the tracking script's own statements land first (one SQLite writer)
        page.wait_for_function(QUEUE_EMPTY)
    store(lesson_statement(user, "passed", outline.lessons[0].activity_id, scaled=1.0))
    page.goto(live_server.url + outline.url)
    assert "Llevas 50 % del curso." in page.inner_text("#course-progress")
    page.get_by_role("link", name="Continuar donde te quedaste").click()
    page.wait_for_url(live_server.url + outline.lessons[1].url)
    assert "A continuación" not in page.inner_text("#lesson-end")  # the last lesson
    context.close()


def test_a_completed_course_says_so_with_the_date_and_the_outline_ticks(live_server, browser):
    course = factories.build_course(title="Robótica", slug="robotica", modules=1, lessons=2)
    outline = course_outline(course_id=course.pk)
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    first, second = outline.lessons
    store(lesson_statement(user, "passed", first.activity_id, scaled=1.0))
    store(lesson_statement(user, "experienced", second.activity_id))
    context = signed_in_context(browser, live_server, user)
    page = context.new_page()
    page.goto(live_server.url + outline.url)
    ticks = page.locator("li[data-lesson-id] .lesson-status").all_inner_texts()
    assert [re.sub(r"\s+", " ", t).replace(" :", ":").strip() for t in ticks] == [
        "✓ Hecha:",
        "◐ En curso:",
    ]
    # The marks are text a screen reader reads with the lesson, not colour alone.
    item = page.locator(f'li[data-lesson-id="{first.id}"]')
    assert "Hecha" in item.inner_text() and first.title in item.inner_text()

    store(lesson_statement(user, "completed", second.activity_id))
    page.goto(live_server.url + outline.url)
    enrollment = Enrollment.objects.get(user=user, course=course)
    assert enrollment.completed_at is not None
    text = page.inner_text("#course-progress [data-course-complete]")
    assert text.startswith("✓ Curso completado el ") and re.search(r"de [a-z]+ de 20\d\d", text)
    assert not page.locator("[data-resume]").count()
    shot(page, "3-completed")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_unmet_prerequisite_is_refused_with_a_message_naming_it(
    live_server, browser, javascript
):
    basics = factories.build_course(title="Fundamentos", slug="fundamentos", modules=1, lessons=1)
    course = factories.build_course(title="Avanzado", slug="avanzado", modules=1, lessons=1)
    course.prerequisites.add(basics)
    course.save_revision().publish()
    user = make_learner()
    context = signed_in_context(browser, live_server, user, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + course.url)
    assert "Para inscribirte antes debes concluir: Fundamentos." in action_text(page)
    page.get_by_role("button", name="Inscribirme").click()
    page.wait_for_url(live_server.url + course.url)
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "Antes debes concluir: Fundamentos."
    assert not Enrollment.objects.filter(user=user, course=course).exists()
    shot(page, f"4-prerequisite-{javascript}")

    Enrollment.objects.create(user=user, course=basics, completed_at=datetime.now(UTC))
    page.reload()
    assert "debes concluir" not in action_text(page)
    page.get_by_role("button", name="Inscribirme").click()
    page.wait_for_url(live_server.url + course.url)
    assert Enrollment.objects.filter(user=user, course=course, status="active").exists()
    context.close()


def test_a_graded_check_shows_once_gets_focus_and_is_there_after_a_reload(live_server, browser):
    course = factories.build_course(title="Sensores", slug="sensores", modules=1, lessons=2)
    lesson = course_outline(course_id=course.pk).lessons[0]
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    context = signed_in_context(browser, live_server, user)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + lesson.url)
    # An enrolled learner's answers count: no "not saved" hint.
    assert page.locator("[data-check-not-saved]").count() == 0
    end = page.locator("#lesson-end")
    assert "Aprueba la comprobación para completar esta lección." in end.inner_text()
    # A question left blank is asked for, and nothing is graded or given away.
    page.get_by_label("Un dispositivo que mide").check()
    page.get_by_role("button", name="Revisar respuestas").click()
    result = page.locator("#check-kc-1 [data-check-result]")
    result.get_by_text("Responde todas las preguntas antes de revisar: te falta 1.").wait_for()
    assert page.locator("[data-question-result=q1]").inner_text() == ""
    assert page.evaluate("document.activeElement.name") == "q-q2"
    page.get_by_label("Python").check()  # o2c missing: q2 is wrong
    page.get_by_role("button", name="Revisar respuestas").click()
    result.get_by_text("Obtuviste 1 de 2").wait_for()
    # Passed (the pass mark is 50): the end of the lesson says it is done, without a reload.
    end.get_by_text("Completaste esta lección.").wait_for()
    assert "Aprueba la comprobación" not in end.inner_text()
    # Focus moves to the result; each verdict appears once per question.
    assert page.evaluate("document.activeElement.id") == "check-kc-1-result"
    assert page.locator("[data-question-result=q1]").get_by_text("Correcto.").count() == 1
    assert page.locator("[data-question-result=q2]").get_by_text("Incorrecto.").count() == 1
    page.wait_for_function(QUEUE_EMPTY)

    page.reload()
    last = page.locator("#check-kc-1 [data-last-result]")
    assert " ".join(last.inner_text().split()) == (
        "Tu último intento: 1 de 2 (50 %). ¡Aprobaste!"  # the sample check's pass mark is 50
    )
    shot(page, "5-check-after-reload")
    context.close()


def test_without_javascript_a_graded_check_is_there_after_a_reload(live_server, browser):
    course = factories.build_course(title="Sensores", slug="sensores", modules=1, lessons=2)
    lesson = course_outline(course_id=course.pk).lessons[0]
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    context = signed_in_context(browser, live_server, user, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + lesson.url)
    page.get_by_label("Un dispositivo que mide").check()
    page.get_by_label("Python").check()  # o2c missing: q2 is wrong
    page.get_by_role("button", name="Revisar respuestas").click()
    page.wait_for_load_state()
    result = page.locator("#check-kc-1 [data-check-result]")
    assert "Obtuviste 1 de 2" in result.inner_text()
    assert page.locator("[data-question-result=q1]").get_by_text("Correcto.").count() == 1

    # A reload (a plain GET of the lesson) shows the recorded result, once.
    page.goto(live_server.url + lesson.url)
    last = page.locator("#check-kc-1 [data-last-result]")
    assert last.count() == 1
    assert " ".join(last.inner_text().split()) == "Tu último intento: 1 de 2 (50 %). ¡Aprobaste!"
    assert page.locator("#check-kc-1").get_by_text("Tu último intento").count() == 1
    shot(page, "6-check-after-reload-without-js")
    context.close()


def test_unenrolling_from_the_profile_asks_first(live_server, browser):
    from tests.learners.learners_factories import TeacherProfileFactory

    course = factories.build_course(title="Robótica", slug="robotica", modules=1, lessons=1)
    user = TeacherProfileFactory().user
    Enrollment.objects.create(user=user, course=course)
    context = signed_in_context(browser, live_server, user, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/cuenta/perfil/")
    page.get_by_role("link", name="Darme de baja de «Robótica»").click()
    page.get_by_role("heading", name="Darte de baja de un curso").wait_for()
    page.get_by_role("link", name="No, volver a mi perfil").click()
    page.wait_for_url(re.compile(r".*/cuenta/perfil/$"))
    assert Enrollment.objects.get(user=user).status == "active"
    page.get_by_role("link", name="Darme de baja de «Robótica»").click()
    page.get_by_role("button", name="Sí, darme de baja").click()
    page.wait_for_url(re.compile(r".*/cuenta/perfil/$"))
    assert "Te diste de baja de «Robótica»" in page.inner_text("#messages")
    assert Enrollment.objects.get(user=user).status == "unenrolled"
    context.close()
