"""End to end in Debian's Chromium: the tracking script on lesson pages, offline queue, the
course page's progress, and a course completed by an external tool then reverted by a void."""

from __future__ import annotations

import base64
import json
import re
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from courses.selectors import course_outline
from learners.models import Enrollment
from lrs.auth import generate_credentials, hash_secret
from lrs.identity import learner_actor
from lrs.models import Statement
from progress.models import CourseProgress
from tests.courses import factories
from tests.learners.learners_factories import DOMAIN_CURPS, seed_subsystems
from tests.progress.engine_support import course_stream, void

# Playwright's sync API runs an event loop in this thread; the live server is another one.

PASSWORD = "Aprender-2026-seguro"
QUEUE_EMPTY = "() => window.capacitaTracking && window.capacitaTracking.queued() === 0"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    host = urlparse(live_server.url).hostname
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
    return context


def api(page, method: str, path: str, body: dict | None = None) -> dict:
    """Call the API from the page, with the session and the CSRF token, like the site does."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
            const response = await fetch(path, {method, credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: body ? JSON.stringify(body) : undefined});
            return {status: response.status, body: await response.json()};
        }""",
        [method, path, body],
    )


def read_to_the_end(page) -> None:
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate("window.dispatchEvent(new Event('scroll'))")


def pass_checks(page) -> None:
    """Answer every knowledge check right (sample_check: q1 → o1a, q2 → o2a and o2c)."""
    for form in page.query_selector_all("form.knowledge-check-form"):
        block = form.get_attribute("data-block-id")
        for option in ("o1a", "o2a", "o2c"):
            page.check(f"#opt-{block}-{option}")
        form.query_selector("button[type=submit]").click()
        page.wait_for_selector(f"#check-{block} [data-check-result] .ok")


def test_a_teacher_signs_up_enrols_and_completes_a_course_lesson_by_lesson(live_server, browser):
    seed_subsystems()
    course = factories.build_course(
        title="Sensores en el taller", slug="sensores", passing_score=70
    )
    outline = course_outline(course_id=course.pk)
    context = browser.new_context()
    page = context.new_page()

    page.goto(f"{live_server.url}/cuenta/registro/")
    page.fill("[name=email]", "lucia.mena@example.mx")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    page.fill("[name=curp]", DOMAIN_CURPS[1])
    page.fill("[name=first_name]", "Lucía")
    page.fill("[name=paternal_surname]", "Mena")
    page.select_option("[name=state]", "30")
    page.select_option("[name=position]", "docente")
    page.check("[name=privacy]")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cuenta/registro/enviado/"))
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + urlparse(link).path)
    page.wait_for_url(re.compile(r".*/cuenta/perfil/"))

    page.goto(live_server.url + outline.url)
    enrolled = api(page, "POST", "/api/v1/me/enrollments/", {"course": course.pk})
    assert enrolled["status"] == 201, enrolled
    page.reload()
    assert page.inner_text("#course-progress [data-resume]").strip() == "Comenzar"

    for lesson in outline.lessons:
        page.goto(live_server.url + lesson.url)
        read_to_the_end(page)
        pass_checks(page)
        page.wait_for_function(QUEUE_EMPTY)

    page.goto(live_server.url + outline.url)
    assert page.is_visible("#course-progress [data-course-complete]")
    assert page.get_attribute("#course-progress", "data-percent") == "100"
    progress = api(page, "GET", f"/api/v1/me/progress/{course.pk}/")["body"]
    assert progress["completed"] is True and progress["percent"] == 100
    assert {lesson["status"] for lesson in progress["lessons"]} == {"passed", "completed"}
    user = get_user_model().objects.get(email="lucia.mena@example.mx")
    enrollment = Enrollment.objects.get(user=user, course=course)
    assert enrollment.completed_at is not None and enrollment.score == pytest.approx(1.0)
    # Every statement came from the page, under the teacher's opaque account.
    actor = learner_actor(user=user)["account"]["name"]
    sent = Statement.objects.filter(actor_ifi__endswith=f"|{actor}", verb__endswith="/answered")
    assert sent.count() == sum(1 for lesson in outline.lessons if lesson.has_knowledge_check)
    context.close()


