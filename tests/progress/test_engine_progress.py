"""The progress engine fed by the LRS: lessons, modules, courses, the LMS's own statements,
events, order independence, duplicates, voiding and recompute == incremental."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from courses.selectors import course_outline
from learners.models import Enrollment
from lrs.models import Statement
from progress import signals
from progress.models import CourseProgress, LessonProgress, ModuleProgress, ProgressEvidence
from tests.courses.factories import build_course
from tests.progress.engine_support import (
    course_stream,
    lesson_statement,
    make_learner,
    snapshot,
    store,
    void,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    # Two modules of two lessons; the first lesson of each has a knowledge check.
    return build_course(modules=2, lessons=2, passing_score=70)


@pytest.fixture
def outline(course):
    return course_outline(course_id=course.pk)


@pytest.fixture
def events():
    received: list[tuple[str, dict]] = []

    def recorder(name):
        def receive(sender, signal, **kwargs):
            received.append((name, kwargs))

        return receive

    handlers = {
        "module_completed": recorder("module_completed"),
        "course_completed": recorder("course_completed"),
        "course_completion_revoked": recorder("course_completion_revoked"),
    }
    for name, handler in handlers.items():
        getattr(signals, name).connect(handler)
    yield received
    for name, handler in handlers.items():
        getattr(signals, name).disconnect(handler)


def lesson_row(user, lesson):
    return LessonProgress.objects.get(user=user, lesson_iri=lesson.activity_id)


def test_a_lesson_without_check_is_done_by_completed_on_its_iri(outline):
    user = make_learner()
    plain = outline.modules[0].lessons[1]
    assert not plain.has_knowledge_check
    store(lesson_statement(user, "experienced", plain.activity_id, minute=1))
    row = lesson_row(user, plain)
    assert (row.status, row.done, row.progress_percent) == ("in_progress", False, 0)
    first = lesson_statement(user, "completed", plain.activity_id, minute=5)
    store(first, lesson_statement(user, "completed", plain.activity_id, minute=9))
    row = lesson_row(user, plain)
    assert (row.status, row.done, row.progress_percent) == ("completed", True, 100)
    assert str(row.completing_statement_id) == first["id"]


def test_a_lesson_with_a_check_is_done_by_passed_not_by_completed(outline):
    user = make_learner()
    checked = outline.modules[0].lessons[0]
    assert checked.has_knowledge_check
    store(
        lesson_statement(user, "completed", checked.activity_id, minute=1),
        lesson_statement(user, "failed", checked.activity_id, minute=2, scaled=0.4),
    )
    row = lesson_row(user, checked)
    assert (row.status, row.done, row.best_score) == ("failed", False, 0.4)
    store(lesson_statement(user, "passed", checked.activity_id, minute=3, scaled=0.8))
    row = lesson_row(user, checked)
    assert (row.status, row.done, row.best_score) == ("passed", True, 0.8)


def test_statements_from_strangers_or_about_other_activities_change_nothing(outline):
    user = make_learner()
    store(
        {
            "actor": {"objectType": "Agent", "mbox": "mailto:alguien@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"objectType": "Activity", "id": outline.lessons[0].activity_id},
        },
        lesson_statement(user, "completed", "http://example.com/not-ours"),
    )
    assert not ProgressEvidence.objects.exists()
    assert not LessonProgress.objects.exists()


def test_module_completion_makes_an_lms_statement_and_sends_module_completed(
    outline, events, django_capture_on_commit_callbacks
):
    user = make_learner()
    module = outline.modules[0]
    checked, plain = module.lessons
    with django_capture_on_commit_callbacks(execute=True):
        store(
            lesson_statement(user, "passed", checked.activity_id, minute=3, scaled=0.9),
            lesson_statement(user, "completed", plain.activity_id, minute=7),
        )
    row = ModuleProgress.objects.get(user=user, module_iri=module.activity_id)
    lms = Statement.objects.get(statement_id=row.statement_id)
    assert lms.data["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert lms.data["object"]["id"] == module.activity_id
    assert lms.data["authority"]["account"]["name"] == "capacita"
    assert lms.data["actor"]["account"]["name"] == user.learner_identity.account_name
    assert lms.data["context"]["contextActivities"]["parent"][0]["id"] == outline.activity_id
    assert lms.timestamp == row.completed_at
    assert [name for name, _ in events] == ["module_completed"]
    kwargs = events[0][1]
    assert kwargs["user_id"] == user.pk and kwargs["module_activity_id"] == module.activity_id
    assert kwargs["completed_at"] == row.completed_at
    assert not CourseProgress.objects.get(user=user).completed_at


def test_the_course_completes_when_modules_are_done_and_the_score_passes(
    outline, django_capture_on_commit_callbacks
):
    user = make_learner()
    with django_capture_on_commit_callbacks(execute=True):
        store(*course_stream(user, outline, score=0.8))
    course = CourseProgress.objects.get(user=user, course_iri=outline.activity_id)
    assert course.completed_at is not None and course.percent == 100
    assert course.score == pytest.approx(0.8)
    assert course.hours == pytest.approx(4 * 15 / 60)
    lms = Statement.objects.get(statement_id=course.statement_id)
    assert lms.data["object"]["id"] == outline.activity_id
    assert lms.data["result"]["score"]["scaled"] == pytest.approx(0.8)
    assert ModuleProgress.objects.filter(user=user).count() == 2


def test_the_course_does_not_complete_below_the_passing_score(outline):
    user = make_learner()
    store(*course_stream(user, outline, score=0.6))
    course = CourseProgress.objects.get(user=user)
    assert course.completed_at is None and course.percent == 99
    assert course.score == pytest.approx(0.6)
    assert ModuleProgress.objects.filter(user=user).count() == 2  # modules are done
    # A better pass on one check lifts the mean over the passing score.
    store(lesson_statement(user, "passed", outline.lessons[0].activity_id, minute=99, scaled=1.0))
    course.refresh_from_db()
    assert course.score == pytest.approx(0.8) and course.completed_at is not None


def test_any_order_and_any_duplicates_give_the_same_progress(outline):
    reference = make_learner("en-orden")
    stream = course_stream(reference, outline)
    store(*stream)
    expected = snapshot(reference)
    rng = random.Random(2026)
    for attempt in range(3):
        learner = make_learner(f"desorden-{attempt}")
        mine = course_stream(learner, outline)
        shuffled = mine + rng.sample(mine, 4)  # late duplicates of some statements
        rng.shuffle(shuffled)
        for statement in shuffled:  # one request per statement, in a random order
            store(statement)
        store(*mine[:5])  # a batch of repeats
        got = snapshot(learner)
        # Only the LMS statement ids differ (they name the learner); compare everything else.
        assert _without_ids(got) == _without_ids(expected)


def _without_ids(snap):
    return {
        kind: {
            iri: {
                k: v for k, v in row.items() if k not in ("statement_id", "completing_statement_id")
            }
            for iri, row in rows.items()
        }
        for kind, rows in snap.items()
    }


def test_voiding_the_completing_statement_reverts_lesson_module_and_course(
    outline, events, django_capture_on_commit_callbacks
):
    user = make_learner()
    stream = course_stream(user, outline)
    with django_capture_on_commit_callbacks(execute=True):
        store(*stream)
    course = CourseProgress.objects.get(user=user)
    course_statement = course.statement_id
    last_plain = outline.modules[1].lessons[1]
    completing = lesson_row(user, last_plain).completing_statement_id
    events.clear()

    with django_capture_on_commit_callbacks(execute=True):
        store(void(str(completing), user))
    row = lesson_row(user, last_plain)
    assert (row.done, row.status) == (False, "in_progress")
    assert not ModuleProgress.objects.filter(
        user=user, module_iri=outline.modules[1].activity_id
    ).exists()
    course.refresh_from_db()
    assert course.completed_at is None and course.statement_id is None and course.percent == 75
    # The LMS voided its own course and module statements.
    assert Statement.objects.get(statement_id=course_statement).voided
    assert Statement.objects.filter(verb__endswith="/voided", ref_target=course_statement).exists()

    # Completing the lesson again completes the course again.
    with django_capture_on_commit_callbacks(execute=True):
        store(lesson_statement(user, "completed", last_plain.activity_id, minute=500))
    course.refresh_from_db()
    assert course.completed_at is not None and course.statement_id != course_statement
    assert [name for name, _ in events].count("module_completed") == 1


def test_voiding_a_duplicate_completion_keeps_the_lesson_done(outline):
    user = make_learner()
    plain = outline.modules[0].lessons[1]
    first = lesson_statement(user, "completed", plain.activity_id, minute=1)
    second = lesson_statement(user, "completed", plain.activity_id, minute=2)
    store(first, second)
    store(void(first["id"], user))
    row = lesson_row(user, plain)
    assert row.done and str(row.completing_statement_id) == second["id"]


def _messy_history(outline):
    learners = [make_learner(f"historia-{i}") for i in range(3)]
    rng = random.Random(7)
    for i, user in enumerate(learners):
        stream = course_stream(user, outline, score=[0.9, 0.6, 0.75][i])
        rng.shuffle(stream)
        store(*stream)
    # The first learner loses a completion to a void, then gets it back late.
    target = lesson_row(learners[0], outline.lessons[-1]).completing_statement_id
    store(void(str(target), learners[0]))
    store(lesson_statement(learners[0], "completed", outline.lessons[-1].activity_id, minute=900))
    # The second voids a pass on an unfinished course.
    store(
        void(str(lesson_row(learners[1], outline.lessons[0]).completing_statement_id), learners[1])
    )
    return learners


def test_recompute_gives_the_same_rows_as_the_incremental_engine(outline):
    learners = _messy_history(outline)
    incremental = {user.pk: snapshot(user) for user in learners}
    lms_statements = Statement.objects.count()

    call_command("recompute_progress", "--quiet")
    assert {user.pk: snapshot(user) for user in learners} == incremental
    assert Statement.objects.count() == lms_statements  # nothing new to say

    # From nothing at all (e.g. after a restore of the statement store only).
    for model in (ProgressEvidence, LessonProgress, ModuleProgress, CourseProgress):
        model.objects.all().delete()
    call_command("recompute_progress", "--quiet")
    assert _without_ids({u.pk: snapshot(u) for u in learners}) == _without_ids(incremental)


def test_course_completed_and_revoked_are_sent_per_active_enrolment_with_figures(
    course, outline, events, django_capture_on_commit_callbacks
):
    user = make_learner()
    enrollment = Enrollment.objects.create(user=user, course=course)
    stream = course_stream(user, outline, score=0.8)
    with django_capture_on_commit_callbacks(execute=True):
        store(*stream)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None and enrollment.score == pytest.approx(0.8)
    assert enrollment.hours_completed == pytest.approx(1.0)
    assert enrollment.started_at == min(
        LessonProgress.objects.filter(user=user).values_list("first_activity_at", flat=True)
    )
    completed = [kwargs for name, kwargs in events if name == "course_completed"]
    assert completed == [
        {
            "enrollment_id": enrollment.pk,
            "user_id": user.pk,
            "course_id": course.pk,
            "completed_at": enrollment.completed_at,
            "score": pytest.approx(0.8),
        }
    ]
    events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        store(void(stream[-1]["id"], user))
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    assert events == [
        (
            "course_completion_revoked",
            {"enrollment_id": enrollment.pk, "user_id": user.pk, "course_id": course.pk},
        )
    ]


def test_an_enrolment_made_after_the_statements_catches_up(
    course, outline, events, django_capture_on_commit_callbacks
):
    user = make_learner()
    store(*course_stream(user, outline))
    assert CourseProgress.objects.get(user=user).completed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = Enrollment.objects.create(user=user, course=course)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None and enrollment.started_at is not None
    # Already complete before the enrolment: no completion event is invented for it.
    assert "course_completed" not in [name for name, _ in events]


def test_a_lesson_row_created_concurrently_is_updated_not_duplicated(outline):
    """Lesson rows are written with one upsert per batch: a row another writer made (or a stale
    one) is brought up to date, never doubled, and the statement does not fail."""
    user = make_learner()
    plain = outline.modules[0].lessons[1]
    LessonProgress.objects.create(user=user, lesson_iri=plain.activity_id, status="attempted")
    store(lesson_statement(user, "completed", plain.activity_id, minute=5))
    rows = LessonProgress.objects.filter(user=user, lesson_iri=plain.activity_id)
    assert rows.count() == 1
    assert (rows.get().status, rows.get().done) == ("completed", True)


def test_a_course_row_created_concurrently_is_updated_not_duplicated(outline, monkeypatch):
    """The engine reads a batch's course rows ahead; when another transaction creates one after
    that read (an enrolment's refresh), the batch's upsert updates it instead of failing."""
    from progress.engine import core

    user = make_learner()
    plain = outline.modules[0].lessons[1]
    store(lesson_statement(user, "experienced", plain.activity_id, minute=1))
    assert CourseProgress.objects.filter(user=user).count() == 1
    real_load = core.Prefetched.load

    def load_missing_the_course_rows(user_ids):
        found = real_load(user_ids)
        found.courses = {}  # as if the row did not exist yet when we looked
        return found

    monkeypatch.setattr(core.Prefetched, "load", load_missing_the_course_rows)
    store(lesson_statement(user, "completed", plain.activity_id, minute=5))
    rows = CourseProgress.objects.filter(user=user)
    assert rows.count() == 1
    assert rows.get().percent > 0 and rows.get().last_activity_at is not None
