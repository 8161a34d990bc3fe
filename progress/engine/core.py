"""The progress engine: statements in, lesson/module/course progress out.

Incremental path (``apply_statements``/``void_statements``), called in the transaction that
stores the statements: each statement about one of our lessons becomes a ``ProgressEvidence``
row; the learner's lesson state is rebuilt from *their* evidence on *that* lesson, and their
course from their lesson rows. Every step reads a bounded number of rows found by index,
so the cost per statement does not grow with the statement store.

Full path (``recompute_all``): the evidence table is rebuilt from the store, then the same
functions run over every learner and course, so both paths give identical rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.db import transaction

from progress import signals
from progress.models import CourseProgress, LessonProgress, ModuleProgress, ProgressEvidence

from . import emit
from .backends import backend
from .facts import evidence_from, voided_target
from .rules import (
    CourseState,
    Evidence,
    LessonState,
    course_state,
    lesson_state,
    lms_statement_id,
)
from .structure import CourseStructure, StructureCache, forget_structures

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredStatement:
    """The parts of a stored statement the engine reads."""

    statement_id: str
    user_id: int | None
    data: dict[str, Any]
    timestamp: datetime


@dataclass
class Prefetched:
    """A batch of learners' lesson, module and course rows and enrolments, read in four queries."""

    lessons: dict[int, list[LessonProgress]]
    modules: dict[int, list[ModuleProgress]]
    courses: dict[tuple[int, str], CourseProgress]
    enrollments: dict[int, list[Any]]

    @classmethod
    def load(cls, user_ids: list[int]) -> Prefetched:
        from learners.models import Enrollment

        lessons: dict[int, list[LessonProgress]] = defaultdict(list)
        for lesson in LessonProgress.objects.filter(user_id__in=user_ids):
            lessons[lesson.user_id].append(lesson)
        modules: dict[int, list[ModuleProgress]] = defaultdict(list)
        for module in ModuleProgress.objects.filter(user_id__in=user_ids):
            modules[module.user_id].append(module)
        enrollments: dict[int, list[Any]] = defaultdict(list)
        for enrollment in Enrollment.objects.filter(
            user_id__in=user_ids, status="active"
        ).select_related("course"):
            enrollments[enrollment.user_id].append(enrollment)
        return cls(
            lessons=lessons,
            modules=modules,
            courses={
                (row.user_id, row.course_iri): row
                for row in CourseProgress.objects.filter(user_id__in=user_ids)
            },
            enrollments=enrollments,
        )


@dataclass
class Work:
    """What one unit of work touched; signals are sent when its transaction commits."""

    cache: StructureCache = field(default_factory=StructureCache)
    lessons: set[tuple[int, str]] = field(default_factory=set)
    on_commit: list[Callable[[], None]] = field(default_factory=list)
    actors: emit.Actors = field(default_factory=emit.Actors)
    # Rows read ahead for many learners at once (recompute), keyed by user id.
    prefetched: Prefetched | None = None
    # The LMS's own statements, stored together at the end of the unit of work.
    outgoing: list[dict[str, Any]] = field(default_factory=list)
    # Course rows changed while rows are read ahead, written in one upsert (``_save_courses``).
    course_rows: list[CourseProgress] = field(default_factory=list)


# --- incremental path ---------------------------------------------------------------------


def apply_statements(statements: Iterable[StoredStatement]) -> None:
    """Fold newly stored statements into progress (duplicates and strangers are ignored)."""
    work = Work()
    evidence_rows = []
    voided_ids = []
    for statement in statements:
        target = voided_target(statement.data)
        if target is not None:
            voided_ids.append(target)
            continue
        row = _evidence_row_for(statement)
        if row is None:
            continue
        evidence_rows.append(row)
        work.lessons.add((row.user_id, row.lesson_iri))
    if not evidence_rows and not voided_ids:
        return
    # No savepoint when called inside the LRS's transaction (the receiver): a failure here
    # fails the whole store anyway, and the SAVEPOINT/RELEASE pair cost two round trips on
    # every statement POST.
    with transaction.atomic(savepoint=False):
        if evidence_rows:
            # A repeat of a statement already folded in adds nothing.
            ProgressEvidence.objects.bulk_create(evidence_rows, ignore_conflicts=True)
        if voided_ids:
            _forget(voided_ids, work)
        _refresh(work)


