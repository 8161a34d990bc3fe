"""Writes of the SCORM run-time: open (or resume) an attempt, and record a commit.

A commit keeps the SCO's values on the attempt, writes the xAPI statements they call for
(:mod:`packages.scorm.statements`) and the attempt's State document, in one transaction:
a refused commit (``InputError``) changes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InputError
from lrs.auth import lms_authority
from lrs.conf import actor_for_user
from lrs.models import LRSDocument
from lrs.services import StoreContext, document_write, statements_store_checked
from lrs.statements import agent_ifi
from lrs.validation import validate_statements
from packages.models import Package, PackageUnit, UnitPlacement
from packages.scorm import statements as xs
from packages.scorm.datamodel import SCORM12, SCORM2004, resumed, validate
from packages.scorm.models import ScormAttempt

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_TIMESPAN12 = re.compile(r"^(\d+):(\d+):(\d+(?:\.\d+)?)$")
_DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def scorm_version(unit: PackageUnit) -> str:
    return SCORM12 if unit.package.format == Package.Format.SCORM12 else SCORM2004


def sco_activity_id(unit: PackageUnit, lesson: Any) -> str:
    """The SCO's activity IRI: a part of the lesson it runs in, stable across re-imports
    (the unit row, and so its uuid, survives them)."""
    return f"{lesson.activity_id}/scorm/{unit.uuid}"


def _seconds(version: str, value: str) -> float:
    if version == SCORM12:
        match = _TIMESPAN12.match(value)
        if match is None:
            return 0.0
        return int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])
    match = _DURATION.match(value)
    if match is None:
        return 0.0
    years, months, days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return ((years * 365 + months * 30 + days) * 24 + hours) * 3600 + minutes * 60 + seconds


def iso_duration(seconds: float) -> str:
    """``seconds`` as an ISO 8601 duration (``PT1H2M3.00S``)."""
    hours, rest = divmod(round(seconds, 2), 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{int(hours)}H{int(minutes)}M{secs:.2f}S"


def _timespan12(seconds: float) -> str:
    hours, rest = divmod(round(seconds, 2), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{min(int(hours), 9999):04d}:{int(minutes):02d}:{secs:05.2f}"


def lesson_holds_unit(unit: PackageUnit, lesson: Any) -> bool:
    return unit.lesson_id == lesson.pk or (
        UnitPlacement.objects.filter(unit=unit, lesson_id=lesson.pk).exists()
    )


@transaction.atomic
def attempt_open(*, user: User, unit: PackageUnit, lesson: Any) -> ScormAttempt:
    """The attempt a launch of ``unit`` continues, or a new one.

    The latest attempt is resumed (``entry`` = resume) when the SCO left it suspended
    (exit = suspend) or never terminated it (a closed tab, a lost connection: it committed and
    then stopped); an attempt that terminated normally is followed by a new one
    (``entry`` = ab-initio). An attempt that has committed nothing yet is reused as it is.
    """
    latest = (
        ScormAttempt.objects.select_for_update()
        .filter(user=user, unit=unit)
        .order_by("-number")
        .first()
    )
    if latest is not None and not latest.ended and not latest.cmi:
        latest.entry = ScormAttempt.Entry.AB_INITIO
    elif latest is not None and (not latest.ended or latest.suspended):
        latest.entry = ScormAttempt.Entry.RESUME
        latest.ended = False
    else:
        latest = ScormAttempt(
            user=user,
            unit=unit,
            number=(latest.number + 1) if latest else 1,
            entry=ScormAttempt.Entry.AB_INITIO,
        )
    latest.lesson = lesson
    latest.session_open = False
    latest.save()
    return latest


def launch_values(attempt: ScormAttempt, *, learner_name: str) -> dict[str, str]:
    """The values the run-time starts with (flattened element names), per the version's
    rules: on resume the saved location, suspend data, statuses and score; total time so far;
    the manifest's launch data, mastery score and completion threshold. The run-time
    library loads interactions and objectives field by field, ids and types first."""
    unit = attempt.unit
    version = scorm_version(unit)
    actor = actor_for_user(attempt.user)
    learner_id = str((actor.get("account") or {}).get("name", ""))
    cmi = attempt.cmi if attempt.entry == ScormAttempt.Entry.RESUME else {}
    values: dict[str, str]
    if version == SCORM12:
        values = {
            "cmi.core.student_id": learner_id,
            "cmi.core.student_name": learner_name,
            "cmi.core.entry": "resume" if cmi else "ab-initio",
            "cmi.core.credit": "credit",
            "cmi.core.lesson_mode": "normal",
            "cmi.core.total_time": _timespan12(attempt.total_seconds),
            "cmi.launch_data": unit.data_from_lms,
        }
        if unit.mastery_score is not None:
            values["cmi.student_data.mastery_score"] = f"{unit.mastery_score * 100:g}"
    else:
        values = {
            "cmi.learner_id": learner_id,
            "cmi.learner_name": learner_name,
            "cmi.entry": "resume" if cmi else "ab-initio",
            "cmi.credit": "credit",
            "cmi.mode": "normal",
            "cmi.total_time": iso_duration(attempt.total_seconds),
            "cmi.launch_data": unit.data_from_lms,
        }
        if unit.mastery_score is not None:
            values["cmi.scaled_passing_score"] = f"{unit.mastery_score:g}"
        if unit.completion_threshold is not None:
            values["cmi.completion_threshold"] = f"{unit.completion_threshold:g}"
    # Resumed: every value the attempt's earlier sessions committed (interactions with their
    # correct responses and objectives, objectives, comments, preferences...), not only where
    # the learner was; exit and session time belonged to the session that ended.
    values.update(resumed(cmi))
    return values


def _interactions(cmi: dict[str, str]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for key, value in cmi.items():
        if key.startswith("cmi.interactions."):
            _prefix, _name, index, field = key.split(".", 3)
            found.setdefault(int(index), {})[field] = value
    return found


def sco_satisfied(status: xs.Status, unit: PackageUnit) -> bool:
    """Completed and, when the SCO has a mastery score, passed: what the lesson needs of it."""
    return status.completed and (unit.mastery_score is None or status.success is True)


def _other_scos_satisfied(attempt: ScormAttempt) -> bool:
    """Whether every other SCO of the attempt's lesson has been satisfied by one of the
    learner's attempts. Once, as cmi5's satisfied: going back to a finished SCO from the
    contents starts a new attempt (its first one ended), which must not undo what it earned."""
    lesson_id = attempt.lesson_id
    others = (
        PackageUnit.objects.filter(Q(lesson_id=lesson_id) | Q(placements__lesson_id=lesson_id))
        .filter(kind=PackageUnit.Kind.SCO, retired=False)
        .exclude(pk=attempt.unit_id)
        .distinct()
    )
    satisfied = set(
        ScormAttempt.objects.filter(
            user=attempt.user, unit__in=others, recorded__satisfied=True
        ).values_list("unit_id", flat=True)
    )
    return all(unit.pk in satisfied for unit in others)


@transaction.atomic
def attempt_commit(
    *, user: User, attempt_uuid: Any, cmi: object, terminate: bool
) -> ScormAttempt | None:
    """Record a commit of the SCO's values (and its termination when ``terminate``).

    Validates ``cmi`` (``InputError`` naming the element and rule), merges it into the
    attempt, writes the statements the change calls for — initialized or resumed at the first
    commit of a launch; completed, passed/failed with the score when the statuses say so;
    answered for each new or changed interaction; suspended (exit = suspend) or terminated on
    termination; the lesson completed once its SCOs are satisfied — and replaces the
    attempt's State document. Returns None when the attempt is not the user's. A commit to an
    ended attempt raises ``InputError`` (rule ``attempt.ended``), except a termination whose
    values the attempt already holds (the run-time re-sending a Terminate whose answer was
    lost): that one is answered with the attempt as it is, changing nothing.
    """
    attempt = (
        # Only the attempt's row: "lesson" is a nullable join, which FOR UPDATE may not lock.
        ScormAttempt.objects.select_for_update(of=("self",))
        .select_related("unit__package", "lesson")
        .filter(uuid=attempt_uuid, user=user)
        .first()
    )
    if attempt is None:
        return None
    unit = attempt.unit
    version = scorm_version(unit)
    if attempt.ended:
        # The run-time re-sends a Terminate whose answer it did not get (a lost connection, a
        # beacon at unload after a fetch that did arrive): the same values again change nothing
        # and are answered as accepted; anything else for an ended attempt is refused.
        if terminate and _already_committed(attempt, validate(version, cmi)):
            return attempt
        raise InputError(
            "attempt", "attempt.ended", _("El intento ya terminó; vuelva a abrir la lección.")
        )
    values = validate(version, cmi)
    before = dict(attempt.cmi)
    attempt.cmi = {**before, **values}
    lesson = attempt.lesson
    if lesson is None:
        raise InputError("attempt", "attempt.lesson", _("La lección del intento ya no existe."))
    target = _target(attempt, lesson)
    recorded = dict(attempt.recorded)
    produced: list[dict] = []
    if not attempt.session_open:
        resumed = attempt.entry == ScormAttempt.Entry.RESUME
        produced.append(xs.simple(target, "resumed" if resumed else "initialized"))
        attempt.session_open = True
        attempt.suspended = False
    status = xs.status_of(
        version, attempt.cmi, mastery=unit.mastery_score, threshold=unit.completion_threshold
    )
    if status.completed and not recorded.get("completed"):
        produced.append(xs.completed(target, status))
        recorded["completed"] = True
    if status.success is not None and recorded.get("success") != status.success:
        produced.append(xs.judged(target, status))
        recorded["success"] = status.success
    seen = recorded.get("interactions", {})
    for index, interaction in sorted(_interactions(attempt.cmi).items()):
        signature = json.dumps(interaction, sort_keys=True)
        if "id" in interaction and seen.get(str(index)) != signature:
            produced.append(xs.answered(target, version, interaction))
            seen[str(index)] = signature
    recorded["interactions"] = seen
    if sco_satisfied(status, unit) and not recorded.get("satisfied"):
        recorded["satisfied"] = True
        lesson_done = ScormAttempt.objects.filter(
            user=user, lesson=lesson, recorded__lesson_completed=True
        ).exists()
        if not lesson_done and _other_scos_satisfied(attempt):
            produced.append(xs.lesson_completed(target, lesson.title, status))
            recorded["lesson_completed"] = True
    if terminate:
        exit_key = "cmi.core.exit" if version == SCORM12 else "cmi.exit"
        time_key = "cmi.core.session_time" if version == SCORM12 else "cmi.session_time"
        session = _seconds(version, values.get(time_key, ""))
        attempt.total_seconds += session
        attempt.suspended = attempt.cmi.get(exit_key) == "suspend"
        attempt.ended = True
        attempt.session_open = False
        produced.append(
            xs.simple(
                target,
                "suspended" if attempt.suspended else "terminated",
                duration=iso_duration(session),
            )
        )
    attempt.recorded = recorded
    attempt.save()
    if produced:
        ctx = StoreContext(authority=lms_authority(), user_id=user.pk)
        statements_store_checked(validate_statements(produced), ctx)
    _state_write(attempt, target, version)
    return attempt


def _already_committed(attempt: ScormAttempt, values: dict[str, str]) -> bool:
    """Whether every value of a commit is what the attempt already holds."""
    return all(attempt.cmi.get(name) == value for name, value in values.items())


def _target(attempt: ScormAttempt, lesson: Any) -> xs.Target:
    """Where the attempt's statements point (the SCO in ``lesson``, the attempt's registration)."""
    return xs.Target(
        actor=actor_for_user(attempt.user),
        sco_iri=sco_activity_id(attempt.unit, lesson),
        sco_name=attempt.unit.title,
        lesson_iri=lesson.activity_id,
        registration=str(attempt.uuid),
        language=lesson.locale.language_code or settings.LANGUAGE_CODE,
    )


def attempt_abandon(*, attempt_uuid: Any) -> bool | None:
    """End an open attempt for its learner, as the SCO never did (a tab left open, a lost
    device): staff reset it so that her next launch starts a new attempt (entry ab-initio).

    Writes the ADL SCORM profile's ``terminated`` for it (authority Capacita), with the
    session's ``result.duration`` when the SCO committed a session time, and the attempt's
    State document; an attempt that committed nothing has no statements to close and is only
    ended. Returns None for no such attempt, False when it had already ended (terminated, or
    suspended by the SCO: a suspended attempt is resumed, not abandoned).
    """
    with transaction.atomic():
        attempt = _locked_for_abandon(Q(uuid=attempt_uuid))
        if attempt is None:
            return None
        return _abandon(attempt, reason="staff")


def attempts_abandon_stale(*, idle: timedelta, now: datetime | None = None) -> int:
    """Close the attempts a learner initialized and left: not ended, the SCO committed values
    (it had called Initialize), and nothing since ``idle`` ago: no commit, no launch that
    resumed it. Each is abandoned as :func:`attempt_abandon` does (``terminated``; her next
    launch starts a new attempt). Idempotent: an attempt is checked again under its row lock,
    so one ended, resumed or committed to meanwhile is left alone. Returns how many it closed.
    """
    cutoff = (now or timezone.now()) - idle
    stale = Q(ended=False, updated_at__lt=cutoff) & (Q(session_open=True) | ~Q(cmi={}))
    closed = 0
    for pk in (
        ScormAttempt.objects.filter(stale).order_by("updated_at").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            attempt = _locked_for_abandon(Q(pk=pk) & stale)
            if attempt is not None and _abandon(attempt, reason="timeout"):
                closed += 1
    return closed


def _locked_for_abandon(where: Q) -> ScormAttempt | None:
    return (
        ScormAttempt.objects.select_for_update(of=("self",))
        .select_related("unit__package", "lesson", "user")
        .filter(where)
        .first()
    )


def _abandon(attempt: ScormAttempt, *, reason: str) -> bool:
    """End ``attempt`` (locked) and write its ``terminated`` and State document; False when
    it had already ended."""
    if attempt.ended:
        return False
    version = scorm_version(attempt.unit)
    lesson = attempt.lesson
    attempt.ended = True
    attempt.suspended = False
    attempt.session_open = False
    attempt.recorded = {**attempt.recorded, "abandoned": True, "abandoned_by": reason}
    if lesson is None or not attempt.cmi:
        attempt.save()
        return True
    target = _target(attempt, lesson)
    time_key = "cmi.core.session_time" if version == SCORM12 else "cmi.session_time"
    session = _seconds(version, attempt.cmi.get(time_key, ""))
    attempt.total_seconds += session
    attempt.save()
    ended = xs.simple(target, "terminated", duration=iso_duration(session) if session else None)
    ctx = StoreContext(authority=lms_authority(), user_id=attempt.user_id)
    statements_store_checked(validate_statements([ended]), ctx)
    _state_write(attempt, target, version)
    return True


def _state_write(attempt: ScormAttempt, target: xs.Target, version: str) -> None:
    """The attempt's State document (activity = the SCO, registration = the attempt)."""
    content = {
        "scormVersion": "1.2" if version == SCORM12 else "2004",
        "attempt": attempt.number,
        "entry": attempt.entry,
        "suspended": attempt.suspended,
        "ended": attempt.ended,
        "totalTime": iso_duration(attempt.total_seconds),
        "cmi": attempt.cmi,
    }
    document_write(
        scope={
            "kind": LRSDocument.Kind.STATE,
            "activity": target.sco_iri,
            "agent_ifi": agent_ifi(target.actor) or "",
            "registration": target.registration,
        },
        document_id=xs.ATTEMPT_STATE,
        content=json.dumps(content).encode(),
        content_type="application/json",
        merge=False,
    )
