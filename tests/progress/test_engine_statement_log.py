"""The engine off the request path: it consumes the LRS's statement log in workers, applies a
learner's statements in order, catches a learner up when she reads her own progress, rebuilds
the same rows with recompute_progress, and runs end to end in a real Celery worker."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from courses.selectors import course_outline
from learners.models import Enrollment
from lrs.models import StatementLogDelivery
from lrs.statement_log import drain
from progress.models import CourseProgress, LessonProgress
from tests.courses.factories import build_course
from tests.progress.engine_support import (
    course_stream,
    lesson_statement,
    make_learner,
    snapshot,
    store,
    void,
)


@pytest.fixture
def course():
    return build_course(modules=2, lessons=2, passing_score=70)


@pytest.fixture
def outline(course):
    return course_outline(course_id=course.pk)


@pytest.fixture
def workers(settings):
    """The production mode: statements wait in the log until a drain (or a catch-up)."""
    settings.LMS_LRS_LOG_INLINE = False


def pending() -> int:
    return StatementLogDelivery.objects.filter(consumer="progress", status="pending").count()


@pytest.mark.django_db
def test_storing_only_appends_to_the_log_and_a_drain_applies_it(outline, workers):
    user = make_learner()
    lesson = outline.modules[0].lessons[1]
    store(lesson_statement(user, "completed", lesson.activity_id, minute=5))
    assert not LessonProgress.objects.exists()  # nothing of the engine ran in the store
    assert pending() == 1
    assert drain(consumers=["progress"]).applied == 1
    row = LessonProgress.objects.get(user=user, lesson_iri=lesson.activity_id)
    assert (row.status, row.done) == ("completed", True)
    assert pending() == 0


@pytest.mark.django_db
def test_a_learners_statements_are_applied_in_stored_order_voiding_included(outline, workers):
    user = make_learner()
    other = make_learner()
    lesson = outline.modules[0].lessons[1]
    done = lesson_statement(user, "completed", lesson.activity_id, minute=5)
    store(done)
    store(lesson_statement(other, "completed", lesson.activity_id, minute=6))
    store(void(done["id"], user))  # undoes the first, so must come after it
    drain(consumers=["progress"])
    assert not LessonProgress.objects.filter(user=user).exists()
    assert LessonProgress.objects.get(user=other).done


@pytest.mark.django_db
def test_her_own_progress_api_shows_what_she_just_sent_and_how_fresh_it_is(
    course, outline, workers
):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    first, second = outline.modules[0].lessons
    store(
        lesson_statement(user, "passed", first.activity_id, minute=1, scaled=0.8),
        lesson_statement(user, "progressed", second.activity_id, minute=2, progress=40),
    )
    assert pending() == 1
    client = APIClient()
    client.force_authenticate(user)
    body = client.get(reverse("api:me-progress", kwargs={"course_id": course.pk})).json()
    assert body["percent"] == 25  # her pending entries were applied before the read
    assert body["freshness"]["pending"] == 0
    assert body["freshness"]["log_position"] >= 1 and body["freshness"]["applied_at"]
    assert pending() == 0


@pytest.mark.django_db
def test_a_learner_is_caught_up_only_with_her_own_statements(course, outline, workers):
    user, other = make_learner(), make_learner()
    Enrollment.objects.create(user=user, course=course)
    lesson = outline.modules[0].lessons[1]
    store(lesson_statement(user, "completed", lesson.activity_id, minute=5))
    store(lesson_statement(other, "completed", lesson.activity_id, minute=6))
    client = APIClient()
    client.force_authenticate(user)
    client.get(reverse("api:me-progress", kwargs={"course_id": course.pk}))
    assert LessonProgress.objects.filter(user=user).exists()
    assert not LessonProgress.objects.filter(user=other).exists()
    assert pending() == 1


@pytest.mark.django_db
def test_recompute_rebuilds_the_rows_the_log_consumer_made(outline, workers):
    users = [make_learner() for _ in range(3)]
    for index, user in enumerate(users):
        for statement in course_stream(user, outline, score=0.6 + 0.1 * index):
            store(statement)
    drain(consumers=["progress"])
    incremental = {user.pk: snapshot(user) for user in users}
    assert CourseProgress.objects.count() == 3
    call_command("recompute_progress", verbosity=0)
    assert {user.pk: snapshot(user) for user in users} == incremental


@pytest.mark.services
def test_a_real_worker_applies_the_log_after_the_commit(outline, celery_worker_process, settings):
    settings.LMS_LRS_LOG_INLINE = False
    user = make_learner()
    lesson = outline.modules[0].lessons[1]
    store(lesson_statement(user, "completed", lesson.activity_id, minute=5))  # commits
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if LessonProgress.objects.filter(user=user, done=True).exists():
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker did not apply the log within 30 s ({pending()} pending)")
    assert pending() == 0


@pytest.mark.django_db
def test_a_batch_costs_the_same_queries_for_2_or_12_learners(course, outline, workers):
    """The engine reads a batch's rows ahead and writes lessons and courses in one upsert each:
    beyond one write per enrolment whose figures changed, the SQL of a batch does not grow with
    the learners in it (it grew by sixteen queries per learner, which made the drain fall
    behind the ingest)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lrs.models import StatementLogEntry
    from lrs.statement_log import LogEntry
    from progress.engine.receivers import on_log_entries

    first, second = outline.modules[0].lessons[:2]

    def queries_for(learners: int) -> int:
        last = StatementLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for _ in range(learners):
            user = make_learner()
            Enrollment.objects.create(user=user, course=course)
            store(lesson_statement(user, "completed", first.activity_id, minute=5))
            store(lesson_statement(user, "experienced", second.activity_id, minute=6))
        entries = [
            LogEntry(
                position=row.pk,
                kind=row.kind,
                partition=row.partition,
                statement_ids=list(row.statement_ids),
                created_at=row.created_at,
            )
            for row in StatementLogEntry.objects.filter(pk__gt=last).order_by("pk")
        ]
        with CaptureQueriesContext(connection) as captured:
            on_log_entries(entries)
        table = f'UPDATE "{Enrollment._meta.db_table}"'
        enrolments = [q for q in captured if q["sql"].startswith(table)]
        # Each learner's enrolment takes her new figures (hours, start): one write each.
        assert len(enrolments) == learners
        return len(captured) - len(enrolments)

    queries_for(1)  # the course structure is read once and kept
    few, many = queries_for(2), queries_for(12)
    assert many == few, (few, many)
    assert LessonProgress.objects.count() == 30
    assert CourseProgress.objects.count() == 15
    assert all(e.started_at is not None for e in Enrollment.objects.all())


@pytest.mark.django_db
def test_statements_of_actors_who_are_not_learners_are_not_sent_to_the_engine(outline, workers):
    """The engine accepts only our learners' account agents: another tool's statements by an
    e-mail agent, or an account on another site, write no progress delivery."""
    from lrs.services import statements_store

    lesson = outline.modules[0].lessons[1]
    user = make_learner()
    learner = lesson_statement(user, "completed", lesson.activity_id, minute=5)
    by_mail = {**learner, "id": str(uuid.uuid4()), "actor": {"mbox": "mailto:x@example.org"}}
    elsewhere = {
        **learner,
        "id": str(uuid.uuid4()),
        "actor": {
            "account": {
                "homePage": "https://otro.example",
                "name": learner["actor"]["account"]["name"],
            }
        },
    }
    statements_store(statements=[by_mail, elsewhere])
    assert pending() == 0
    store(learner)
    assert pending() == 1