def void_statements(statement_ids: Iterable[str]) -> None:
    """Undo what voided statements contributed: their learners' lessons and courses are
    rebuilt from the remaining evidence (which may revoke a module or course completion)."""
    work = Work()
    with transaction.atomic():
        _forget([str(i) for i in statement_ids], work)
        _refresh(work)


def refresh_course(*, user_id: int, course_iri: str) -> None:
    """Recompute one learner's course from their lesson rows (e.g. after they enrol)."""
    work = Work()
    structure = work.cache.for_course(course_iri)
    if structure is None:
        return
    with transaction.atomic():
        _refresh_course(user_id, structure, work)
        _schedule(work)


def _forget(statement_ids: list[str], work: Work) -> None:
    rows = ProgressEvidence.objects.filter(statement_id__in=statement_ids)
    work.lessons.update(rows.values_list("user_id", "lesson_iri"))
    rows.delete()


def _refresh(work: Work) -> None:
    """Rebuild the touched lessons, then their learners' modules and courses.

    A batch of the statement log touches hundreds of learners: their evidence, lesson, module
    and course rows and enrolments are read in a handful of queries for the whole batch and the
    lesson rows written in one upsert, rather than a few queries per statement."""
    touched: list[tuple[int, str, CourseStructure]] = []
    courses: dict[tuple[int, str], CourseStructure] = {}
    for user_id, lesson_iri in sorted(work.lessons):
        structure = work.cache.for_lesson(lesson_iri)
        if structure is None:
            continue  # not (or no longer) a live lesson: evidence kept, no progress
        touched.append((user_id, lesson_iri, structure))
        courses[(user_id, structure.activity_id)] = structure
    if touched:
        _refresh_lessons(touched)
        user_ids = sorted({user_id for user_id, _, _ in touched})
        work.prefetched = Prefetched.load(user_ids)
        try:
            for (user_id, _), structure in sorted(courses.items()):
                _refresh_course(user_id, structure, work)
            _save_courses(work)
        finally:
            work.prefetched = None
    _schedule(work)


_COURSE_FIELDS = (
    "percent",
    "score",
    "hours",
    "started_at",
    "last_activity_at",
    "resume_lesson_iri",
    "completed_at",
    "statement_id",
)


def _save_courses(work: Work) -> None:
    """Write the course rows gathered while rows were read ahead, in one upsert."""
    if not work.course_rows:
        return
    # One INSERT … ON CONFLICT DO UPDATE for new and existing rows alike (bulk_update's CASE
    # expressions cost more Python than the whole batch). The copies carry no primary key, so
    # the learner and course are the only key that can conflict; a row another writer made
    # meanwhile (an enrolment's refresh) is updated, not doubled.
    rows = [
        CourseProgress(
            user_id=row.user_id,
            course_iri=row.course_iri,
            **{name: getattr(row, name) for name in _COURSE_FIELDS},
        )
        for row in work.course_rows
    ]
    work.course_rows = []
    CourseProgress.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "course_iri"],
        update_fields=list(_COURSE_FIELDS),
    )


def _schedule(work: Work) -> None:
    if work.outgoing:
        emit.store(work.outgoing)
        work.outgoing = []
    for callback in work.on_commit:
        transaction.on_commit(callback)
    work.on_commit = []


def _has_check(structure: CourseStructure, lesson_iri: str) -> bool:
    return any(
        lesson.has_check
        for module in structure.modules
        for lesson in module.lessons
        if lesson.activity_id == lesson_iri
    )


