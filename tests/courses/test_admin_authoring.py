"""Authors and reviewers in the Wagtail admin: translating a course, sending it to review as a
whole, the reviewer's decision and comment, ASCII slugs, facet checkboxes, admin strings."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Locale, Page, TaskState, WorkflowState
from wagtail_localize.models import Translation

from courses.models import CoursePage, LessonPage, ModulePage, ascii_slug
from tests.courses import factories
from tests.courses.localize_helpers import fill_translations, translated_pages

pytestmark = pytest.mark.django_db


def user_in(group_name: str, username: str):
    user = get_user_model().objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def author():
    return user_in("Course authors", "autora")


@pytest.fixture
def reviewer():
    return user_in("Course reviewers", "revisor")


@pytest.fixture
def english():
    return Locale.objects.get(language_code="en")


@pytest.fixture
def course():
    return factories.build_course(title="Robótica educativa", slug="robotica", modules=1, lessons=1)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def translate_in_admin(client, user, course, english):
    client.force_login(user)
    return client.post(f"/admin/localize/submit/page/{course.pk}/", {"locales": [english.pk]})


def decide(client, user, page, action, comment=""):
    page = Page.objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    client.force_login(user)
    return client.post(
        f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/",
        {"comment": comment},
        follow=True,
    )


# --- Permission and menu ----------------------------------------------------------------------


def test_authors_and_reviewers_may_translate(client, author, reviewer, course):
    for user in (author, reviewer):
        assert user.has_perm("wagtail_localize.submit_translation")
        client.force_login(user)
        response = client.get(f"/admin/localize/submit/page/{course.pk}/")
        assert response.status_code == 200
        listing = client.get(f"/admin/pages/{factories.spanish_catalog().pk}/").content.decode()
        assert f"/admin/localize/submit/page/{course.pk}/" in listing
        # The admin menu leads to the translations report.
        assert "/admin/localize/reports/translations/" in client.get("/admin/").content.decode()


def test_a_teacher_without_admin_access_cannot_translate(client, course):
    teacher = get_user_model().objects.create_user("docente", password="x")
    client.force_login(teacher)
    response = client.get(f"/admin/localize/submit/page/{course.pk}/")
    assert response.status_code == 302  # to the admin login, like every admin page
    assert not Translation.objects.exists()


# --- Translating a course ---------------------------------------------------------------------


def test_translating_a_course_takes_its_modules_and_lessons_and_publishes_nothing(
    client, author, course, english
):
    response = translate_in_admin(client, author, course, english)
    assert response.status_code == 302
    pages = translated_pages(course, english)
    assert [type(page) for page in pages] == [CoursePage, ModulePage, LessonPage]
    assert not any(page.live for page in pages)  # untranslated copies stay off line
    for url in ("/en/robotica/", "/en/robotica/modulo-1/", "/en/robotica/modulo-1/leccion-1-1/"):
        assert client.get(url).status_code == 404
    assert client.get("/robotica/").status_code == 200  # the Spanish course is untouched


def test_the_include_subtree_box_cannot_leave_modules_behind(client, author, course, english):
    client.force_login(author)
    client.post(
        f"/admin/localize/submit/page/{course.pk}/",
        {"locales": [english.pk], "include_subtree": ""},
    )
    assert len(translated_pages(course, english)) == 3


def test_translating_a_lesson_alone_still_works(client, author, course, english):
    client.force_login(author)
    client.post(f"/admin/localize/submit/page/{course.pk}/", {"locales": [english.pk]})
    lesson = LessonPage.objects.get(locale__language_code="es-mx", slug="leccion-1-1")
    response = client.get(f"/admin/localize/submit/page/{lesson.pk}/")
    assert response.status_code == 200  # nothing left to translate it into, but no error


# --- Review of a whole course -----------------------------------------------------------------


def test_an_untranslated_course_cannot_be_sent_to_review(client, author, course, english):
    translate_in_admin(client, author, course, english)
    english_course = translated_pages(course, english)[0]
    response = client.post(f"/admin/courses/{english_course.pk}/submit/", follow=True)
    errors = messages_of(response)
    assert any("textos por traducir" in message for message in errors)
    assert not WorkflowState.objects.exists()


def test_the_problem_names_the_fields_left_to_translate(client, author, course, english):
    translate_in_admin(client, author, course, english)
    pages = translated_pages(course, english)
    for page in pages:
        fill_translations(page, english)
    from wagtail_localize.models import StringTranslation

    StringTranslation.objects.filter(locale=english, context__path="title").delete()
    response = client.post(f"/admin/courses/{pages[0].pk}/submit/", follow=True)
    errors = messages_of(response)
    assert any("falta 1 de" in message and "(título)" in message for message in errors), errors
    assert not WorkflowState.objects.exists()


def test_an_untranslated_slug_becomes_the_ascii_slug_of_the_translated_title(
    client, author, course, english
):
    translate_in_admin(client, author, course, english)
    pages = translated_pages(course, english)
    for page in pages:
        fill_translations(page, english)
    from wagtail_localize.models import StringTranslation

    # The translator never opened the "Promocionar" tab.
    StringTranslation.objects.filter(locale=english, context__path="slug").delete()
    response = client.post(f"/admin/courses/{pages[0].pk}/submit/", follow=True)
    assert any("se envió a revisión con 3" in message for message in messages_of(response))
    drafts = [page.get_latest_revision_as_object() for page in translated_pages(course, english)]
    assert [draft.slug for draft in drafts] == [
        "en-robotica-educativa",
        ascii_slug(drafts[1].title),
        ascii_slug(drafts[2].title),
    ]


def test_translate_review_approve_then_the_english_course_works_end_to_end(
    client, author, reviewer, course, english
):
    translate_in_admin(client, author, course, english)
    pages = translated_pages(course, english)
    for page in pages:
        assert fill_translations(page, english) > 0

    response = client.get(f"/admin/courses/{pages[0].pk}/submit/")
    assert response.status_code == 200
    assert "Lección 1.1" in response.content.decode()  # the confirmation lists the pages
    response = client.post(f"/admin/courses/{pages[0].pk}/submit/", follow=True)
    assert any("se envió a revisión con 3 páginas." in message for message in messages_of(response))
    states = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS)
    assert {int(state.object_id) for state in states} == {page.pk for page in pages}
    assert client.get("/en/robotica/").status_code == 404  # not live before approval

    response = decide(client, reviewer, pages[0], "approve", comment="Bien")
    assert "Aprobaste «EN Robótica educativa»." in messages_of(response)
    for page in pages:
        page.refresh_from_db()
        assert page.live and not page.has_unpublished_changes
    client.logout()
    course_html = client.get("/en/robotica/").content.decode()
    assert '<html lang="en"' in course_html
    assert "EN Robótica educativa" in course_html
    module_response = client.get("/en/robotica/modulo-1/")
    assert module_response.status_code == 200
    lesson_response = client.get("/en/robotica/modulo-1/leccion-1-1/")
    assert lesson_response.status_code == 200
    assert "EN Lección 1.1" in lesson_response.content.decode()
    assert client.get("/robotica/").status_code == 200


def test_authors_submit_a_spanish_course_with_its_modules_and_lessons(client, author, reviewer):
    course = factories.CoursePageFactory(parent=factories.spanish_catalog(), live=False)
    module = factories.ModulePageFactory(parent=course, live=False)
    lesson = factories.LessonPageFactory(parent=module, live=False)
    client.force_login(author)
    listing = client.get(f"/admin/pages/{factories.spanish_catalog().pk}/").content.decode()
    assert f"/admin/courses/{course.pk}/submit/" in listing  # "Enviar curso a revisión"
    client.post(f"/admin/courses/{course.pk}/submit/")
    assert WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count() == 3
    decide(client, reviewer, course, "approve")
    for page in (course, module, lesson):
        page.refresh_from_db()
        assert page.live


def test_nothing_to_review_is_refused_with_a_message(client, author, course):
    client.force_login(author)
    response = client.post(f"/admin/courses/{course.pk}/submit/", follow=True)
    assert any("no tiene cambios por revisar" in message for message in messages_of(response))
    assert not WorkflowState.objects.exists()


def test_a_teacher_cannot_submit_a_course(client, course):
    teacher = get_user_model().objects.create_user("docente", password="x")
    client.force_login(teacher)
    assert client.post(f"/admin/courses/{course.pk}/submit/").status_code == 302
    assert not WorkflowState.objects.exists()


def test_rejection_comment_reaches_the_author_in_the_editor(client, author, reviewer):
    course = factories.CoursePageFactory(parent=factories.spanish_catalog(), live=False)
    module = factories.ModulePageFactory(parent=course, live=False)
    client.force_login(author)
    client.post(f"/admin/courses/{course.pk}/submit/")
    response = decide(client, reviewer, course, "reject", comment="Falta la evaluación final.")
    assert any("Pediste cambios" in message for message in messages_of(response))
    course.refresh_from_db()
    module.refresh_from_db()
    assert not course.live and not module.live
    assert course.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert module.current_workflow_state is None  # the course alone carries the comment

    client.force_login(author)
    editor = client.get(f"/admin/pages/{course.pk}/edit/")
    assert "Falta la evaluación final." in editor.content.decode()
    assert "revisor" in editor.content.decode()

    # Sending it again resumes the same review and takes the module along again.
    client.post(f"/admin/courses/{course.pk}/submit/")
    course.refresh_from_db()
    assert course.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).count() == 2


def test_approving_from_the_editor_confirms_with_a_message(client, author, reviewer):
    course = factories.CoursePageFactory(parent=factories.spanish_catalog(), live=False)
    client.force_login(author)
    client.post(f"/admin/courses/{course.pk}/submit/")
    client.force_login(reviewer)
    edit_url = f"/admin/pages/{course.pk}/edit/"
    form = client.get(edit_url).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    data = nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "level": course.level,
            "estimated_hours": course.estimated_hours,
            "language": course.language,
            "passing_score": course.passing_score,
            "colour": course.colour,
            "learning_outcomes": streamfield([]),
            "comments": inline_formset([]),
        }
    )
    data["action-workflow-action"] = "true"
    data["workflow-action-name"] = "approve"
    response = client.post(edit_url, data, follow=True)
    assert any("Aprobaste" in message for message in messages_of(response))
    course.refresh_from_db()
    assert course.live


# --- Slugs, facets, admin language -----------------------------------------------------------


def test_a_new_course_gets_an_ascii_slug(client, reviewer):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    client.force_login(reviewer)
    catalog = factories.spanish_catalog()
    for typed_slug in ("introducción-a-la-ia", "Introducción a la IA"):
        CoursePage.objects.filter(slug="introduccion-a-la-ia").delete()
        data = nested_form_data(
            {
                "title": "Introducción a la IA",
                "slug": typed_slug,
                "summary": "Resumen",
                "level": "basico",
                "estimated_hours": 10,
                "language": "es-mx",
                "passing_score": 70,
                "colour": "#0b5d3b",
                "learning_outcomes": streamfield([]),
                "comments": inline_formset([]),
            }
        )
        response = client.post(f"/admin/pages/add/courses/coursepage/{catalog.pk}/", data)
        assert response.status_code == 302, response.context["form"].errors
        assert CoursePage.objects.get(title="Introducción a la IA").slug == "introduccion-a-la-ia"


@given(st.text(max_size=80))
def test_ascii_slug_is_always_an_ascii_slug(value):
    slug = ascii_slug(value)
    assert slug.isascii()
    assert re.fullmatch(r"[-a-z0-9_]*", slug)


def test_sectors_topics_and_skills_are_checkboxes(client, reviewer, course):
    client.force_login(reviewer)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    for name in ("sectors", "topics", "skills"):
        assert f'type="checkbox" name="{name}"' in html
        assert f'<select name="{name}"' not in html


def test_capacita_admin_strings_follow_the_users_admin_language(client, reviewer, course):
    from wagtail.users.models import UserProfile

    client.force_login(reviewer)
    profile = UserProfile.get_for_user(reviewer)
    profile.preferred_language = "en"
    profile.save()
    html = client.get("/admin/").content.decode()
    assert "Course classification" in html and "Clasificación de cursos" not in html
    listing = client.get(f"/admin/pages/{factories.spanish_catalog().pk}/").content.decode()
    assert "Send course to review" in listing


def test_a_spanish_page_previewed_by_an_english_admin_speaks_spanish(client, reviewer, course):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(reviewer)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(reviewer)
    lesson = LessonPage.objects.get(slug="leccion-1-1")
    html = client.get(f"/admin/pages/{lesson.pk}/view_draft/").content.decode()
    assert '<html lang="es-mx"' in html


def test_a_translation_that_does_not_validate_is_refused_naming_the_field(
    client, author, course, english
):
    from django.db import connection

    if connection.vendor == "postgresql":
        # PostgreSQL already refuses the 300-character value where this test writes it into
        # wagtail-localize's string store (varchar 255), before the service can check it.
        pytest.skip("the over-long translation cannot be stored on PostgreSQL to begin with")
    translate_in_admin(client, author, course, english)
    pages = translated_pages(course, english)
    for page in pages:
        fill_translations(page, english, prefix="x" * 300)  # titles longer than 255 characters
    response = client.post(f"/admin/courses/{pages[0].pk}/submit/", follow=True)
    assert response.status_code == 200
    assert any(
        "title:" in message and "255" in message and "(en) no es válida" in message
        for message in messages_of(response)
    )
    assert not WorkflowState.objects.exists()
    assert Page.objects.get(pk=pages[0].pk).title == "Robótica educativa"  # nothing written


def test_a_translated_slug_with_accents_is_refused(client, author, course, english):
    translate_in_admin(client, author, course, english)
    pages = translated_pages(course, english)
    for page in pages:
        fill_translations(page, english, slug_prefix="añadida-")
    response = client.post(f"/admin/courses/{pages[0].pk}/submit/", follow=True)
    assert any("«anadida-robotica»" in message for message in messages_of(response))
    assert not WorkflowState.objects.exists()
