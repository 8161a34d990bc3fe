"""Reads of the SCORM run-time for staff: where a learner's attempts on a lesson's SCOs stand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from packages.models import PackageUnit
from packages.scorm import statements as xs
from packages.scorm.datamodel import SCORM12
from packages.scorm.models import ScormAttempt
from packages.scorm.services import iso_duration, sco_satisfied, scorm_version


@dataclass(frozen=True)
class AttemptStatus:
    """One attempt as the staff API shows it; ``registration`` is its xAPI registration."""

    registration: str
    number: int
    entry: str
    open: bool
    suspended: bool
    ended: bool
    abandoned: bool
    completed: bool
    success: bool | None
    score_scaled: float | None
    satisfied: bool
    location: str
    total_time: str
    updated_at: Any


@dataclass(frozen=True)
class ScoStatus:
    unit: str
    identifier: str
    title: str
    activity_id: str
    attempts: int
    satisfied: bool
    latest: AttemptStatus | None


@dataclass(frozen=True)
class LessonScormStatus:
    lesson_id: int
    lesson_activity_id: str
    completed: bool
    scos: list[ScoStatus]


def attempt_status(attempt: ScormAttempt) -> AttemptStatus:
    """What an attempt's committed values say (completion, success, score, satisfaction)."""
    unit = attempt.unit
    version = scorm_version(unit)
    status = xs.status_of(
        version, attempt.cmi, mastery=unit.mastery_score, threshold=unit.completion_threshold
    )
    location_key = "cmi.core.lesson_location" if version == SCORM12 else "cmi.location"
    return AttemptStatus(
        registration=str(attempt.uuid),
        number=attempt.number,
        entry=attempt.entry,
        open=not attempt.ended,
        suspended=attempt.suspended,
        ended=attempt.ended,
        abandoned=bool(attempt.recorded.get("abandoned")),
        completed=status.completed,
        success=status.success,
        score_scaled=None if status.scaled is None else round(status.scaled, 4),
        satisfied=sco_satisfied(status, unit),
        location=attempt.cmi.get(location_key, ""),
        total_time=iso_duration(attempt.total_seconds),
        updated_at=attempt.updated_at,
    )


def attempt_by_uuid(*, attempt_uuid: Any) -> ScormAttempt | None:
    return (
        ScormAttempt.objects.select_related("unit__package", "lesson")
        .filter(uuid=attempt_uuid)
        .first()
    )


def lesson_scorm_status(*, user: Any, lesson: Any) -> LessonScormStatus | None:
    """The SCOs ``lesson`` shows (its own, and those its blocks place), in order, each with the
    learner's latest attempt; None when the lesson shows no SCO. ``completed``: Capacita has
    stated the lesson completed for her (every SCO satisfied)."""
    from packages.selectors import unit_activity_id

    units = list(
        PackageUnit.objects.filter(Q(lesson_id=lesson.pk) | Q(placements__lesson_id=lesson.pk))
        .filter(kind=PackageUnit.Kind.SCO, retired=False)
        .select_related("package")
        .distinct()
        .order_by("package_id", "order")
    )
    if not units:
        return None
    attempts: dict[int, list[ScormAttempt]] = {}
    for attempt in ScormAttempt.objects.filter(user=user, unit__in=units).order_by("-number"):
        attempts.setdefault(attempt.unit_id, []).append(attempt)
    scos = []
    for unit in units:
        mine = attempts.get(unit.pk, [])
        for attempt in mine:
            attempt.unit = unit  # already read, with its package
        scos.append(
            ScoStatus(
                unit=str(unit.uuid),
                identifier=unit.identifier,
                title=unit.title,
                activity_id=unit_activity_id(unit, lesson),
                attempts=len(mine),
                # Once, as the lesson counts it: a later attempt need not satisfy it again.
                satisfied=any(attempt.recorded.get("satisfied") for attempt in mine),
                latest=attempt_status(mine[0]) if mine else None,
            )
        )
    completed = ScormAttempt.objects.filter(
        user=user, lesson_id=lesson.pk, recorded__lesson_completed=True
    ).exists()
    return LessonScormStatus(
        lesson_id=lesson.pk,
        lesson_activity_id=lesson.activity_id,
        completed=completed,
        scos=scos,
    )