def _refresh_lessons(touched: list[tuple[int, str, CourseStructure]]) -> None:
    """Recompute the lesson rows of ``(user, lesson)`` pairs from their evidence: one read and
    one upsert for all of them (a lesson whose evidence is all gone loses its row)."""
    wanted = {(user_id, lesson_iri) for user_id, lesson_iri, _ in touched}
    evidence: dict[tuple[int, str], list[Evidence]] = defaultdict(list)
    for row in ProgressEvidence.objects.filter(
        user_id__in={user_id for user_id, _ in wanted},
        lesson_iri__in={lesson_iri for _, lesson_iri in wanted},
    ):
        key = (row.user_id, row.lesson_iri)
        if key in wanted:
            evidence[key].append(_evidence_of(row))
    rows: list[LessonProgress] = []
    gone: list[tuple[int, str]] = []
    for user_id, lesson_iri, structure in touched:
        found = evidence.get((user_id, lesson_iri))
        if not found:
            gone.append((user_id, lesson_iri))
            continue
        state = lesson_state(found, has_check=_has_check(structure, lesson_iri))
        rows.append(LessonProgress(user_id=user_id, lesson_iri=lesson_iri, **_lesson_fields(state)))
    for user_id, lesson_iri in gone:
        LessonProgress.objects.filter(user_id=user_id, lesson_iri=lesson_iri).delete()
    if rows:
        # INSERT … ON CONFLICT DO UPDATE: a learner's first statement on a lesson and a
        # concurrent writer of the same row both end in one row with the newest state.
        LessonProgress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "lesson_iri"],
            update_fields=list(_LESSON_FIELD_NAMES),
        )


# A lesson row's columns that the engine owns (what an upsert overwrites) are exactly the
# fields of ``LessonState``.
_LESSON_FIELD_NAMES = tuple(f.name for f in fields(LessonState))


def _lesson_fields(state: LessonState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in _LESSON_FIELD_NAMES}


def _lesson_state_of(row: LessonProgress) -> LessonState:
    return LessonState(
        status=row.status,
        done=row.done,
        completing_statement_id=str(row.completing_statement_id)
        if row.completing_statement_id
        else None,
        completed_at=row.completed_at,
        best_score=row.best_score,
        passed_score=row.passed_score,
        progress_percent=row.progress_percent,
        first_activity_at=row.first_activity_at,
        last_activity_at=row.last_activity_at,
    )


def _refresh_course(user_id: int, structure: CourseStructure, work: Work) -> None:
    """Bring the learner's module and course rows (and enrolments) in line with their lessons,
    making or voiding the LMS's own statements when a completion appears or goes away."""
    course_iri = structure.activity_id
    pre = work.prefetched
    if pre is not None:
        wanted = set(structure.lesson_iris)
        lesson_rows = [row for row in pre.lessons.get(user_id, []) if row.lesson_iri in wanted]
        module_rows = [row for row in pre.modules.get(user_id, []) if row.course_iri == course_iri]
    else:
        lesson_rows = list(
            LessonProgress.objects.filter(user_id=user_id, lesson_iri__in=structure.lesson_iris)
        )
        module_rows = list(ModuleProgress.objects.filter(user_id=user_id, course_iri=course_iri))
    lessons = {row.lesson_iri: _lesson_state_of(row) for row in lesson_rows}
    state = course_state(structure.modules, lessons, passing_score=structure.passing_score)
    modules = {row.module_iri: row for row in module_rows}
    for module in state.modules:
        row = modules.get(module.activity_id)
        if module.done and row is None:
            assert module.completed_at is not None  # a done module has its completion time
            statement_id = lms_statement_id(
                kind="module",
                actor_name=str(user_id),
                activity_id=module.activity_id,
                basis=module.completing_statement_ids,
            )
            work.outgoing.append(
                emit.completed(
                    actor=work.actors(user_id),
                    statement_id=statement_id,
                    activity_id=module.activity_id,
                    activity_type=emit.MODULE_TYPE,
                    parent_id=course_iri,
                    completed_at=module.completed_at,
                )
            )
            ModuleProgress.objects.create(
                user_id=user_id,
                course_iri=course_iri,
                module_iri=module.activity_id,
                completed_at=module.completed_at,
                statement_id=statement_id,
            )
            work.on_commit.append(
                _sender(
                    signals.module_completed,
                    user_id=user_id,
                    course_id=structure.course_id,
                    module_id=structure.module_ids.get(module.activity_id),
                    module_activity_id=module.activity_id,
                    completed_at=module.completed_at,
                    statement_id=statement_id,
                )
            )
        elif module.done and row is not None and row.completed_at != module.completed_at:
            assert module.completed_at is not None  # a done module has its completion time
            row.completed_at = module.completed_at
            row.save(update_fields=["completed_at"])
        elif not module.done and row is not None:
            work.outgoing.append(
                emit.voided(actor=work.actors(user_id), target_id=str(row.statement_id))
            )
            row.delete()
    _store_course(user_id, structure, state, work)


