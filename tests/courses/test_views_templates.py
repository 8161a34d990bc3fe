"""Server-rendered pages: catalog filters, course outline, lesson navigation and checks."""

import re

import pytest
from django.contrib.auth import get_user_model
from wagtail import hooks

from courses.hooks import (
    COURSE_PAGE_ACTIONS,
    COURSE_PAGE_SECTIONS,
    LESSON_PAGE_SCRIPTS,
    LESSON_STATUSES,
)
from courses.models import LessonPage, ModulePage, Sector
from tests.courses import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = factories.build_course(
        title="Robótica educativa", slug="robotica", modules=2, lessons=2
    )
    course.sectors.set([Sector.objects.get(slug="automotriz")])
    course.save()
    return course


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def test_catalog_lists_courses_and_has_an_accessible_get_filter_form(client, course):
    factories.build_course(title="Otro curso", slug="otro", level="avanzado")
    html = client.get("/").content.decode()
    assert "Robótica educativa" in html and "Otro curso" in html
    assert '<form method="get"' in html
    for name in ("sector", "topic", "skill", "level", "language", "min_hours", "max_hours"):
        assert f'<label for="id_{name}">' in html
        assert f'name="{name}"' in html
    assert '<main id="main"' in html and 'role="search"' in html


def test_catalog_filters_by_sector_and_level(client, course):
    factories.build_course(title="Otro curso", slug="otro", level="avanzado")
    html = client.get("/?sector=automotriz").content.decode()
    assert "Robótica educativa" in html and "Otro curso" not in html
    html = client.get("/?level=avanzado").content.decode()
    assert "Robótica educativa" not in html and "Otro curso" in html
    html = client.get("/?min_hours=11").content.decode()
    assert "Ningún curso coincide" in html


def test_catalog_shows_an_invalid_filter_and_still_lists_courses(client, course):
    response = client.get("/?level=experto")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Robótica educativa" in html
    assert 'class="ko"' in html


def test_course_page_shows_outline_start_link_and_data(client, course):
    html = client.get("/robotica/").content.decode()
    assert "Módulo 1" in html and "Módulo 2" in html
    assert "Lección 2.2" in html
    first = lessons_of(course)[0]
    assert f'href="{first.url}">{first.title}</a>' in html
    # Signed out, the one action is to sign in (the progress app's action hook).
    assert "Entra o crea tu cuenta para inscribirte" in html
    assert course.activity_id in html
    assert "Automotriz" in html


def test_course_page_renders_hook_sections(client, course):
    def section(request, page):
        return f'<p class="from-hook">Microcredencial de {page.title}</p>'

    with hooks.register_temporarily(COURSE_PAGE_SECTIONS, section):
        html = client.get("/robotica/").content.decode()
    assert '<p class="from-hook">Microcredencial de Robótica educativa</p>' in html


def test_lesson_page_has_previous_next_across_modules(client, course):
    lessons = lessons_of(course)
    html = client.get(lessons[0].url).content.decode()
    assert 'rel="prev"' not in html
    assert f'rel="next" href="{lessons[1].url}"' in html
    # Last lesson of module 1 leads to the first of module 2.
    html = client.get(lessons[1].url).content.decode()
    assert f'rel="prev" href="{lessons[0].url}"' in html
    assert f'rel="next" href="{lessons[2].url}"' in html
    html = client.get(lessons[-1].url).content.decode()
    assert 'rel="next"' not in html and "Volver al curso" in html
    assert "Lección 4 de 4" in html


def test_lesson_page_exposes_tracking_data_attributes_and_hook_scripts(client, course):
    lesson = lessons_of(course)[0]
    module = ModulePage.objects.get(pk=lesson.get_parent().pk)

    def script(request, page):
        return f'<script data-from-hook="{page.pk}"></script>'

    with hooks.register_temporarily(LESSON_PAGE_SCRIPTS, script):
        html = client.get(lesson.url).content.decode()
    assert f'data-lesson-id="{lesson.pk}"' in html
    assert f'data-lesson-activity-id="{lesson.activity_id}"' in html
    assert f'data-module-activity-id="{module.activity_id}"' in html
    assert f'data-course-activity-id="{course.activity_id}"' in html
    assert 'data-knowledge-check-ids="kc-1"' in html
    assert f'data-grade-url-template="/api/v1/lessons/{lesson.pk}/checks/__block__/grade/"' in html
    assert f'data-grade-url="/api/v1/lessons/{lesson.pk}/checks/kc-1/grade/"' in html
    assert f'<script data-from-hook="{lesson.pk}"></script>' in html
    assert html.index("data-from-hook") > html.index("</main>")


