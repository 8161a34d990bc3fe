"""Enrolling from the course page and unenrolling from the profile: plain forms, one action
per state on the course page, lesson ticks, the end of a lesson, a check's last result."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.selectors import course_outline
from learners.models import Enrollment
from lrs.identity import learner_actor
from progress.selectors import knowledge_check_last_results
from tests.courses.factories import build_course
from tests.learners.learners_factories import DOMAIN_CURPS, TeacherProfileFactory, seed_subsystems
from tests.progress.engine_support import course_stream, lesson_statement, make_learner, store

pytestmark = pytest.mark.django_db
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@pytest.fixture
def course():
    return build_course(modules=1, lessons=2, title="Robótica", slug="robotica")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def action_area(html: str) -> str:
    return (
        html.split('id="course-actions"', 1)[1]
        .split("</main>", 1)[0]
        .split('<section aria-labelledby="outline-title"', 1)[0]
    )


def enrol_url(course) -> str:
    return f"/cuenta/cursos/{course.pk}/inscribirme/"


# --- The course page's one action ---------------------------------------------------------------


def test_signed_out_the_action_is_to_sign_in_and_come_back(course):
    html = Client().get(course.url).content.decode()
    area = action_area(html)
    assert 'data-course-action="signed_out"' in area
    assert f'href="/cuenta/entrar/?next={course.url}"' in area
    assert "Entra o crea tu cuenta para inscribirte" in area
    assert "Inscribirme" not in area


def test_signed_in_not_enrolled_sees_an_enrol_form_with_csrf(course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_learner())
    area = action_area(client.get(course.url).content.decode())
    form = re.search(
        r'<form method="post" action="([^"]+)" class="enrol-form">(.*?)</form>', area, re.S
    )
    assert form and form.group(1) == enrol_url(course)
    assert 'name="csrfmiddlewaretoken"' in form.group(2) and "Inscribirme" in form.group(2)


def test_enrolled_not_started_offers_comenzar_to_the_first_lesson(course):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    outline = course_outline(course_id=course.pk)
    area = action_area(signed_in(user).get(course.url).content.decode())
    assert 'data-course-action="not_started"' in area
    assert f'href="{outline.lessons[0].url}" data-resume>Comenzar</a>' in area


def test_in_progress_offers_continue_with_the_percentage(course):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    outline = course_outline(course_id=course.pk)
    store(lesson_statement(user, "passed", outline.lessons[0].activity_id, scaled=1.0))
    area = action_area(signed_in(user).get(course.url).content.decode())
    assert 'data-course-action="in_progress"' in area
    assert "Llevas 50 % del curso." in area
    assert f'href="{outline.lessons[1].url}" data-resume>Continuar donde te quedaste</a>' in area


@pytest.mark.parametrize(
    ("language", "prefix", "expected"),
    [("es-mx", "", "Curso completado el"), ("en", "/en", "Course completed on")],
)
def test_complete_says_so_with_the_date_in_words_in_the_page_language(language, prefix, expected):
    parent = None
    if language == "en":
        from tests.courses.factories import english_catalog

        parent = english_catalog()
    # A course page speaks the language of its own content (its locale), not the URL's.
    extra = {"locale": parent.locale} if parent is not None else {}
    course = build_course(modules=1, lessons=1, slug=f"curso-{language}", parent=parent, **extra)
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    store(*course_stream(user, course_outline(course_id=course.pk)))
    completed_at = Enrollment.objects.get(user=user).completed_at
    assert completed_at is not None
    area = action_area(signed_in(user).get(course.url).content.decode())
    assert 'data-course-action="completed"' in area and "data-resume" not in area
    with translation.override(language):
        from django.utils import timezone
        from django.utils.formats import date_format

        words = date_format(timezone.localtime(completed_at), "DATE_FORMAT")
    if language == "es-mx":
        words = words.lower()  # "2 de marzo de 2026": Spanish month names are lower case
        assert re.fullmatch(r"\d{1,2} de [a-z]+ de \d{4}", words)
    else:
        assert re.fullmatch(r"[A-Z][a-z]+\.? \d{1,2}, \d{4}", words)
    assert f"{expected} {words}." in area


# --- Enrolling -----------------------------------------------------------------------------------


def test_enrolling_by_form_enrols_and_redirects_back_with_a_message(course):
    user = make_learner()
    client = signed_in(user)
    response = client.post(enrol_url(course))
    assert response.status_code == 303 and response["Location"] == course.url
    assert Enrollment.objects.filter(user=user, course=course, status="active").count() == 1
    html = client.get(course.url).content.decode()
    assert "Ya estás inscrita o inscrito en este curso" in html
    # The progress API now answers instead of 404.
    assert client.get(f"/api/v1/me/progress/{course.pk}/").status_code == 200


def test_enrolling_twice_is_refused_with_a_message_and_one_enrolment(course):
    user = make_learner()
    client = signed_in(user)
    client.post(enrol_url(course))
    response = client.post(enrol_url(course), follow=True)
    assert "Ya estás inscrito en este curso." in response.content.decode()
    assert Enrollment.objects.filter(user=user, course=course).count() == 1


def test_an_unmet_prerequisite_is_shown_and_refused_naming_the_missing_course(course):
    first = build_course(modules=1, lessons=1, title="Fundamentos", slug="fundamentos")
    done = build_course(modules=1, lessons=1, title="Ya cursado", slug="ya-cursado")
    course.prerequisites.add(first, done)
    course.save_revision().publish()
    user = make_learner()
    Enrollment.objects.create(user=user, course=done, completed_at=datetime.now(UTC))
    client = signed_in(user)
    area = action_area(client.get(course.url).content.decode())
    assert "Para inscribirte antes debes concluir: Fundamentos." in area
    response = client.post(enrol_url(course), follow=True)
    html = response.content.decode()
    assert 'role="alert">Antes debes concluir: Fundamentos.</p>' in html
    assert "Ya cursado" not in html.split('id="messages"', 1)[1].split("</div>", 1)[0]
    assert not Enrollment.objects.filter(user=user, course=course).exists()


def test_the_api_names_only_the_missing_prerequisite_too(course):
    first = build_course(modules=1, lessons=1, title="Fundamentos", slug="fundamentos")
    done = build_course(modules=1, lessons=1, title="Ya cursado", slug="ya-cursado")
    course.prerequisites.add(first, done)
    course.save_revision().publish()
    user = make_learner()
    Enrollment.objects.create(user=user, course=done, completed_at=datetime.now(UTC))
    response = signed_in(user).post(
        "/api/v1/me/enrollments/", {"course": course.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "course" and error["rule"] == "prerequisites"
    assert "Fundamentos" in error["message"] and "Ya cursado" not in error["message"]


def test_enrol_needs_sign_in_post_csrf_and_a_live_course(course):
    anonymous = Client().post(enrol_url(course))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/cuenta/entrar/?next=")
    user = make_learner()
    assert signed_in(user).get(enrol_url(course)).status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.post(enrol_url(course)).status_code == 403
    assert signed_in(user).post("/cuenta/cursos/999999/inscribirme/").status_code == 404
    course.unpublish()
    assert signed_in(user).post(enrol_url(course)).status_code == 404
    assert not Enrollment.objects.exists()


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_enrol_path_with_any_text_is_a_404_never_a_5xx(text):
    response = Client(raise_request_exception=False).post(
        "/cuenta/cursos/" + text.replace("/", "x") + "/inscribirme/"
    )
    assert response.status_code < 500


# --- Unenrolling from the profile -------------------------------------------------------------


@pytest.fixture
def teacher():
    return TeacherProfileFactory().user


def test_unenrol_asks_to_confirm_then_unenrols_and_keeps_the_row(course, teacher):
    enrollment = Enrollment.objects.create(user=teacher, course=course)
    client = signed_in(teacher)
    profile = client.get("/cuenta/perfil/").content.decode()
    url = f"/cuenta/inscripciones/{enrollment.pk}/baja/"
    assert f'href="{url}"' in profile
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Sí, darme de baja" in confirm.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == "active"  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == "/cuenta/perfil/"
    enrollment.refresh_from_db()
    assert enrollment.status == "unenrolled"
    html = client.get("/cuenta/perfil/").content.decode()
    assert "Te diste de baja de «Robótica»" in html and url not in html


def test_nobody_can_unenrol_someone_else(course, teacher):
    enrollment = Enrollment.objects.create(user=teacher, course=course)
    url = f"/cuenta/inscripciones/{enrollment.pk}/baja/"
    other = signed_in(make_learner())
    assert other.get(url).status_code == 404 and other.post(url).status_code == 404
    assert Client().post(url).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


# --- Outline ticks, the end of a lesson, the last check result ----------------------------------


def test_outline_marks_each_lesson_for_the_enrolled_learner(course):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    first, second = course_outline(course_id=course.pk).lessons
    store(lesson_statement(user, "passed", first.activity_id, scaled=1.0))
    html = signed_in(user).get(course.url).content.decode()
    item = lambda lesson: html.split(f'data-lesson-id="{lesson.id}"', 1)[1].split("</li>", 1)[0]  # noqa: E731
    assert 'data-lesson-status="done"' in item(first) and "Hecha" in item(first)
    assert 'data-lesson-status="not_started"' in item(second) and "Sin empezar" in item(second)
    store(lesson_statement(user, "experienced", second.activity_id))
    html = signed_in(user).get(course.url).content.decode()
    assert 'data-lesson-status="in_progress"' in item(second) and "En curso" in item(second)
    # Someone not enrolled sees no ticks (and no one else's).
    assert "data-lesson-status" not in signed_in(make_learner()).get(course.url).content.decode()


def test_the_end_of_a_lesson_says_it_is_done_and_offers_the_next(course):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    first, second = course_outline(course_id=course.pk).lessons
    html = signed_in(user).get(first.url).content.decode()
    end = html.split('id="lesson-end"', 1)[1].split("</section>", 1)[0]
    assert "data-lesson-done" not in end and "data-lesson-todo" in end
    assert f'href="{second.url}" data-next-lesson>{second.title}</a>' in end
    store(lesson_statement(user, "passed", first.activity_id, scaled=1.0))
    end = signed_in(user).get(first.url).content.decode().split('id="lesson-end"', 1)[1]
    assert "Completaste esta lección." in end.split("</section>", 1)[0]
    last = signed_in(user).get(second.url).content.decode().split('id="lesson-end"', 1)[1]
    assert "Es la última lección del curso." in last.split("</section>", 1)[0]


def answered(user, lesson, block_id: str, raw: int, max_: int, *, passed: bool) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": learner_actor(user=user),
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": f"{lesson.activity_id}/checks/{block_id}"},
        "result": {
            "success": passed,
            "score": {"scaled": raw / max_, "raw": raw, "min": 0, "max": max_},
        },
    }


def test_a_reloaded_lesson_shows_the_last_graded_result_of_its_check(course):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    lesson = course_outline(course_id=course.pk).lessons[0]
    client = signed_in(user)
    assert "data-last-result" not in client.get(lesson.url).content.decode()
    store(answered(user, lesson, "kc-1", 2, 2, passed=True))
    store(answered(user, lesson, "kc-1", 1, 2, passed=False))  # the last one wins
    html = client.get(lesson.url).content.decode()
    result = html.split("data-last-result>", 1)[1].split("</p>", 1)[0]
    assert "Tu último intento: 1 de 2 (50&nbsp;%)." in result and "Aún no apruebas" in result
    # Another learner's attempts are not theirs.
    assert "data-last-result" not in signed_in(make_learner()).get(lesson.url).content.decode()


def test_last_results_ignore_other_checks_and_statements_without_a_score(course):
    user = make_learner()
    lesson = course_outline(course_id=course.pk).lessons[0]
    no_score = answered(user, lesson, "kc-1", 1, 1, passed=True)
    del no_score["result"]["score"]
    store(answered(user, lesson, "other", 1, 1, passed=True), no_score)
    assert (
        knowledge_check_last_results(user=user, lesson_iri=lesson.activity_id, block_ids=["kc-1"])
        == {}
    )
    assert (
        knowledge_check_last_results(user=user, lesson_iri=lesson.activity_id, block_ids=[]) == {}
    )


# --- Sign in on the site's own page -------------------------------------------------------------


def test_login_url_is_the_sites_own_page_for_e_mail_or_username():
    from django.conf import settings as django_settings
    from django.shortcuts import resolve_url

    assert resolve_url(django_settings.LOGIN_URL) == "/cuenta/entrar/"
    html = Client().get("/cuenta/entrar/").content.decode()
    assert "Correo electrónico o nombre de usuario" in html


def test_a_private_page_link_sends_signed_out_visitors_to_the_sites_login():
    from django.contrib.auth.decorators import login_required
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    request = RequestFactory().get("/credentials/wallet/")
    request.user = AnonymousUser()
    response = login_required(lambda r: HttpResponse())(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/entrar/?next=")


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_sign_up_from_a_course_comes_back_to_it_after_confirming(course):
    seed_subsystems()
    client = Client()
    signup = client.get(f"/cuenta/registro/?next={course.url}").content.decode()
    assert f'name="next" value="{course.url}"' in signup
    response = client.post(
        "/cuenta/registro/",
        {
            "next": course.url,
            "email": "nueva@example.org",
            "password1": "Aprender-2026-seguro",
            "password2": "Aprender-2026-seguro",
            "curp": DOMAIN_CURPS[1],
            "first_name": "Rosa",
            "paternal_surname": "Díaz",
            "maternal_surname": "",
            "state": "09",
            "subsystem": "",
            "cct": "",
            "position": "docente",
            "privacy": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    assert parse_qs(urlparse(link).query)["next"] == [course.url]
    confirmed = client.get(link.split("testserver", 1)[1])
    assert confirmed.status_code == 302 and confirmed["Location"] == course.url


def test_sign_up_ignores_a_next_to_another_site():
    client = Client()
    html = client.get("/cuenta/registro/?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


# --- Favicon and manifest -----------------------------------------------------------------------


def test_favicon_and_manifest_are_served_and_linked(course):
    favicon = Client().get("/favicon.ico")
    assert favicon.status_code == 200 and favicon["Content-Type"] == "image/x-icon"
    assert b"".join(favicon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # ICO header
    manifest = Client().get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == "/" and data["lang"] == "es-MX" and data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert Client().get("/en/manifest.webmanifest").json()["start_url"] == "/en/"
    html = Client().get(course.url).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<link rel="icon" href="/favicon.ico"' in html


# --- A knowledge check answered without JavaScript is remembered ------------------------------


def _no_js_answer(client, lesson) -> str:
    response = client.post(lesson.url, {"block_id": "kc-1", "q-q1": "o1a", "q-q2": ["o2a"]})
    assert response.status_code == 200
    return response.content.decode()


def test_a_check_graded_without_javascript_records_the_answered_statement(course):
    from lrs.models import Statement

    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    outline = course_outline(course_id=course.pk)
    lesson = outline.lessons[0]
    client = signed_in(user)
    html = _no_js_answer(client, lesson)
    assert "Obtuviste 1 de 2" in html and "data-last-result" not in html
    row = Statement.objects.get(verb=ANSWERED)
    data = row.data
    # The same shape as tracking.js's statement: the learner's opaque account, the check as
    # an assessment under the lesson, its module and course as context, the graded score.
    assert data["actor"] == learner_actor(user=user)
    assert data["object"] == {
        "objectType": "Activity",
        "id": f"{lesson.activity_id}/checks/kc-1",
        "definition": {"type": "http://adlnet.gov/expapi/activities/assessment"},
    }
    assert data["verb"] == {"id": ANSWERED, "display": {"en-US": "answered"}}
    assert data["result"] == {
        "success": True,
        "score": {"scaled": 0.5, "raw": 1, "min": 0, "max": 2},
    }
    context = data["context"]
    assert context["platform"] == "Capacita" and context["language"] == "es-mx"
    assert context["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": course.activity_id}
    ]
    assert row.user_id == user.pk
    text = str(data)
    assert user.username not in text and "docente" not in text
    # The engine read it as it reads the browser's: the lesson's only check passed, so the
    # lesson is passed, hence done.
    assert _statuses(user, course)[lesson.activity_id] == "done"
    # Reloaded, the page shows that result once.
    html = client.get(lesson.url).content.decode()
    assert html.count("data-last-result>") == 1
    assert "Tu último intento: 1 de 2 (50&nbsp;%)." in html


def _statuses(user, course) -> dict[str, str]:
    from django.test import RequestFactory

    from progress.engine.pages import lesson_statuses

    request = RequestFactory().get(course.url)
    request.user = user
    return lesson_statuses(request=request, course_page=course) or {}


def test_a_check_graded_without_javascript_records_nothing_for_others(course):
    from lrs.models import Statement

    lesson = course_outline(course_id=course.pk).lessons[0]
    _no_js_answer(Client(), lesson)  # anonymous reader
    _no_js_answer(signed_in(make_learner()), lesson)  # signed in, not enrolled
    assert not Statement.objects.filter(verb=ANSWERED).exists()
    # Bad input is graded as nothing and records nothing.
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    response = signed_in(user).post(lesson.url, {"block_id": "kc-1", "q-q1": ["o1a", "o1b"]})
    assert response.status_code == 400
    assert not Statement.objects.filter(verb=ANSWERED).exists()


def test_without_javascript_every_check_graded_passes_or_fails_the_lesson_as_tracking_js(course):
    from lrs.models import Statement

    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    lesson = course_outline(course_id=course.pk).lessons[0]
    client = signed_in(user)
    PASSED, FAILED = (f"http://adlnet.gov/expapi/verbs/{verb}" for verb in ("passed", "failed"))
    # 0 of 2: the lesson's only check is failed, so the lesson is failed (not done).
    client.post(lesson.url, {"block_id": "kc-1", "q-q1": "o1b", "q-q2": "o2b"})
    failed = Statement.objects.get(verb=FAILED, activity=lesson.activity_id).data
    assert failed["result"] == {
        "success": False,
        "score": {"scaled": 0.0, "raw": 0, "min": 0, "max": 100},
    }
    assert _statuses(user, course)[lesson.activity_id] == "in_progress"
    # 1 of 2 passes (pass mark 50): the lesson is passed, with the check's score.
    _no_js_answer(client, lesson)
    passed = Statement.objects.get(verb=PASSED, activity=lesson.activity_id).data
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"scaled": 0.5, "raw": 50, "min": 0, "max": 100}
    assert passed["context"]["contextActivities"]["grouping"][0]["id"] == course.activity_id
    assert _statuses(user, course)[lesson.activity_id] == "done"


def test_check_outcomes_follow_tracking_js_a_pass_stays_unless_beaten(course):
    from progress.selectors import knowledge_check_outcomes

    user = make_learner()
    lesson = course_outline(course_id=course.pk).lessons[0]
    attempts = [
        ("a", 1, 5, False),
        ("a", 3, 5, True),
        ("a", 1, 5, False),  # a later fail does not undo the pass
        ("a", 5, 5, True),  # a better pass replaces it
        ("b", 1, 5, False),
        ("b", 2, 5, False),  # a later fail replaces a fail
    ]
    for minute, (block, raw, max_, passed) in enumerate(attempts):
        statement = answered(user, lesson, block, raw, max_, passed=passed)
        statement["timestamp"] = f"2026-03-02T09:{minute:02d}:00Z"
        store(statement)
    outcomes = knowledge_check_outcomes(
        user=user, lesson_iri=lesson.activity_id, block_ids=["a", "b", "c"]
    )
    assert outcomes == {"a": {"passed": True, "scaled": 1.0}, "b": {"passed": False, "scaled": 0.4}}
