"""The "Contenido empaquetado" block: its choices come from the packages app, and a lesson
shows the unit in a same-origin frame (or a link for launchMethod OwnWindow)."""

from __future__ import annotations

import pytest

from courses.blocks import PackagedContentBlock
from courses.models import LessonPage
from packages.models import PackageUnit
from packages.services import package_import
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


def publish_tree(lesson: LessonPage, user) -> None:
    for page in [*lesson.get_ancestors().specific().filter(depth__gte=3), lesson]:
        page.get_latest_revision().publish(user=user)


def test_block_choices_list_current_units(author):
    package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    choices = dict(PackagedContentBlock().child_blocks["unit"].field.choices)
    units = PackageUnit.objects.all()
    assert set(choices) >= {str(u.uuid) for u in units}
    assert "Robótica — Sensores 1" in choices.values()


def test_an_imported_lesson_shows_its_unit_in_a_frame(client, author):
    result = package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    unit = PackageUnit.objects.get(identifier=f"{b.COURSE_ID}/au/1")
    publish_tree(unit.lesson, author)
    client.force_login(author)
    html = client.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    # a cmi5 AU starts through the launch POST, into the lesson's named frame
    assert f'action="/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/"' in html
    assert f'<iframe name="cmi5-{unit.uuid}"' in html
    assert f'data-activity-id="{unit.lesson.activity_id}/cmi5/{unit.uuid}"' in html
    assert result.version.uuid


def test_own_window_units_get_a_link_instead(client, author):
    package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    unit = PackageUnit.objects.get(identifier=f"{b.COURSE_ID}/au/2")
    publish_tree(unit.lesson, author)
    client.force_login(author)
    html = client.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    assert 'target="_blank"' in html and "<iframe" not in html.split("packaged-unit", 1)[1]


def test_a_block_naming_no_known_unit_says_so(client, author):
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        spanish_catalog,
    )

    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    )
    lesson.body = [("packaged_content", {"unit": "00000000-0000-0000-0000-000000000000"})]
    lesson.save_revision(user=author).publish()
    client.force_login(author)
    html = client.get(lesson.url).content.decode()
    assert "no está disponible" in html


def test_a_unit_placed_in_another_lesson_has_that_lessons_activity_id_there(client, author):
    from packages.selectors import unit_activity_id
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        spanish_catalog,
    )

    package_import(upload=b.upload(b.scorm12()), user=author)
    unit = PackageUnit.objects.select_related("lesson").get()
    other = LessonPageFactory(
        parent=ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    )
    other.body = [("packaged_content", {"unit": str(unit.uuid)})]
    other.save_revision(user=author).publish()
    client.force_login(author)
    html = client.get(other.url).content.decode()
    assert f'data-activity-id="{other.activity_id}/scorm/{unit.uuid}"' in html
    assert unit_activity_id(unit) == f"{unit.lesson.activity_id}/scorm/{unit.uuid}"
    assert unit_activity_id(unit, other) == f"{other.activity_id}/scorm/{unit.uuid}"


def test_an_asset_is_its_lessons_activity_and_a_unit_without_a_lesson_has_none(author):
    from packages.selectors import unit_activity_id

    package_import(upload=b.upload(b.scorm12()), user=author)
    unit = PackageUnit.objects.select_related("lesson").get()
    unit.kind = PackageUnit.Kind.ASSET
    assert unit_activity_id(unit) == unit.lesson.activity_id
    unit.lesson = None
    assert unit_activity_id(unit) == ""
