"""The progress rules as pure functions over plain data (no ORM, no I/O).

Everything the engine stores is a function of the *set* of a learner's non-voided statements,
so the order they arrive in, duplicates and late arrivals cannot change the result. Ties are
broken by ``(timestamp, statement_id)`` so "the earliest" is the same however the set was
built. See docs/progress.md for the rules in prose.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

# Short verb names the engine keeps (the ADL verb IRI's last segment).
COMPLETED = "completed"
PASSED = "passed"
FAILED = "failed"
PROGRESSED = "progressed"
EXPERIENCED = "experienced"
ANSWERED = "answered"
SATISFIED = "satisfied"  # the LMS's cmi5 satisfied about the lesson (its AU's moveOn is met)

# Lesson statuses, from "nothing seen" to "done".
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
STATUS_COMPLETED = "completed"
STATUS_PASSED = "passed"
STATUS_FAILED = "failed"

# Namespace of the ids of the statements the LMS makes itself: the same facts give the same
# id, so emitting twice (or recomputing) stores nothing new.
LMS_STATEMENT_NAMESPACE = uuid.UUID("8f1f6d1e-54a4-4f57-9d43-3b0f7c8f2a61")


@dataclass(frozen=True)
class Evidence:
    """What one statement says about one learner's lesson (see ``facts.evidence_from``)."""

    statement_id: str
    verb: str
    timestamp: datetime
    on_lesson: bool = True  # False: the object is a part of the lesson (a knowledge check)
    success: bool | None = None
    completion: bool | None = None
    scaled: float | None = None
    progress: int | None = None

    @property
    def order_key(self) -> tuple[datetime, str]:
        return (self.timestamp, self.statement_id)


@dataclass(frozen=True)
class LessonState:
    status: str = NOT_STARTED
    done: bool = False
    completing_statement_id: str | None = None
    completed_at: datetime | None = None
    best_score: float | None = None
    # The score the course average uses: best scaled score of a passed attempt.
    passed_score: float | None = None
    progress_percent: int = 0
    first_activity_at: datetime | None = None
    last_activity_at: datetime | None = None


def lesson_state(evidence: Iterable[Evidence], *, has_check: bool) -> LessonState:
    """The state of one lesson for one learner, from all their evidence on it.

    A lesson without a knowledge check is done by the earliest ``completed`` on the lesson's
    IRI; a lesson with one by the earliest ``passed``; any lesson by the LMS's cmi5
    ``satisfied`` about it. ``failed`` marks a checked lesson failed
    until a pass. Progress is the highest cmi5 progress seen (100 once done, at most 99 before).
    """
    items = sorted(evidence, key=lambda e: e.order_key)
    if not items:
        return LessonState()
    on_lesson = [e for e in items if e.on_lesson]
    completions = [e for e in on_lesson if e.verb == COMPLETED]
    passes = [e for e in on_lesson if e.verb == PASSED]
    fails = [e for e in on_lesson if e.verb == FAILED]
    satisfactions = [e for e in on_lesson if e.verb == SATISFIED]

    # A packaged cmi5 lesson is done when the LMS states it satisfied (its AU's moveOn).
    completing = sorted(
        (passes if has_check else completions)[:1] + satisfactions[:1], key=lambda e: e.order_key
    )[:1]
    done = bool(completing)
    if has_check:
        status = STATUS_PASSED if passes else STATUS_FAILED if fails else IN_PROGRESS
    else:
        status = STATUS_COMPLETED if completions else IN_PROGRESS
    if satisfactions and status in (IN_PROGRESS, STATUS_FAILED):
        status = STATUS_COMPLETED

    passed_scores = [_score(e) for e in passes]
    failed_scores = [e.scaled for e in fails if e.scaled is not None]
    passed_score = max(passed_scores) if passed_scores else None
    best_score = passed_score if passed_score is not None else max(failed_scores, default=None)

    if done:
        percent = 100
    else:
        seen = [e.progress for e in items if e.progress is not None]
        if completions:
            seen.append(100)
        percent = min(99, max(seen, default=0))
    return LessonState(
        status=status,
        done=done,
        completing_statement_id=completing[0].statement_id if done else None,
        completed_at=completing[0].timestamp if done else None,
        best_score=best_score,
        passed_score=passed_score,
        progress_percent=percent,
        first_activity_at=items[0].timestamp,
        last_activity_at=items[-1].timestamp,
    )


def _score(evidence: Evidence) -> float:
    # A pass without a score (an external tool that only says "passed") counts as full marks.
    return 1.0 if evidence.scaled is None else evidence.scaled


@dataclass(frozen=True)
class LessonInfo:
    """The course structure the rules need about one lesson."""

    activity_id: str
    has_check: bool
    required: bool
    estimated_minutes: int


@dataclass(frozen=True)
class ModuleInfo:
    activity_id: str
    lessons: Sequence[LessonInfo]

    @property
    def counted_lessons(self) -> list[LessonInfo]:
        return [lesson for lesson in self.lessons if lesson.required]


