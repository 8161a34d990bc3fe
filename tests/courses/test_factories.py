"""Every factory builds a valid object (smoke tests)."""

import pytest

from courses.models import CoursePage, LessonPage, ModulePage
from tests.courses import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory_class", [factories.SectorFactory, factories.TopicFactory, factories.SkillFactory]
)
def test_taxonomy_factories_build_a_unique_slugged_row(factory_class):
    first, second = factory_class(), factory_class()
    assert first.slug != second.slug
    assert str(first) == first.name


def test_course_page_factory_creates_a_live_course_under_the_catalog():
    sector = factories.SectorFactory()
    course = factories.CoursePageFactory(
        parent=factories.spanish_catalog(), facets={"sectors": [sector]}
    )
    course = CoursePage.objects.get(pk=course.pk)
    assert course.live
    assert course.get_parent().specific == factories.spanish_catalog()
    assert list(course.sectors.all()) == [sector]


def test_module_and_lesson_factories_nest_under_their_parents():
    course = factories.CoursePageFactory(parent=factories.spanish_catalog())
    module = factories.ModulePageFactory(parent=course)
    lesson = factories.LessonPageFactory(parent=module)
    assert ModulePage.objects.child_of(course).get() == module
    assert LessonPage.objects.child_of(module).get() == lesson
    assert lesson.body[0].block_type == "paragraph"


def test_build_course_builds_modules_lessons_and_checks():
    course = factories.build_course(modules=2, lessons=3)
    lessons = LessonPage.objects.descendant_of(course)
    assert lessons.count() == 6
    assert sum(1 for lesson in lessons if lesson.has_knowledge_check) == 2
