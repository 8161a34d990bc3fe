"""A packaged lesson's completion reaches the rest of Capacita the way any lesson's does: the
statements go to the LRS and its statement log, and the engine's drain (nudged on commit, as
a worker is) finishes the lesson and the course; the completion issues the course's
credential (credentials app) and the enrolment's report fact counts both (reports app). One
test per format: a cmi5 AU that passes (its LMS ``satisfied``), and a SCORM 2004 lesson once
its three SCOs are satisfied."""

from __future__ import annotations

import pytest
from django.test import Client

from courses.models import LessonPage
from credentials.models import Achievement, Award
from learners.services import enrollment_create
from lrs.models import StatementLogDelivery
from lrs.statement_log import drain
from packages.models import PackageUnit
from packages.services import package_import
from progress.models import CourseProgress, LessonProgress
from reports.models import ReportFact
from tests.packages import builders as b
from tests.packages.test_browser_scorm import publish
from tests.packages.test_cmi5_launch import run_au_to_the_end
from tests.packages.test_scorm_runtime import commit, open_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def workers(settings):
    """The production mode: the engine does not run inside the storing transaction; the log
    is drained by the task its commit nudges (eager here) or by the sweep."""
    settings.LMS_LRS_LOG_INLINE = False


def learner_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def drain_engine(capture) -> None:
    """What the sweep does: apply whatever the nudges left in the log (nothing, normally).
    The engine's transaction announces completions on commit (credentials issue; the
    enrolment's fact is re-synced): run those as a worker would."""
    with capture(execute=True):
        drain(consumers=["progress"])
    assert not StatementLogDelivery.objects.filter(consumer="progress", status="pending").exists()


def assert_course_completed_credentialed_and_reported(enrollment, course, teacher) -> None:
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    progress = CourseProgress.objects.get(user=teacher, course_iri=course.activity_id)
    assert progress.percent == 100 and progress.completed_at is not None
    # The achievement the credentials app made when the course was published.
    achievement = Achievement.objects.get(course=course)
    (award,) = Award.objects.filter(recipient=teacher)
    assert award.achievement == achievement
    assert award.source == Award.Source.COMPLETION and award.enrollment_id == enrollment.pk
    assert enrollment.credentialed_at == award.issued_at
    fact = ReportFact.objects.get(enrollment_id=enrollment.pk)
    assert fact.course_id == course.pk
    assert fact.completed_on == enrollment.completed_at.date()
    assert fact.credentialed_on == award.issued_at.date()
    assert fact.days_to_complete == 0


def assert_nothing_completed(enrollment, teacher) -> None:
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None and enrollment.credentialed_at is None
    assert not Award.objects.filter(recipient=teacher).exists()
    fact = ReportFact.objects.get(enrollment_id=enrollment.pk)
    assert fact.completed_on is None and fact.credentialed_on is None


def test_a_passed_cmi5_au_completes_the_course_issues_its_credential_and_is_reported(
    author, teacher, django_capture_on_commit_callbacks
):
    result = package_import(upload=b.upload(b.block_au_cmi5()), user=author)
    unit = PackageUnit.objects.get(package=result.package)
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    publish(lesson, author)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_create(user=teacher, course_id=result.course.pk)

    client = learner_client(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        # A first session that only completes: moveOn CompletedAndPassed is not met yet.
        run_au_to_the_end(client, unit, passed=False)
    drain_engine(django_capture_on_commit_callbacks)
    assert not LessonProgress.objects.filter(user=teacher, done=True).exists()
    assert_nothing_completed(enrollment, teacher)

    with django_capture_on_commit_callbacks(execute=True):
        run_au_to_the_end(client, unit, completed=False)
    drain_engine(django_capture_on_commit_callbacks)
    assert LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id).done
    assert_course_completed_credentialed_and_reported(enrollment, result.course, teacher)


def sco_run(client: Client, unit: PackageUnit, *, scaled: str = "0.9") -> None:
    """One attempt of a SCORM 2004 SCO that completes and passes, then terminates."""
    launch = open_attempt(client, unit)
    values = {
        "cmi.location": "fin",
        "cmi.progress_measure": "1",
        "cmi.completion_status": "completed",
        "cmi.score.scaled": scaled,
        "cmi.success_status": "passed" if float(scaled) >= 0.6 else "failed",
        "cmi.exit": "normal",
        "cmi.session_time": "PT2M",
    }
    assert commit(client, launch, values, terminate=True).status_code == 200


def test_a_scorm_lesson_whose_scos_are_all_satisfied_completes_the_course_and_is_credentialed(
    author, teacher, django_capture_on_commit_callbacks
):
    from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog

    course = CoursePageFactory(parent=spanish_catalog())
    module = ModulePageFactory(parent=course)
    course.save_revision(user=author).publish(user=author)  # the credentials app follows
    result = package_import(
        upload=b.upload(b.scorm2004()), user=author, mode="lesson", parent_id=module.pk
    )
    first, second, third = PackageUnit.objects.filter(package=result.package).order_by("order")
    lesson = LessonPage.objects.get(pk=first.lesson_id)
    publish(lesson, author)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_create(user=teacher, course_id=course.pk)
    client = learner_client(teacher)

    # Two SCOs satisfied, the third one failed: the lesson is not done.
    with django_capture_on_commit_callbacks(execute=True):
        sco_run(client, first)
        sco_run(client, second)
        sco_run(client, third, scaled="0.3")
    drain_engine(django_capture_on_commit_callbacks)
    assert not LessonProgress.objects.filter(
        user=teacher, lesson_iri=lesson.activity_id, done=True
    ).exists()
    assert_nothing_completed(enrollment, teacher)

    # A new attempt of the third SCO passes: every SCO is satisfied, the lesson is done.
    with django_capture_on_commit_callbacks(execute=True):
        sco_run(client, third)
    drain_engine(django_capture_on_commit_callbacks)
    assert LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id).done
    assert_course_completed_credentialed_and_reported(enrollment, course, teacher)


def test_a_packaged_lesson_tells_the_teacher_it_ends_with_its_content(author, teacher, client):
    """Reaching the end of the page does not complete a lesson that runs an AU or a SCO: its
    end says what does (before, it said the end of the page would)."""
    result = package_import(upload=b.upload(b.block_au_cmi5()), user=author)
    unit = PackageUnit.objects.get(package=result.package)
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    publish(lesson, author)
    enrollment_create(user=teacher, course_id=result.course.pk)
    client.force_login(teacher)
    html = client.get(lesson.url).content.decode()
    end = html.split('id="lesson-end"', 1)[1]
    assert "data-lesson-todo" in end
    assert "cuando termines su contenido empaquetado" in end
    assert "cuando llegues al final" not in end