def test_knowledge_check_html_has_fieldsets_and_no_answers(client, course):
    html = " ".join(client.get(lessons_of(course)[0].url).content.decode().split())
    assert html.count("<fieldset") == 2 and html.count("<legend>") == 2
    assert 'type="radio" name="q-q1" value="o1a"' in html
    assert 'type="checkbox" name="q-q2"' in html
    assert 'aria-live="polite"' in html
    for secret in ("is_correct", "FEEDBACK-", "EXPLANATION-", "correct"):
        assert secret not in html


def test_knowledge_check_without_javascript_posts_to_the_lesson_and_shows_results(client, course):
    lesson = lessons_of(course)[0]
    response = client.post(lesson.url, {"block_id": "kc-1", "q-q1": "o1b", "q-q2": ["o2a", "o2c"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Obtuviste 1 de 2 (50&nbsp;%)" in html
    assert "FEEDBACK-KO-1B" in html and "FEEDBACK-OK-2A" in html
    assert "EXPLANATION-1" in html
    # The learner's choices stay selected.
    assert re.search(r'value="o1b" id="[^"]+" checked', html)


def test_knowledge_check_post_with_bad_input_is_400_and_names_the_problem(client, course):
    lesson = lessons_of(course)[0]
    response = client.post(lesson.url, {"block_id": "kc-1", "q-q1": ["o1a", "o1b"]})
    assert response.status_code == 400
    assert "choose only one option" in response.content.decode()
    response = client.post(lesson.url, {"block_id": "nope", "q-q1": "o1a"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("answers", "missing"),
    [({}, "te faltan 2"), ({"q-q1": "o1a"}, "te falta 1"), ({"q-q2": ["o2a"]}, "te falta 1")],
)
def test_a_check_posted_with_questions_unanswered_asks_for_them_and_gives_nothing_away(
    client, course, answers, missing
):
    lesson = lessons_of(course)[0]
    response = client.post(lesson.url, {"block_id": "kc-1", **answers})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Responde todas las preguntas antes de revisar: {missing}." in html
    for secret in ("FEEDBACK-", "EXPLANATION-", "Obtuviste", "Incorrecto.", "Correcto."):
        assert secret not in html
    # What was chosen stays chosen.
    if "q-q1" in answers:
        assert re.search(r'value="o1a" id="[^"]+" checked', html)


def test_a_check_says_answers_are_not_saved_to_whoever_is_not_enrolled(client, course):
    lesson = lessons_of(course)[0]
    html = client.get(lesson.url).content.decode()
    assert "Tus respuestas no se guardan: entra e inscríbete en el curso para que cuenten." in html
    client.force_login(get_user_model().objects.create_user("visita", "v@example.org", "pw"))
    html = client.get(lesson.url).content.decode()
    assert "Tus respuestas no se guardan: inscríbete en el curso para que cuenten." in html


def test_lesson_post_requires_csrf(course):
    from django.test import Client

    lesson = lessons_of(course)[0]
    response = Client(enforce_csrf_checks=True).post(lesson.url, {"block_id": "kc-1"})
    assert response.status_code == 403


def test_pages_render_in_english_under_en(client, course):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    translated = course.copy_for_translation(english)
    translated.title = "Educational robotics"
    translated.save_revision().publish()
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Educational robotics" in html
    assert "Robótica educativa" not in html
    assert "Filtrar" not in html and "Filter courses" in html  # the interface speaks English
    response = client.get("/en/robotica/")
    assert response.status_code == 200
    assert 'hreflang="es-mx"' in response.content.decode()
    # The translation reads as English, not as the Spanish course it was copied from.
    facts = re.search(r"<dt>Language</dt><dd>([^<]*)</dd>", response.content.decode())
    assert facts and facts.group(1) == "English"


def test_english_catalog_also_lists_untranslated_spanish_courses(client, course):
    from wagtail.models import Locale

    factories.build_course(title="Solo en español", slug="solo-es", modules=1, lessons=1)
    translated = course.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.title = "Educational robotics"
    translated.save_revision().publish()
    html = client.get("/en/").content.decode()
    assert html.index("Educational robotics") < html.index("Solo en español")
    assert '<h3 lang="es-mx"><a href="/solo-es/">Solo en español</a></h3>' in html
    assert "Robótica educativa" not in html


def test_admin_speaks_spanish_by_default(client):
    html = client.get("/admin/login/").content.decode()
    assert "Iniciar sesión" in html


def test_teacher_without_admin_access_sees_the_public_pages(client, course):
    user = get_user_model().objects.create_user("docente", password="x")
    client.force_login(user)
    assert client.get("/robotica/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_catalog_page_query_count_does_not_grow_with_courses(client, django_assert_max_num_queries):
    for n in range(6):
        course = factories.build_course(slug=f"c-{n}", modules=1, lessons=1)
        course.sectors.set([Sector.objects.get(slug="automotriz")])
        course.save()
    client.get("/")  # warm Wagtail's site-root cache
    with django_assert_max_num_queries(20):
        response = client.get("/")
    assert response.content.decode().count('class="course-card"') == 6


@pytest.mark.parametrize("kind", ["course", "module", "lesson"])
def test_previews_of_unsaved_pages_render(rf, admin_user, kind):
    from courses.models import CoursePage

    locale = factories.spanish_catalog().locale
    page = {
        "course": lambda: CoursePage(title="Nuevo", slug="nuevo", summary="s", locale=locale),
        "module": lambda: ModulePage(title="Nuevo", slug="nuevo", locale=locale),
        "lesson": lambda: LessonPage(
            title="Nueva", slug="nueva", body=[factories.sample_check()], locale=locale
        ),
    }[kind]()
    request = rf.get("/")
    request.user = admin_user
    response = page.make_preview_request(request)
    assert response.status_code == 200
    html = response.render().content.decode() if hasattr(response, "render") else ""
    assert "Nuev" in html
    assert "FEEDBACK-" not in html


def test_course_preview_shows_draft_modules_the_public_page_hides(client, rf, admin_user, course):
    draft = factories.ModulePageFactory(parent=course, title="Módulo en borrador", slug="borr")
    draft.unpublish()
    assert draft.title not in client.get("/robotica/").content.decode()
    request = rf.get("/")
    request.user = admin_user
    preview = course.make_preview_request(request)
    assert preview.status_code == 200
    assert draft.title in preview.render().content.decode()


def test_course_page_renders_the_action_hook_in_the_action_area(client, course):
    def action(request, page):
        return f'<p class="from-action-hook">Acción de {page.title}</p>'

    with hooks.register_temporarily(COURSE_PAGE_ACTIONS, action):
        html = client.get("/robotica/").content.decode()
    actions = html.split('id="course-actions"', 1)[1].split("</div>", 1)[0]
    assert '<p class="from-action-hook">Acción de Robótica educativa</p>' in actions


def test_outline_marks_lessons_with_text_from_the_status_hook(client, course):
    first, second, *_ = lessons_of(course)

    def statuses(request, page):
        return {first.activity_id: "done", second.activity_id: "in_progress", "x": "bogus"}

    with hooks.register_temporarily(LESSON_STATUSES, statuses):
        html = client.get("/robotica/").content.decode()
    first_item = html.split(f'data-lesson-id="{first.pk}"', 1)[1].split("</li>", 1)[0]
    second_item = html.split(f'data-lesson-id="{second.pk}"', 1)[1].split("</li>", 1)[0]
    assert 'data-lesson-status="done"' in first_item and "Hecha" in first_item
    assert 'data-lesson-status="in_progress"' in second_item and "En curso" in second_item
    assert "bogus" not in html