def test_statements_made_offline_are_queued_and_arrive_once(live_server, browser):
    course = factories.CoursePageFactory(parent=factories.spanish_catalog(), slug="larga")
    module = factories.ModulePageFactory(parent=course)
    long_body = [
        {"type": "paragraph", "value": f"<p>{'Texto largo. ' * 80}</p>", "id": str(uuid.uuid4())}
        for _ in range(40)
    ]
    lesson = factories.LessonPageFactory(parent=module, body=long_body)
    user = get_user_model().objects.create_user("sin-red", password="x")
    Enrollment.objects.create(user=user, course=course)
    context = signed_in_context(browser, live_server, user)
    page = context.new_page()
    page.goto(live_server.url + lesson.url)
    page.wait_for_function(QUEUE_EMPTY)
    assert Statement.objects.filter(verb__endswith="/experienced").count() == 1

    context.set_offline(True)
    for fraction in (0.3, 0.6, 0.9, 1.0):
        page.evaluate(f"window.scrollTo(0, document.body.scrollHeight * {fraction})")
        page.evaluate("window.dispatchEvent(new Event('scroll'))")
    page.evaluate("window.capacitaTracking.flush()")  # tries while offline: nothing leaves
    queued = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage)"
        ".find(k => k.startsWith('capacita.xapi.queue.'))))"
    )
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in queued] == [
        "progressed",
        "progressed",
        "progressed",
        "completed",
    ]
    ids = [s["id"] for s in queued]
    assert not Statement.objects.filter(statement_id__in=ids).exists()

    context.set_offline(False)  # the 'online' event sends the queue
    page.wait_for_function(QUEUE_EMPTY)
    assert Statement.objects.filter(statement_id__in=ids).count() == 4
    account = learner_actor(user=user)["account"]["name"]
    mine = Statement.objects.filter(actor_ifi__endswith=f"|{account}", activity=lesson.activity_id)
    assert mine.count() == 5  # experienced + 4, none doubled
    # A resend of the same batch (a lost answer) is harmless.
    response = page.evaluate(
        """async (batch) => {
            const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
            const r = await fetch("/xapi/statements", {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3",
                          "X-CSRFToken": token}, body: JSON.stringify(batch)});
            return r.status;
        }""",
        queued,
    )
    assert response in (200, 204) and mine.count() == 5
    assert CourseProgress.objects.get(user=user).completed_at is not None
    context.close()


def _post_statements(live_server, auth: str, statements: list[dict]) -> int:
    request = urllib.request.Request(
        f"{live_server.url}/xapi/statements",
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Authorization": auth,
            "Content-Type": "application/json",
            "X-Experience-API-Version": "1.0.3",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_an_external_tool_completes_the_course_and_a_void_reverts_it(live_server, browser):
    course = factories.build_course(title="Robótica", slug="robotica", passing_score=70)
    outline = course_outline(course_id=course.pk)
    user = get_user_model().objects.create_user("externa", password="x")
    Enrollment.objects.create(user=user, course=course)
    key, secret = generate_credentials()
    from lrs.models import LRSClient

    LRSClient.objects.create(
        name="simulador", key=key, secret_hash=hash_secret(secret), scopes=["all"]
    )
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()

    stream = course_stream(user, outline, score=0.9)
    assert _post_statements(live_server, auth, stream[:-1]) == 200
    assert _post_statements(live_server, auth, stream[-1:]) == 200  # the last one completes it

    context = signed_in_context(browser, live_server, user)
    page = context.new_page()
    page.goto(live_server.url + outline.url)
    assert page.is_visible("#course-progress [data-course-complete]")

    assert _post_statements(live_server, auth, [void(stream[-1]["id"], user)]) == 200
    page.reload()
    assert not page.is_visible("#course-progress [data-course-complete]")
    assert page.get_attribute("#course-progress", "data-percent") == "75"  # 3 of 4 lessons
    progress = api(page, "GET", f"/api/v1/me/progress/{course.pk}/")["body"]
    assert progress["completed"] is False and progress["resume_url"] == outline.lessons[-1].url
    assert Enrollment.objects.get(user=user, course=course).completed_at is None
    context.close()
