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
    assert f'data-activity-id="{unit.identifier}"' in html
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
