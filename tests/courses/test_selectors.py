"""Selectors other apps rely on: course outline, IRI resolution, live courses."""

import pytest
from wagtail.models import Locale

from courses.models import CoursePage, LessonPage, ModulePage
from courses.selectors import (
    course_for_activity_id,
    course_outline,
    lesson_for_activity_id,
    live_courses,
    node_for_activity_id,
    parse_activity_id,
)
from tests.courses import factories

pytestmark = pytest.mark.django_db


def test_course_outline_lists_modules_and_lessons_in_order_in_three_queries(
    django_assert_num_queries,
):
    course = factories.build_course(modules=3, lessons=3)
    course_outline(course_id=course.pk)  # warm the site-root cache used for URLs
    with django_assert_num_queries(3):
        outline = course_outline(course_id=course.pk)
    assert outline.activity_id == course.activity_id
    assert (outline.passing_score, outline.estimated_hours) == (70, 10)
    assert [m.title for m in outline.modules] == ["Módulo 1", "Módulo 2", "Módulo 3"]
    assert [lesson.title for lesson in outline.modules[1].lessons] == [
        "Lección 2.1",
        "Lección 2.2",
        "Lección 2.3",
    ]
    first = outline.modules[0].lessons[0]
    assert first.has_knowledge_check and first.knowledge_check_ids == ("kc-1",)
    assert not outline.modules[0].lessons[1].has_knowledge_check
    assert first.url == LessonPage.objects.get(pk=first.id).url
    assert outline.first_lesson == first
    assert len(outline.lessons) == 9


def test_course_outline_leaves_out_drafts_unless_asked():
    course = factories.build_course(modules=2, lessons=2)
    LessonPage.objects.descendant_of(course).order_by("path").first().unpublish()
    ModulePage.objects.child_of(course).order_by("path").last().unpublish()
    outline = course_outline(course_id=course.pk)
    assert [len(m.lessons) for m in outline.modules] == [1]
    full = course_outline(course_id=course.pk, live_only=False)
    assert [len(m.lessons) for m in full.modules] == [2, 2]


def test_course_outline_of_an_unknown_id_raises():
    with pytest.raises(CoursePage.DoesNotExist):
        course_outline(course_id=999_999)


def test_every_kind_of_iri_resolves_to_its_page_and_course():
    course = factories.build_course(modules=1, lessons=1)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).get()
    assert node_for_activity_id(course.activity_id) == ("course", course)
    assert node_for_activity_id(module.activity_id) == ("module", module)
    assert node_for_activity_id(lesson.activity_id) == ("lesson", lesson)
    for page in (course, module, lesson):
        assert course_for_activity_id(page.activity_id) == course
    assert lesson_for_activity_id(lesson.activity_id) == lesson
    assert lesson_for_activity_id(module.activity_id) is None


@pytest.mark.parametrize(
    "iri",
    [
        "https://elsewhere.example/xapi/activities/course/8d3e7a70-3a47-4c38-9b1e-1c6d0e0f7a11",
        "http://testserver/xapi/activities/quiz/8d3e7a70-3a47-4c38-9b1e-1c6d0e0f7a11",
        "http://testserver/xapi/activities/course/not-a-uuid",
        "http://testserver/xapi/activities/course/",
        "http://testserver/xapi/activities/course/8d3e7a70-3a47-4c38-9b1e-1c6d0e0f7a11/extra",
        "",
    ],
)
def test_foreign_or_malformed_iris_resolve_to_nothing(iri):
    assert node_for_activity_id(iri) is None
    assert course_for_activity_id(iri) is None


def test_an_iri_with_an_unknown_key_resolves_to_nothing():
    iri = "http://testserver/xapi/activities/lesson/8d3e7a70-3a47-4c38-9b1e-1c6d0e0f7a11"
    assert parse_activity_id(iri) is not None
    assert node_for_activity_id(iri) is None


def test_an_iri_of_a_course_resolves_with_the_kind_it_names_only():
    course = factories.build_course(modules=1, lessons=1)
    wrong_kind = course.activity_id.replace("/course/", "/lesson/")
    assert node_for_activity_id(wrong_kind) is None


def test_live_courses_skip_drafts_and_filter_by_locale():
    published = factories.build_course(modules=1, lessons=1, slug="publicado")
    draft = factories.build_course(modules=1, lessons=1, slug="borrador")
    draft.unpublish()
    translated = published.copy_for_translation(Locale.objects.get(language_code="en"))
    translated.save_revision().publish()
    assert set(live_courses()) == {published, translated.specific}
    assert list(live_courses(locale="en")) == [translated.specific]
    assert list(live_courses(locale="es-MX")) == [published]