def _store_course(user_id: int, structure: CourseStructure, state: CourseState, work: Work) -> None:
    course_iri = structure.activity_id
    if work.prefetched is not None:
        row = work.prefetched.courses.get((user_id, course_iri))
    else:
        row = CourseProgress.objects.filter(user_id=user_id, course_iri=course_iri).first()
    if row is None:
        if not lessons_touched(state):
            return
        row = CourseProgress(user_id=user_id, course_iri=course_iri)
    was_done = row.completed_at is not None
    row.percent = state.percent
    row.score = state.score
    row.hours = state.hours
    row.started_at = state.started_at
    row.last_activity_at = state.last_activity_at
    row.resume_lesson_iri = state.resume_activity_id or ""
    newly_done = state.done and not was_done
    revoked = was_done and not state.done
    if newly_done:
        assert state.completed_at is not None  # a done course has its completion time
        row.statement_id = lms_statement_id(
            kind="course",
            actor_name=str(user_id),
            activity_id=course_iri,
            basis=[*state.completing_statement_ids, f"score={state.score}"],
        )
        work.outgoing.append(
            emit.completed(
                actor=work.actors(user_id),
                statement_id=str(row.statement_id),
                activity_id=course_iri,
                activity_type=emit.COURSE_TYPE,
                parent_id=None,
                completed_at=state.completed_at,
                score=state.score,
            )
        )
    elif revoked and row.statement_id:
        work.outgoing.append(
            emit.voided(actor=work.actors(user_id), target_id=str(row.statement_id))
        )
        row.statement_id = None
    row.completed_at = state.completed_at
    if work.prefetched is not None:
        work.course_rows.append(row)
    else:
        row.save()
    enrollments = emit.enrollments_sync(
        user_id=user_id,
        course_iri=course_iri,
        state=state,
        enrollments=work.prefetched.enrollments.get(user_id, [])
        if work.prefetched is not None
        else None,
    )
    for enrollment_id, course_id in enrollments:
        if newly_done:
            work.on_commit.append(
                _sender(
                    signals.course_completed,
                    enrollment_id=enrollment_id,
                    user_id=user_id,
                    course_id=course_id,
                    completed_at=state.completed_at,
                    score=state.score,
                )
            )
        elif revoked:
            work.on_commit.append(
                _sender(
                    signals.course_completion_revoked,
                    enrollment_id=enrollment_id,
                    user_id=user_id,
                    course_id=course_id,
                )
            )


def lessons_touched(state: CourseState) -> bool:
    return state.started_at is not None


def _sender(signal: Any, **kwargs: Any) -> Callable[[], None]:
    def send() -> None:
        signal.send(sender=CourseProgress, **kwargs)

    return send


def _evidence_row_for(statement: StoredStatement) -> ProgressEvidence | None:
    """The evidence row of a learner's statement about one of our lessons, else None."""
    if statement.user_id is None:
        return None
    found = evidence_from(
        statement.data, statement_id=statement.statement_id, timestamp=statement.timestamp
    )
    return None if found is None else _evidence_row(statement.user_id, *found)


def _evidence_row(user_id: int, lesson_iri: str, evidence: Evidence) -> ProgressEvidence:
    return ProgressEvidence(
        statement_id=evidence.statement_id,
        user_id=user_id,
        lesson_iri=lesson_iri,
        on_lesson=evidence.on_lesson,
        verb=evidence.verb,
        timestamp=evidence.timestamp,
        success=evidence.success,
        completion=evidence.completion,
        scaled=evidence.scaled,
        progress=evidence.progress,
    )


