"""A teacher enrolled in a course reaches its packaged content from the course's English
translation too: the enrolment is one course page, its translations hold the same units."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale, Page

from courses.models import LessonPage
from learners.models import Enrollment
from lrs.models import Cmi5Session
from packages.models import PackageUnit
from packages.selectors import user_may_read_package
from packages.services import package_import
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


def publish_subtree(root: Page, user) -> None:
    # Fresh rows: a stale in-memory root (numchild 0 from before its subtree was copied) would
    # be saved over the tree and hide its children from routing.
    for page in Page.objects.descendant_of(root, inclusive=True).order_by("path"):
        page = page.specific
        revision = page.get_latest_revision() or page.save_revision(user=user)
        revision.publish(user=user)


@pytest.fixture
def imported(author):
    result = package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    publish_subtree(result.course, author)
    english = Locale.objects.get(language_code="en")
    action = CopyPageForTranslationAction(result.course, english, include_subtree=True, user=author)
    publish_subtree(action.execute(skip_permission_checks=True), author)
    unit = PackageUnit.objects.get(package=result.package)
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    return result, unit, lesson.get_translation(english)


def test_an_enrolled_teacher_launches_the_au_from_the_english_lesson(imported, teacher):
    result, unit, english_lesson = imported
    assert english_lesson.pk != unit.lesson_id
    Enrollment.objects.create(user=teacher, course=result.course)
    client = Client()
    client.force_login(teacher)
    response = client.post(f"/packages/cmi5/launch/{unit.uuid}/{english_lesson.pk}/")
    assert response.status_code == 302, response.content
    assert Cmi5Session.objects.count() == 1


def test_an_enrolment_in_the_english_course_reads_the_package(imported, teacher):
    result, unit, english_lesson = imported
    english_course = english_lesson.get_parent().get_parent()
    Enrollment.objects.create(user=teacher, course=english_course.specific)
    assert user_may_read_package(user=teacher, package=result.package)
    client = Client()
    client.force_login(teacher)
    response = client.post(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/")
    assert response.status_code == 302, response.content


def test_without_an_enrolment_the_english_lesson_still_refuses(imported, teacher):
    _result, unit, english_lesson = imported
    assert not user_may_read_package(user=teacher, package=_result.package)
    client = Client()
    client.force_login(teacher)
    response = client.post(f"/packages/cmi5/launch/{unit.uuid}/{english_lesson.pk}/")
    assert response.status_code == 403
    assert not Cmi5Session.objects.exists()
