"""A published course without a badge gets its achievement, made by the credentials app when
Wagtail announces the publication (courses never calls into credentials)."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale

from courses.models import CoursePage
from credentials import services
from credentials.models import Achievement, Issuer
from tests.courses import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_course():
    course = factories.CoursePageFactory(
        parent=factories.spanish_catalog(),
        live=False,
        title="Ciberseguridad básica",
        summary="Protege el aula.",
        estimated_hours=12,
    )
    return CoursePage.objects.get(pk=course.pk)


def test_publishing_a_course_creates_its_achievement(draft_course):
    assert not Achievement.objects.exists()
    draft_course.save_revision().publish()
    achievement = Achievement.objects.get()
    assert achievement.course_id == draft_course.pk
    assert achievement.issuer.slug == "sep"
    assert achievement.name == "Ciberseguridad básica"
    assert achievement.description == "Protege el aula."
    assert achievement.credits_available == 12
    assert achievement.achievement_type == Achievement.AchievementType.COURSE
    assert achievement.language == Achievement.Language.ES_MX


def test_publishing_again_or_in_english_keeps_one_achievement(draft_course):
    draft_course.save_revision().publish()
    draft_course.title = "Ciberseguridad básica (2.ª ed.)"
    draft_course.save_revision().publish()
    english = draft_course.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "Basic cybersecurity"
    english.save_revision().publish()
    assert Achievement.objects.count() == 1
    assert Achievement.objects.get().name == "Ciberseguridad básica"  # never rewritten


def test_an_existing_achievement_is_kept(draft_course):
    own = Achievement.objects.create(
        issuer=Issuer.objects.get(slug="sep"),
        course=draft_course,
        name="Insignia a mano",
        description="d",
        criteria_narrative="c",
    )
    draft_course.save_revision().publish()
    assert list(Achievement.objects.all()) == [own]


def test_without_an_issuer_publishing_works_and_the_editor_says_what_is_missing(
    client, draft_course
):
    Issuer.objects.filter(slug="sep").update(slug="sep-renombrado")
    draft_course.save_revision().publish()
    draft_course.refresh_from_db()
    assert draft_course.live
    assert not Achievement.objects.exists()
    with pytest.raises(services.CourseAchievementIncomplete) as raised:
        services.course_achievement_ensure(course_id=draft_course.pk)
    assert any("emisor" in missing for missing in raised.value.missing)

    admin = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin)
    html = client.get(f"/admin/pages/{draft_course.pk}/edit/").content.decode()
    assert "Este curso no tiene insignia" in html
    assert "no existe el emisor" in html


def test_a_course_with_its_achievement_shows_no_warning(client, draft_course):
    draft_course.save_revision().publish()
    admin = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin)
    html = client.get(f"/admin/pages/{draft_course.pk}/edit/").content.decode()
    assert "no tiene insignia" not in html


def test_missing_fields_are_named(draft_course):
    draft_course.title = "x" * 255
    draft_course.estimated_hours = 0
    missing = services.course_achievement_missing(course=draft_course)
    assert missing == []  # a long title is cut to the achievement's length
    draft_course.summary = ""
    missing = services.course_achievement_missing(course=draft_course)
    assert [item.split(":")[0] for item in missing] == ["resumen"]