def _evidence_of(row: ProgressEvidence) -> Evidence:
    return Evidence(
        statement_id=str(row.statement_id),
        verb=row.verb,
        timestamp=row.timestamp,
        on_lesson=row.on_lesson,
        success=row.success,
        completion=row.completion,
        scaled=row.scaled,
        progress=row.progress,
    )


# --- full path ----------------------------------------------------------------------------


@dataclass
class RecomputeReport:
    statements_read: int = 0
    evidence: int = 0
    lessons: int = 0
    courses: int = 0


def recompute_all(
    statements: Callable[[], Iterator[StoredStatement]],
    *,
    batch_size: int = 5000,
    log: Callable[[str], None] | None = None,
) -> RecomputeReport:
    """Rebuild all progress from ``statements()`` (every non-voided stored statement).

    Evidence and lesson rows are rebuilt in bulk; module and course rows are brought in line
    by the same function the incremental path uses, so the LMS's statements and the signals
    only change where the result changed.
    """
    report = RecomputeReport()
    say = log or (lambda message: None)
    forget_structures()  # read the content as it is now
    work = Work()
    with transaction.atomic():
        ProgressEvidence.objects.all()._raw_delete(ProgressEvidence.objects.db)
        batch: list[ProgressEvidence] = []
        for statement in statements():
            report.statements_read += 1
            row = _evidence_row_for(statement)
            if row is None:
                continue
            batch.append(row)
            if len(batch) >= batch_size:
                report.evidence += _flush(batch)
                say(f"{report.statements_read} statements read")
        report.evidence += _flush(batch)
        say(f"{report.statements_read} statements read, {report.evidence} about lessons")

        LessonProgress.objects.all()._raw_delete(LessonProgress.objects.db)
        courses: dict[tuple[int, str], CourseStructure] = {}
        lesson_rows: list[LessonProgress] = []
        for (user_id, lesson_iri), evidence in _grouped_evidence():
            structure = work.cache.for_lesson(lesson_iri)
            if structure is None:
                continue
            state = lesson_state(evidence, has_check=_has_check(structure, lesson_iri))
            lesson_rows.append(
                LessonProgress(user_id=user_id, lesson_iri=lesson_iri, **_lesson_fields(state))
            )
            courses[(user_id, structure.activity_id)] = structure
            if len(lesson_rows) >= batch_size:
                report.lessons += len(LessonProgress.objects.bulk_create(lesson_rows))
                lesson_rows = []
        report.lessons += len(LessonProgress.objects.bulk_create(lesson_rows))
        say(f"{report.lessons} lesson rows")

        # Learners whose courses had rows but no evidence left lose what the rows claimed.
        known = set(CourseProgress.objects.values_list("user_id", "course_iri"))
        known |= set(ModuleProgress.objects.values_list("user_id", "course_iri"))
        for user_id, course_iri in known - set(courses):
            structure = work.cache.for_course(course_iri)
            if structure is not None:
                courses[(user_id, course_iri)] = structure
        pairs = sorted(courses.items())
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            user_ids = sorted({user_id for (user_id, _), _ in chunk})
            work.prefetched = Prefetched.load(user_ids)
            work.actors.preload(user_ids)
            for (user_id, _), structure in chunk:
                _refresh_course(user_id, structure, work)
                report.courses += 1
            _save_courses(work)
            emit.store(work.outgoing)
            work.outgoing = []
            say(f"{report.courses} learner courses")
        work.prefetched = None
        _schedule(work)
    say(f"{report.courses} learner courses")
    return report


def _flush(batch: list[ProgressEvidence]) -> int:
    using = ProgressEvidence.objects.db
    created = backend(using).insert_evidence(batch, using=using)
    batch.clear()
    return created


def _grouped_evidence() -> Iterator[tuple[tuple[int, str], list[Evidence]]]:
    rows = ProgressEvidence.objects.order_by("user_id", "lesson_iri").iterator(chunk_size=5000)
    groups: dict[tuple[int, str], list[Evidence]] = defaultdict(list)
    current: tuple[int, str] | None = None
    for row in rows:
        key = (row.user_id, row.lesson_iri)
        if current is not None and key != current:
            yield current, groups.pop(current)
        current = key
        groups[key].append(_evidence_of(row))
    if current is not None:
        yield current, groups.pop(current)