@dataclass(frozen=True)
class ModuleState:
    activity_id: str
    done: bool
    completed_at: datetime | None
    # The statements that completed its required lessons: they name the module completion.
    completing_statement_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CourseState:
    done: bool
    completed_at: datetime | None
    percent: int
    score: float | None
    hours: float
    started_at: datetime | None
    last_activity_at: datetime | None
    modules: tuple[ModuleState, ...]
    resume_activity_id: str | None
    completing_statement_ids: tuple[str, ...] = ()


def module_state(module: ModuleInfo, lessons: dict[str, LessonState]) -> ModuleState:
    """A module is done when all its required lessons are; it completes with the last of them."""
    counted = module.counted_lessons
    states = [lessons.get(lesson.activity_id, LessonState()) for lesson in counted]
    done = bool(counted) and all(state.done for state in states)
    if not done:
        return ModuleState(activity_id=module.activity_id, done=False, completed_at=None)
    # A done lesson has both its completion time and the statement that completed it.
    return ModuleState(
        activity_id=module.activity_id,
        done=True,
        completed_at=max(
            (s.completed_at for s in states if s.completed_at is not None), default=None
        ),
        completing_statement_ids=tuple(
            sorted(
                s.completing_statement_id for s in states if s.completing_statement_id is not None
            )
        ),
    )


def course_score(modules: Sequence[ModuleInfo], lessons: dict[str, LessonState]) -> float | None:
    """The learner's course score: the mean, over the required lessons that have a knowledge
    check, of the best scaled score of a passed attempt (0 for a lesson not passed yet).

    None when the course has no required knowledge check (then only completion counts).
    """
    checked = [
        lesson.activity_id
        for module in modules
        for lesson in module.counted_lessons
        if lesson.has_check
    ]
    if not checked:
        return None
    # Scaled scores may be negative in xAPI; a course score is a share, 0-1.
    total = sum(
        max(0.0, min(1.0, (lessons.get(iri) or LessonState()).passed_score or 0.0))
        for iri in checked
    )
    return round(total / len(checked), 6)


def course_state(
    modules: Sequence[ModuleInfo], lessons: dict[str, LessonState], *, passing_score: int
) -> CourseState:
    """The course for one learner: done when every module that has required lessons is done
    and the score (if any) reaches ``passing_score`` (0-100); it completes with the last
    module. ``percent`` is the share of required lessons done, kept below 100 until done.
    """
    module_states = tuple(module_state(module, lessons) for module in modules)
    counted = [(m, s) for m, s in zip(modules, module_states, strict=True) if m.counted_lessons]
    score = course_score(modules, lessons)
    passes = score is None or score + 1e-9 >= passing_score / 100
    done = bool(counted) and all(s.done for _, s in counted) and passes
    required = [lesson for module in modules for lesson in module.counted_lessons]
    done_required = sum(1 for lesson in required if _done(lessons, lesson.activity_id))
    if done:
        percent = 100
    elif required:
        percent = min(99, math.floor(100 * done_required / len(required)))
    else:
        percent = 0
    all_lessons = [lesson for module in modules for lesson in module.lessons]
    minutes = sum(l.estimated_minutes for l in all_lessons if _done(lessons, l.activity_id))  # noqa: E741
    seen = [lessons[l.activity_id] for l in all_lessons if l.activity_id in lessons]  # noqa: E741
    firsts = [s.first_activity_at for s in seen if s.first_activity_at]
    lasts = [s.last_activity_at for s in seen if s.last_activity_at]
    return CourseState(
        done=done,
        completed_at=max(s.completed_at for _, s in counted) if done else None,  # type: ignore[type-var]
        percent=percent,
        score=score,
        hours=round(minutes / 60, 2),
        started_at=min(firsts, default=None),
        last_activity_at=max(lasts, default=None),
        modules=module_states,
        resume_activity_id=resume_lesson(all_lessons, lessons),
        completing_statement_ids=tuple(
            sorted({i for _, s in counted for i in s.completing_statement_ids})
        )
        if done
        else (),
    )


def _done(lessons: dict[str, LessonState], iri: str) -> bool:
    state = lessons.get(iri)
    return bool(state and state.done)


def resume_lesson(all_lessons: Sequence[LessonInfo], lessons: dict[str, LessonState]) -> str | None:
    """Where to continue: the lesson last worked on if it is not done, else the first lesson
    (in reading order) after it that is not done, else the first not done; None when all are.
    """
    if not all_lessons:
        return None
    order = [lesson.activity_id for lesson in all_lessons]
    touched = [
        (lessons[iri].last_activity_at, i)
        for i, iri in enumerate(order)
        if iri in lessons and lessons[iri].last_activity_at
    ]
    start = max(touched)[1] if touched else 0
    for iri in order[start:] + order[:start]:
        if not _done(lessons, iri):
            return iri
    return None


def lms_statement_id(*, kind: str, actor_name: str, activity_id: str, basis: Sequence[str]) -> str:
    """The id of a statement the LMS makes: a UUIDv5 of what it states, so it is reproducible."""
    name = "|".join([kind, actor_name, activity_id, *sorted(basis)])
    return str(uuid.uuid5(LMS_STATEMENT_NAMESPACE, name))
