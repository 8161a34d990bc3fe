"""Page tree rules and the stability of activity IRIs (DESIGN.md "Identifiers")."""

import pytest
from wagtail.models import Locale, Page
from wagtail_localize.models import Translation, TranslationSource

from courses.models import CatalogPage, CoursePage, LessonPage, ModulePage
from courses.selectors import node_for_activity_id
from tests.courses import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (CatalogPage, Page, True),
        (CoursePage, CatalogPage, True),
        (ModulePage, CoursePage, True),
        (LessonPage, ModulePage, True),
        (CoursePage, Page, False),
        (CoursePage, CoursePage, False),
        (ModulePage, CatalogPage, False),
        (ModulePage, ModulePage, False),
        (LessonPage, CoursePage, False),
        (LessonPage, CatalogPage, False),
        (LessonPage, LessonPage, False),
        (CatalogPage, CoursePage, False),
    ],
)
def test_page_type_may_only_live_under_its_parent_type(child, parent, allowed):
    assert (parent in child.allowed_parent_page_models()) is allowed
    assert (child in parent.allowed_subpage_models()) is allowed


def test_admin_refuses_to_add_a_lesson_directly_under_a_course(admin_client):
    course = factories.CoursePageFactory(parent=factories.spanish_catalog())
    assert not LessonPage.can_create_at(course)
    response = admin_client.get(f"/admin/pages/add/courses/lessonpage/{course.pk}/")
    # Wagtail answers a forbidden page type with its "permission denied" redirect.
    assert response.status_code == 302
    assert response.url == "/admin/"
    allowed = admin_client.get(f"/admin/pages/add/courses/modulepage/{course.pk}/")
    assert allowed.status_code == 200


def test_a_lesson_cannot_be_moved_under_a_course_or_the_catalog():
    course = factories.build_course(modules=1, lessons=1)
    lesson = LessonPage.objects.descendant_of(course).get()
    assert not lesson.can_move_to(course)
    assert not lesson.can_move_to(factories.spanish_catalog())
    other = factories.build_course(modules=1, lessons=1, slug="otro")
    assert lesson.can_move_to(ModulePage.objects.child_of(other).get())


def test_lessons_have_no_children():
    assert LessonPage.allowed_subpage_models() == []


def test_activity_ids_are_built_from_the_site_url_kind_and_translation_key(settings):
    settings.LMS_SITE_URL = "https://capacita.example.mx"
    course = factories.build_course(modules=1, lessons=1)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).get()
    assert course.activity_id == (
        f"https://capacita.example.mx/xapi/activities/course/{course.translation_key}"
    )
    assert module.activity_id.endswith(f"/xapi/activities/module/{module.translation_key}")
    assert lesson.activity_id.endswith(f"/xapi/activities/lesson/{lesson.translation_key}")
    assert len({course.activity_id, module.activity_id, lesson.activity_id}) == 3


def test_activity_id_survives_rename_and_new_revisions():
    course = factories.build_course(modules=1, lessons=1)
    lesson = LessonPage.objects.descendant_of(course).get()
    before = lesson.activity_id
    lesson.title = "Otro título"
    lesson.slug = "otro-slug"
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    assert lesson.url.endswith("/otro-slug/")
    assert lesson.activity_id == before


def test_activity_id_survives_a_move_to_another_module_and_course():
    first = factories.build_course(modules=1, lessons=2, slug="primero")
    second = factories.build_course(modules=1, lessons=1, slug="segundo")
    lesson = LessonPage.objects.descendant_of(first).order_by("path").last()
    before = lesson.activity_id
    target = ModulePage.objects.child_of(second).get()
    lesson.move(target, pos="last-child")
    moved = LessonPage.objects.get(pk=lesson.pk)
    assert moved.get_parent().pk == target.pk
    assert moved.activity_id == before
    assert node_for_activity_id(before)[1].pk == lesson.pk


def test_a_copied_course_is_a_new_activity_with_new_ids_all_the_way_down():
    course = factories.build_course(modules=1, lessons=2, slug="original")
    copy = course.copy(
        recursive=True, update_attrs={"slug": "copia", "title": "Copia"}, keep_live=True
    ).specific
    tree = Page.objects.specific()
    originals = {p.activity_id for p in tree.descendant_of(course, inclusive=True)}
    copies = {p.activity_id for p in tree.descendant_of(copy, inclusive=True)}
    assert len(copies) == len(originals) == 4
    assert originals.isdisjoint(copies)
    # The original keeps its IRI and still resolves to itself.
    assert node_for_activity_id(course.activity_id)[1].pk == course.pk


def test_a_translation_made_by_copy_for_translation_shares_the_activity_id():
    course = factories.build_course(modules=1, lessons=1)
    english = Locale.objects.get(language_code="en")
    translated = course.copy_for_translation(english, copy_parents=False)
    assert translated.locale == english
    assert translated.activity_id == course.activity_id
    assert translated.get_parent().specific == factories.english_catalog()


def test_a_wagtail_localize_translation_shares_activity_ids_of_course_module_and_lesson():
    course = factories.build_course(modules=1, lessons=1)
    english = Locale.objects.get(language_code="en")
    pages = list(Page.objects.descendant_of(course, inclusive=True).order_by("path").specific())
    for page in pages:
        source, _ = TranslationSource.get_or_create_from_instance(page)
        translation = Translation.objects.create(source=source, target_locale=english)
        translation.save_target(publish=True)
    for page in pages:
        translated = page.get_translation(english)
        assert translated.activity_id == page.activity_id
        # The IRI resolves to the page in the requested language.
        _kind, resolved = node_for_activity_id(page.activity_id, language="en")
        assert resolved.pk == translated.pk
        _kind, resolved = node_for_activity_id(page.activity_id, language="es-mx")
        assert resolved.pk == page.pk
