"""The progress rules as pure functions: lessons, modules, courses, order and duplicates."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from progress.engine.rules import (
    COMPLETED,
    EXPERIENCED,
    FAILED,
    IN_PROGRESS,
    NOT_STARTED,
    PASSED,
    PROGRESSED,
    STATUS_COMPLETED,
    STATUS_FAILED,
    STATUS_PASSED,
    Evidence,
    LessonInfo,
    LessonState,
    ModuleInfo,
    course_state,
    lesson_state,
    lms_statement_id,
    resume_lesson,
)

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def ev(verb: str, minutes: int, **kwargs) -> Evidence:
    return Evidence(
        statement_id=kwargs.pop("statement_id", str(uuid.uuid4())),
        verb=verb,
        timestamp=T0 + timedelta(minutes=minutes),
        **kwargs,
    )


def test_lesson_without_check_is_done_by_the_earliest_completed():
    first = ev(COMPLETED, 5)
    later = ev(COMPLETED, 9)
    state = lesson_state([ev(EXPERIENCED, 0), later, first], has_check=False)
    assert state.done
    assert state.status == STATUS_COMPLETED
    assert state.completing_statement_id == first.statement_id
    assert state.completed_at == first.timestamp
    assert state.progress_percent == 100
    assert state.first_activity_at == T0
    assert state.last_activity_at == later.timestamp


def test_lesson_with_check_needs_a_pass_not_a_completion():
    state = lesson_state([ev(COMPLETED, 1), ev(FAILED, 2, scaled=0.4)], has_check=True)
    assert not state.done
    assert state.status == STATUS_FAILED
    assert state.best_score == 0.4
    assert state.passed_score is None
    assert state.progress_percent == 99

    passed = ev(PASSED, 3, scaled=0.8)
    state = lesson_state(
        [ev(COMPLETED, 1), ev(FAILED, 2, scaled=0.4), passed, ev(PASSED, 4, scaled=0.9)],
        has_check=True,
    )
    assert state.done and state.status == STATUS_PASSED
    assert state.completing_statement_id == passed.statement_id
    assert state.passed_score == 0.9 and state.best_score == 0.9


def test_a_pass_on_a_lesson_without_check_does_not_complete_it():
    state = lesson_state([ev(PASSED, 1)], has_check=False)
    assert not state.done and state.status == IN_PROGRESS


def test_a_pass_on_a_part_of_the_lesson_does_not_complete_it():
    state = lesson_state([ev(PASSED, 1, on_lesson=False)], has_check=True)
    assert not state.done and state.status == IN_PROGRESS


def test_progress_is_the_highest_seen_and_below_100_until_done():
    state = lesson_state(
        [ev(PROGRESSED, 1, progress=60), ev(PROGRESSED, 2, progress=30)], has_check=False
    )
    assert state.progress_percent == 60 and state.status == IN_PROGRESS
    assert lesson_state([], has_check=False) == LessonState(status=NOT_STARTED)


def test_pass_without_score_counts_as_full_marks():
    assert lesson_state([ev(PASSED, 1)], has_check=True).passed_score == 1.0


def _course() -> list[ModuleInfo]:
    return [
        ModuleInfo(
            "m1",
            [LessonInfo("l1", False, True, 30), LessonInfo("l2", True, True, 30)],
        ),
        ModuleInfo("m2", [LessonInfo("l3", True, True, 60), LessonInfo("opt", False, False, 15)]),
        ModuleInfo("empty", []),
    ]


def _done(minutes: int, *, score: float | None = None) -> LessonState:
    return LessonState(
        status=STATUS_PASSED if score is not None else STATUS_COMPLETED,
        done=True,
        completing_statement_id=f"s{minutes}",
        completed_at=T0 + timedelta(minutes=minutes),
        passed_score=score,
        best_score=score,
        progress_percent=100,
        first_activity_at=T0 + timedelta(minutes=minutes - 1),
        last_activity_at=T0 + timedelta(minutes=minutes),
    )


def test_module_done_when_its_required_lessons_are_and_course_with_passing_score():
    lessons = {"l1": _done(1), "l2": _done(2, score=0.8)}
    state = course_state(_course(), lessons, passing_score=70)
    assert [m.done for m in state.modules] == [True, False, False]
    assert state.modules[0].completed_at == T0 + timedelta(minutes=2)
    assert not state.done and state.percent == 66
    assert state.resume_activity_id == "l3"

    lessons["l3"] = _done(3, score=0.7)
    state = course_state(_course(), lessons, passing_score=70)
    assert state.done and state.percent == 100
    assert state.score == 0.75
    assert state.completed_at == T0 + timedelta(minutes=3)
    assert state.hours == 2.0  # 30 + 30 + 60 minutes; the optional lesson was not done
    assert state.started_at == T0 and state.resume_activity_id == "opt"


def test_course_below_passing_score_is_not_done_even_with_every_lesson_done():
    lessons = {"l1": _done(1), "l2": _done(2, score=0.6), "l3": _done(3, score=0.7)}
    state = course_state(_course(), lessons, passing_score=70)
    assert all(m.done for m in state.modules[:2])
    assert not state.done and state.percent == 99 and state.score == 0.65


def test_course_without_checks_needs_completion_only():
    modules = [ModuleInfo("m", [LessonInfo("a", False, True, 10)])]
    state = course_state(modules, {"a": _done(1)}, passing_score=100)
    assert state.done and state.score is None
    assert not course_state([ModuleInfo("m", [])], {}, passing_score=0).done


def test_rules_ignore_order_and_duplicates():
    items = [
        ev(EXPERIENCED, 0),
        ev(PROGRESSED, 1, progress=40),
        ev(FAILED, 2, scaled=0.3),
        ev(PASSED, 3, scaled=0.9),
        ev(PASSED, 4, scaled=0.75),
        ev(COMPLETED, 5),
    ]
    expected = lesson_state(items, has_check=True)
    rng = random.Random(4)
    for _ in range(20):
        shuffled = items + rng.sample(items, 3)
        rng.shuffle(shuffled)
        assert lesson_state(shuffled, has_check=True) == expected


def test_resume_points_at_the_unfinished_lesson_last_worked_on():
    lessons = [LessonInfo(i, False, True, 5) for i in ("a", "b", "c")]
    started = LessonState(status=IN_PROGRESS, last_activity_at=T0 + timedelta(minutes=9))
    assert resume_lesson(lessons, {}) == "a"
    assert resume_lesson(lessons, {"a": _done(1), "b": started}) == "b"
    assert resume_lesson(lessons, {"b": _done(10), "a": started}) == "c"
    assert resume_lesson(lessons, {i: _done(1) for i in "abc"}) is None


def test_lms_statement_ids_are_reproducible_and_depend_on_the_facts():
    one = lms_statement_id(kind="module", actor_name="7", activity_id="m", basis=["b", "a"])
    assert one == lms_statement_id(kind="module", actor_name="7", activity_id="m", basis=["a", "b"])
    assert one != lms_statement_id(kind="module", actor_name="7", activity_id="m", basis=["a"])
    assert uuid.UUID(one).version == 5
