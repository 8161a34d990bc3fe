"""End to end with the real progress app: statements into the LRS → progress engine →
``course_completed`` → issuing task → award on the enrolment → anyone verifies it; a void
of the completion revokes it."""

from __future__ import annotations

import pytest

from courses.selectors import course_outline
from credentials import verification
from credentials.models import Award
from learners.services import enrollment_create
from tests.courses.factories import build_course
from tests.credentials.factories import AchievementFactory
from tests.progress.engine_support import course_stream, make_learner, store, void

pytestmark = pytest.mark.django_db


def test_statements_completing_a_course_issue_a_verifiable_credential_on_the_enrolment(
    issuer, django_capture_on_commit_callbacks
):
    course = build_course(modules=1, lessons=2, passing_score=70)
    achievement = AchievementFactory(issuer=issuer, course=course, credits_available=None)
    learner = make_learner()
    learner.email = "docente.e2e@example.mx"
    learner.save()
    enrollment = enrollment_create(user=learner, course_id=course.pk)
    stream = course_stream(learner, course_outline(course_id=course.pk), score=0.92)
    with django_capture_on_commit_callbacks(execute=True):
        store(*stream)
    award = Award.objects.get(achievement=achievement, recipient=learner)
    assert award.enrollment_id == enrollment.pk
    assert award.source == Award.Source.COMPLETION
    assert verification.verify_json(award.ob3_credential).valid
    assert verification.verify_jwt(award.ob3_jwt).valid
    enrollment.refresh_from_db()
    assert enrollment.credentialed_at == award.issued_at

    # Voiding the statement that completed the last lesson undoes the completion.
    last_completed = next(s for s in reversed(stream) if s["verb"]["id"].endswith("/completed"))
    with django_capture_on_commit_callbacks(execute=True):
        store(void(last_completed["id"], learner))
    award.refresh_from_db()
    assert award.revoked_at is not None
    assert not verification.verify_json(award.ob3_credential).valid
    enrollment.refresh_from_db()
    assert enrollment.credentialed_at is None  # reports no longer count it as credentialed
