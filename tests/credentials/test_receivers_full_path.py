"""The full path: progress announces a completion → task → award → anyone verifies it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from credentials import selectors, services, verification
from credentials.models import Award, MicrocredentialCourse
from progress.signals import course_completed, course_completion_revoked
from tests.courses.factories import CoursePageFactory, SkillFactory, spanish_catalog
from tests.credentials.factories import (
    AchievementFactory,
    MicrocredentialAlignmentFactory,
    MicrocredentialFactory,
    PathwayPartFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _complete(user, course, *, enrollment_id=1, score=0.95, capture) -> None:
    with capture(execute=True):
        course_completed.send(
            sender=None,
            enrollment_id=enrollment_id,
            user_id=user.pk,
            course_id=course.pk,
            completed_at=timezone.now(),
            score=score,
        )


@pytest.fixture
def course():
    return CoursePageFactory(parent=spanish_catalog(), estimated_hours=12, colour="#123456")


def test_completion_signal_issues_a_credential_that_verifies(
    issuer, learner, course, django_capture_on_commit_callbacks
):
    achievement = AchievementFactory(issuer=issuer, course=course, credits_available=None)
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    award = Award.objects.get(recipient=learner, achievement=achievement)
    assert award.source == Award.Source.COMPLETION
    assert award.enrollment_id == 1
    assert award.ob3_credential["credentialSubject"]["creditsEarned"] == 12.0
    assert award.ob3_credential["credentialSubject"]["result"][0]["value"] == "95"
    assert verification.verify_json(award.ob3_credential).valid
    assert verification.verify_jwt(award.ob3_jwt).valid


def test_the_same_completion_announced_twice_yields_one_award(
    issuer, learner, course, django_capture_on_commit_callbacks
):
    AchievementFactory(issuer=issuer, course=course)
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    assert Award.objects.filter(recipient=learner).count() == 1


def test_signal_sent_inside_a_rolled_back_transaction_issues_nothing(issuer, learner, course):
    from django.db import transaction

    AchievementFactory(issuer=issuer, course=course)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        course_completed.send(
            sender=None,
            enrollment_id=1,
            user_id=learner.pk,
            course_id=course.pk,
            completed_at=timezone.now(),
            score=None,
        )
        raise Rollback
    assert not Award.objects.exists()


def test_microcredential_is_awarded_when_its_last_course_is_completed(
    issuer, learner, django_capture_on_commit_callbacks
):
    first = CoursePageFactory(parent=spanish_catalog())
    second = CoursePageFactory(parent=spanish_catalog())
    microcredential = MicrocredentialFactory(awarding_body=issuer)
    microcredential.skills.add(SkillFactory(name="Competencias digitales"))
    microcredential.save()  # ParentalManyToManyField writes on save
    MicrocredentialAlignmentFactory(microcredential=microcredential, target_code="EC0301")
    MicrocredentialCourse.objects.create(microcredential=microcredential, course=first)
    MicrocredentialCourse.objects.create(microcredential=microcredential, course=second)
    achievement = AchievementFactory(
        issuer=issuer,
        microcredential=microcredential,
        achievement_type="MicroCredential",
        credits_available=None,
    )
    _complete(learner, first, capture=django_capture_on_commit_callbacks)
    assert not Award.objects.filter(achievement=achievement).exists()
    _complete(learner, second, capture=django_capture_on_commit_callbacks)
    award = Award.objects.get(achievement=achievement, recipient=learner)
    assert award.source == Award.Source.MICROCREDENTIAL
    subject = award.ob3_credential["credentialSubject"]
    assert subject["achievement"]["achievementType"] == "MicroCredential"
    assert subject["achievement"]["creditsAvailable"] == 40.0
    codes = {item.get("targetCode") for item in subject["achievement"]["alignment"]}
    assert "EC0301" in codes
    frameworks = {item["targetFramework"] for item in subject["achievement"]["alignment"]}
    assert "Capacita skills" in frameworks
    assert verification.verify_json(award.ob3_credential).valid


def test_pathway_is_awarded_automatically_when_all_its_parts_are_held(
    issuer, learner, django_capture_on_commit_callbacks
):
    pathway = MicrocredentialFactory(awarding_body=issuer, title="Especialidad en IA")
    part_a = PathwayPartFactory(pathway=pathway, part__awarding_body=issuer).part
    part_b = PathwayPartFactory(pathway=pathway, part__awarding_body=issuer).part
    pathway_achievement = AchievementFactory(issuer=issuer, microcredential=pathway)
    a = AchievementFactory(issuer=issuer, microcredential=part_a)
    b = AchievementFactory(issuer=issuer, microcredential=part_b)
    with django_capture_on_commit_callbacks(execute=True):
        services.award_issue(achievement_id=a.pk, user_id=learner.pk, source="staff", reason="x")
    assert not Award.objects.filter(achievement=pathway_achievement).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.award_issue(achievement_id=b.pk, user_id=learner.pk, source="staff", reason="x")
    award = Award.objects.get(achievement=pathway_achievement, recipient=learner)
    assert award.source == Award.Source.PATHWAY
    assert verification.verify_json(award.ob3_credential).valid
    assert selectors.pathways_due(user_id=learner.pk) == []


def test_revoked_part_does_not_count_toward_a_pathway(issuer, learner):
    pathway = MicrocredentialFactory(awarding_body=issuer)
    part = PathwayPartFactory(pathway=pathway, part__awarding_body=issuer).part
    AchievementFactory(issuer=issuer, microcredential=pathway)
    part_achievement = AchievementFactory(issuer=issuer, microcredential=part)
    award, _ = services.award_issue(
        achievement_id=part_achievement.pk, user_id=learner.pk, source="staff", reason="x"
    )
    services.award_revoke(award_id=award.pk, reason="error de captura")
    assert selectors.pathways_due(user_id=learner.pk) == []


def test_voided_completion_revokes_what_it_earned(
    issuer, learner, course, django_capture_on_commit_callbacks
):
    achievement = AchievementFactory(issuer=issuer, course=course)
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        course_completion_revoked.send(
            sender=None, enrollment_id=1, user_id=learner.pk, course_id=course.pk
        )
    award = Award.objects.get(achievement=achievement, recipient=learner)
    assert award.revoked_at is not None
    report = verification.verify_json(award.ob3_credential)
    assert not report.valid and not report.checks["status"].ok


def test_staff_awards_survive_a_voided_completion(
    issuer, learner, course, django_capture_on_commit_callbacks
):
    achievement = AchievementFactory(issuer=issuer, course=course)
    services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="staff", reason="RPL"
    )
    with django_capture_on_commit_callbacks(execute=True):
        course_completion_revoked.send(
            sender=None, enrollment_id=1, user_id=learner.pk, course_id=course.pk
        )
    assert Award.objects.get(achievement=achievement).revoked_at is None


def test_completion_of_a_course_without_credentials_issues_nothing(
    learner, course, django_capture_on_commit_callbacks
):
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    assert not Award.objects.exists()


def test_generated_artwork_uses_the_course_colour(issuer, course):
    achievement = AchievementFactory(issuer=issuer, course=course)
    assert services.badge_design(achievement)["primary"] == "#123456"


def test_course_page_shows_its_badge_and_microcredentials(issuer, client):
    course = CoursePageFactory(parent=spanish_catalog())
    AchievementFactory(issuer=issuer, course=course, name="Insignia del curso")
    microcredential = MicrocredentialFactory(awarding_body=issuer, title="Micro IA")
    MicrocredentialAlignmentFactory(microcredential=microcredential, target_code="EC0217")
    MicrocredentialCourse.objects.create(microcredential=microcredential, course=course)
    response = client.get(course.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Insignia del curso" in html
    assert "Micro IA" in html
    assert "EC0217" in html


def test_task_retries_are_harmless_after_the_award_exists(award, achievement, learner):
    from credentials import tasks

    again = tasks.issue_award.apply(
        kwargs={
            "achievement_id": achievement.pk,
            "user_id": learner.pk,
            "source": "completion",
            "completed_at": (timezone.now() - dt.timedelta(days=1)).isoformat(),
        }
    ).get()
    assert again == award.pk
    assert Award.objects.count() == 1


def test_other_users_completion_does_not_award_this_user(
    issuer, course, django_capture_on_commit_callbacks
):
    AchievementFactory(issuer=issuer, course=course)
    ana, luis = UserFactory(), UserFactory()
    _complete(ana, course, capture=django_capture_on_commit_callbacks)
    assert Award.objects.filter(recipient=luis).count() == 0
    assert Award.objects.filter(recipient=ana).count() == 1


def test_completing_the_english_translation_earns_the_spanish_courses_badge(
    issuer, learner, django_capture_on_commit_callbacks
):
    from wagtail.models import Locale

    spanish = CoursePageFactory(parent=spanish_catalog())
    english = spanish.copy_for_translation(
        Locale.objects.get(language_code="en"), copy_parents=False
    )
    achievement = AchievementFactory(issuer=issuer, course=spanish)
    _complete(learner, english, capture=django_capture_on_commit_callbacks)
    award = Award.objects.get(achievement=achievement, recipient=learner)
    assert award.source == Award.Source.COMPLETION


def test_issuing_is_retried_while_the_key_configuration_is_broken(issuer, learner, settings):
    from credentials import tasks

    settings.LMS_ALLOW_PLAINTEXT_SIGNING_KEYS = False
    settings.LMS_KEY_ENCRYPTION_KEY = ""
    achievement = AchievementFactory(issuer=issuer)
    from celery.exceptions import Retry

    # Eager mode raises the retry instead of sleeping; nothing is half-written meanwhile.
    with pytest.raises(Retry):
        tasks.issue_award.apply(
            kwargs={
                "achievement_id": achievement.pk,
                "user_id": learner.pk,
                "source": "completion",
            },
            throw=True,
        )
    assert not Award.objects.exists()


def test_completion_voided_then_earned_again_over_xapi_issues_a_new_credential(
    issuer, django_capture_on_commit_callbacks
):
    """POST /xapi/statements → engine → credentials: complete, void the learner's completed
    statement (the award is revoked), complete again with a new statement (a new award with a
    new credential is issued; the revoked one stays revoked)."""
    from django.test import Client

    from courses.selectors import course_outline
    from learners.services import enrollment_create
    from tests.courses.factories import build_course
    from tests.lrs.xapi_fixtures import XAPI, make_client
    from tests.progress.engine_support import course_stream, lesson_statement, make_learner, void

    course = build_course(modules=1, lessons=2, passing_score=70)
    achievement = AchievementFactory(issuer=issuer, course=course, credits_available=None)
    learner = make_learner()
    learner.email = "docente.reemite@example.mx"
    learner.save()
    enrollment = enrollment_create(user=learner, course_id=course.pk)
    _lrs_client, auth = make_client()
    lrs = XAPI(Client(), auth)
    stream = course_stream(learner, course_outline(course_id=course.pk), score=0.92)

    with django_capture_on_commit_callbacks(execute=True):
        lrs.store(*stream)
    first = Award.objects.get(achievement=achievement, recipient=learner)
    assert first.revoked_at is None

    completed = next(s for s in reversed(stream) if s["verb"]["id"].endswith("/completed"))
    with django_capture_on_commit_callbacks(execute=True):
        lrs.store(void(completed["id"], learner))
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert not verification.verify_json(first.ob3_credential).valid
    enrollment.refresh_from_db()
    assert enrollment.credentialed_at is None

    again = lesson_statement(
        learner, "completed", completed["object"]["id"], minute=500, statement_id=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        lrs.store(again)

    awards = list(Award.objects.filter(achievement=achievement, recipient=learner).order_by("pk"))
    assert len(awards) == 2
    old, new = awards
    assert old.pk == first.pk
    assert old.revoked_at is not None  # the revoked one stays revoked
    assert old.ob3_credential == first.ob3_credential
    assert new.revoked_at is None and new.uuid != old.uuid
    assert new.ob3_credential["id"] != old.ob3_credential["id"]
    assert new.source == Award.Source.COMPLETION
    assert new.enrollment_id == enrollment.pk
    assert verification.verify_json(new.ob3_credential).valid
    assert not verification.verify_json(old.ob3_credential).valid
    enrollment.refresh_from_db()
    assert enrollment.credentialed_at == new.issued_at

    # Announcing the same completion again changes nothing: still one standing award.
    _complete(
        learner, course, enrollment_id=enrollment.pk, capture=django_capture_on_commit_callbacks
    )
    assert Award.objects.filter(achievement=achievement, recipient=learner).count() == 2


def test_a_staff_revocation_is_not_undone_by_a_new_completion(
    issuer, learner, course, django_capture_on_commit_callbacks
):
    achievement = AchievementFactory(issuer=issuer, course=course)
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    award = Award.objects.get(achievement=achievement, recipient=learner)
    services.award_revoke(award_id=award.pk, reason="Plagio comprobado")
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    assert list(Award.objects.filter(achievement=achievement, recipient=learner)) == [award]
    award.refresh_from_db()
    assert award.revoked_at is not None


def test_a_microcredential_revoked_by_a_void_is_issued_again_when_earned_again(
    issuer, learner, django_capture_on_commit_callbacks
):
    course = CoursePageFactory(parent=spanish_catalog())
    microcredential = MicrocredentialFactory(awarding_body=issuer)
    MicrocredentialCourse.objects.create(microcredential=microcredential, course=course)
    achievement = AchievementFactory(issuer=issuer, microcredential=microcredential)
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        course_completion_revoked.send(
            sender=None, enrollment_id=1, user_id=learner.pk, course_id=course.pk
        )
    _complete(learner, course, capture=django_capture_on_commit_callbacks)
    awards = Award.objects.filter(achievement=achievement, recipient=learner).order_by("pk")
    assert [award.revoked_at is None for award in awards] == [False, True]
    assert awards[1].source == Award.Source.MICROCREDENTIAL
