"""Enrolment services: prerequisites, duplicates, unenrol and re-enrol, credentials, bulk."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learners.models import Enrollment
from learners.services import (
    enrollment_bulk_create,
    enrollment_cancel,
    enrollment_create,
    enrollment_mark_credentialed,
)
from learners.signals import enrollments_created
from tests.courses.factories import CoursePageFactory, spanish_catalog
from tests.learners.learners_factories import UserFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]


@pytest.fixture
def course():
    return CoursePageFactory(parent=spanish_catalog(), title="Python para docentes")


@pytest.fixture
def advanced(course):
    page = CoursePageFactory(parent=spanish_catalog(), title="Ciencia de datos")
    page.prerequisites.add(course)
    page.save()
    return page


def _rule(error: ValidationError) -> tuple[str, str]:
    field, errors = next(iter(error.error_dict.items()))
    return field, errors[0].code


def test_enrol_in_a_live_course(course):
    user = UserFactory()
    enrollment = enrollment_create(user=user, course_id=course.pk)
    assert (enrollment.user, enrollment.course, enrollment.status) == (user, course, "active")
    assert enrollment.enrolled_at is not None
    assert enrollment.score is None and enrollment.hours_completed == 0


def test_enrol_twice_is_refused(course):
    user = UserFactory()
    enrollment_create(user=user, course_id=course.pk)
    with pytest.raises(ValidationError) as caught:
        enrollment_create(user=user, course_id=course.pk)
    assert _rule(caught.value) == ("course", "already_enrolled")


def test_enrol_in_an_unknown_or_unpublished_course_is_refused(course):
    with pytest.raises(ValidationError) as caught:
        enrollment_create(user=UserFactory(), course_id=999_999)
    assert _rule(caught.value) == ("course", "does_not_exist")
    course.unpublish()
    with pytest.raises(ValidationError) as caught:
        enrollment_create(user=UserFactory(), course_id=course.pk)
    assert _rule(caught.value) == ("course", "does_not_exist")


def test_prerequisites_must_be_completed_first(course, advanced):
    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        enrollment_create(user=user, course_id=advanced.pk)
    assert _rule(caught.value) == ("course", "prerequisites")
    assert "Python para docentes" in caught.value.messages[0]
    first = enrollment_create(user=user, course_id=course.pk)
    with pytest.raises(ValidationError):  # enrolled is not enough: it must be completed
        enrollment_create(user=user, course_id=advanced.pk)
    first.completed_at = timezone.now()
    first.save()
    assert enrollment_create(user=user, course_id=advanced.pk).course == advanced


def test_unenrol_keeps_the_record_and_re_enrol_reactivates_it(course):
    user = UserFactory()
    enrollment = enrollment_create(user=user, course_id=course.pk)
    enrollment.hours_completed = 2.5
    enrollment.save()
    enrollment_cancel(enrollment=enrollment)
    enrollment_cancel(enrollment=enrollment)  # idempotent
    enrollment.refresh_from_db()
    assert enrollment.status == "unenrolled" and enrollment.unenrolled_at is not None
    again = enrollment_create(user=user, course_id=course.pk)
    assert again.pk == enrollment.pk
    assert (again.status, again.unenrolled_at, again.hours_completed) == ("active", None, 2.5)
    assert Enrollment.objects.count() == 1


def test_database_allows_one_active_enrolment_per_user_and_course(course):
    user = UserFactory()
    Enrollment.objects.create(user=user, course=course)
    Enrollment.objects.create(user=user, course=course, status="unenrolled")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(user=user, course=course)


def test_score_outside_0_1_is_refused_by_the_database(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(user=UserFactory(), course=course, score=1.5)


def test_mark_credentialed_keeps_the_first_date(course):
    enrollment = enrollment_create(user=UserFactory(), course_id=course.pk)
    first = timezone.now() - dt.timedelta(days=1)
    enrollment_mark_credentialed(enrollment_id=enrollment.pk, credentialed_at=first)
    enrollment_mark_credentialed(enrollment_id=enrollment.pk, credentialed_at=timezone.now())
    enrollment_mark_credentialed(enrollment_id=999_999, credentialed_at=first)  # ignored
    enrollment.refresh_from_db()
    assert enrollment.credentialed_at == first


def test_bulk_enrolment_enforces_prerequisites_per_user_and_skips_existing(
    course, advanced, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    ready, not_ready, already, left = (UserFactory() for _ in range(4))
    Enrollment.objects.create(user=ready, course=course, completed_at=timezone.now())
    for user in (already, left):
        Enrollment.objects.create(user=user, course=course, completed_at=timezone.now())
    Enrollment.objects.create(user=already, course=advanced)
    Enrollment.objects.create(user=left, course=advanced, status="unenrolled")
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    enrollments_created.connect(receiver)
    try:
        with (
            django_capture_on_commit_callbacks(execute=True),
            django_assert_max_num_queries(12),
        ):
            result = enrollment_bulk_create(
                user_ids=[ready.pk, not_ready.pk, already.pk, left.pk, ready.pk],
                course_id=advanced.pk,
            )
    finally:
        enrollments_created.disconnect(receiver)
    assert (result.created, result.reactivated, result.already) == (1, 1, 1)
    assert set(result.refused) == {not_ready.pk}
    assert result.refused[not_ready.pk][0] == "prerequisites"
    assert Enrollment.objects.filter(course=advanced, status="active").count() == 3
    assert received[0]["course_id"] == advanced.pk
    assert len(received[0]["enrollment_ids"]) == 1


def test_a_concurrent_enrolment_is_reported_as_already_enrolled(course, monkeypatch):
    import learners.services as services

    user = UserFactory()
    original = services._users_missing_prerequisites

    def racing(**kwargs):
        # Another request enrols the same learner between our check and our insert.
        Enrollment.objects.create(user=user, course=course)
        return original(**kwargs)

    monkeypatch.setattr(services, "_users_missing_prerequisites", racing)
    with pytest.raises(ValidationError) as caught:
        enrollment_create(user=user, course_id=course.pk)
    # A clear 400-able error instead of an IntegrityError (500). The simulated rival insert ran
    # inside the same transaction here, so it was rolled back with it.
    assert _rule(caught.value) == ("course", "already_enrolled")


def test_bulk_enrolment_saves_learners_with_an_xapi_identity_one_by_one(course):
    from django.db.models.signals import post_save

    from lrs.identity import learner_actor

    known, new = UserFactory(), UserFactory()
    learner_actor(user=known)  # gives the learner an xAPI identity, as any statement would
    saved: list[int] = []

    def receiver(sender, instance, created, **kwargs):
        if created:
            saved.append(instance.user_id)

    post_save.connect(receiver, sender=Enrollment)
    try:
        result = enrollment_bulk_create(user_ids=[known.pk, new.pk], course_id=course.pk)
    finally:
        post_save.disconnect(receiver, sender=Enrollment)
    assert result.created == 2
    # post_save (which the progress engine uses to catch up with earlier statements) fired for
    # the learner who may have statements; the brand-new one was inserted in bulk.
    assert saved == [known.pk]
    assert Enrollment.objects.filter(course=course, status="active").count() == 2
