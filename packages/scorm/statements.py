"""The xAPI statements of a SCORM attempt, after the ADL xAPI profile for SCORM.

Pure functions: they read the committed CMI values and return statements; nothing is stored
here. The object of a SCO's statements is the SCO's own activity (``<lesson IRI>/scorm/<unit
uuid>``, a part of the lesson) with the lesson as context parent and the attempt's uuid as
registration; the lesson itself is ``completed`` by :func:`lesson_completed` once the SCOs say
so (docs/xapi.md). No personal data: the actor is the learner's opaque account agent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from packages.scorm.datamodel import INTERACTION_TYPES_2004, SCORM12

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
SCORM_PROFILE = "https://w3id.org/xapi/scorm"
SCO_TYPE = "http://adlnet.gov/expapi/activities/lesson"
LESSON_TYPE = "http://adlnet.gov/expapi/activities/lesson"
INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
ATTEMPT_STATE = "https://w3id.org/xapi/scorm/attempt-state"


@dataclass(frozen=True)
class Status:
    """What the SCO's values say about the attempt, in the terms of both versions."""

    completed: bool
    success: bool | None  # None: unknown
    scaled: float | None
    raw: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class Target:
    """Where the attempt's statements point."""

    actor: dict
    sco_iri: str
    sco_name: str
    lesson_iri: str
    registration: str
    language: str


def _number(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return None


def status_of(
    version: str, cmi: dict[str, str], *, mastery: float | None, threshold: float | None
) -> Status:
    """Completion, success and score from the committed values.

    SCORM 1.2: ``lesson_status`` completed/passed is complete, passed/failed is the success
    status; with a mastery score and no success yet, the raw score (0..100) decides, as an LMS
    does (RTE 3.4.4). SCORM 2004: ``completion_status`` and ``success_status``; the LMS
    evaluates ``completion_threshold`` against ``progress_measure`` and ``scaled_passing_score``
    against ``score.scaled`` (RTE 4.2.4.1, 4.2.22.1).
    """
    if version == SCORM12:
        raw = _number(cmi.get("cmi.core.score.raw"))
        low = _number(cmi.get("cmi.core.score.min"))
        high = _number(cmi.get("cmi.core.score.max"))
        top = high if high is not None else 100.0
        bottom = low if low is not None else 0.0
        scaled = None
        if raw is not None and top > bottom:
            scaled = max(0.0, min(1.0, (raw - bottom) / (top - bottom)))
        status = cmi.get("cmi.core.lesson_status", "")
        completed = status in ("completed", "passed", "failed")
        success: bool | None = {"passed": True, "failed": False}.get(status)
        if success is None and completed and mastery is not None and scaled is not None:
            success = scaled >= mastery
        return Status(completed, success, scaled, raw, low, high)
    raw = _number(cmi.get("cmi.score.raw"))
    low = _number(cmi.get("cmi.score.min"))
    high = _number(cmi.get("cmi.score.max"))
    scaled = _number(cmi.get("cmi.score.scaled"))
    if scaled is None and raw is not None and low is not None and high is not None and high > low:
        scaled = max(-1.0, min(1.0, (raw - low) / (high - low)))
    completion = cmi.get("cmi.completion_status", "")
    progress = _number(cmi.get("cmi.progress_measure"))
    if threshold is not None and progress is not None:
        completion = "completed" if progress >= threshold else "incomplete"
    success = {"passed": True, "failed": False}.get(cmi.get("cmi.success_status", ""))
    if mastery is not None and scaled is not None:
        success = scaled >= mastery
    return Status(completion == "completed", success, scaled, raw, low, high)


def _statement(target: Target, verb: str, **extra: Any) -> dict:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": target.actor,
        "verb": {"id": ADL_VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": target.sco_iri,
            "definition": {"type": SCO_TYPE, "name": {target.language: target.sco_name}},
        },
        "context": {
            "registration": target.registration,
            "platform": "Capacita",
            "language": target.language,
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": target.lesson_iri}],
                "category": [{"objectType": "Activity", "id": SCORM_PROFILE}],
            },
        },
    }
    statement.update(extra)
    return statement


def _score(status: Status) -> dict[str, float]:
    score: dict[str, float] = {}
    if status.scaled is not None:
        score["scaled"] = round(status.scaled, 4)
    for key in ("raw", "min", "max"):
        value = getattr(status, key)
        if value is not None:
            score[key] = value
    # xAPI: raw must lie between min and max when they are given; drop what does not fit.
    if "raw" in score and (
        score["raw"] < score.get("min", score["raw"])
        or score["raw"] > score.get("max", score["raw"])
    ):
        score.pop("raw")
    if "min" in score and "max" in score and score["min"] > score["max"]:
        score.pop("min")
        score.pop("max")
    return score


def simple(target: Target, verb: str, *, duration: str | None = None) -> dict:
    """initialized, resumed, suspended, terminated (with the session's duration)."""
    if duration:
        return _statement(target, verb, result={"duration": duration})
    return _statement(target, verb)


def completed(target: Target, status: Status) -> dict:
    result: dict[str, Any] = {"completion": True}
    score = _score(status)
    if score:
        result["score"] = score
    return _statement(target, "completed", result=result)


def judged(target: Target, status: Status) -> dict:
    """passed or failed, with the score."""
    verb = "passed" if status.success else "failed"
    result: dict[str, Any] = {"success": bool(status.success)}
    score = _score(status)
    if score:
        result["score"] = score
    return _statement(target, verb, result=result)


# xAPI's interactionType vocabulary is SCORM 2004's cmi.interactions.n.type, word for word.
XAPI_INTERACTION_TYPES = frozenset(INTERACTION_TYPES_2004)


def _correct_responses(interaction: dict[str, str]) -> list[str]:
    """The interaction's ``correct_responses.n.pattern`` values, in index order."""
    found = []
    for field, value in interaction.items():
        parts = field.split(".")
        if len(parts) == 3 and parts[0] == "correct_responses" and parts[2] == "pattern":
            found.append((int(parts[1]), value))
    return [value for _index, value in sorted(found)]


def answered(target: Target, version: str, interaction: dict[str, str]) -> dict:
    """An ``answered`` statement for one of ``cmi.interactions``: the interaction is an
    activity of its own under the SCO's IRI, typed with its interactionType."""
    response_key = "student_response" if version == SCORM12 else "learner_response"
    definition: dict[str, Any] = {"type": INTERACTION_TYPE}
    kind = interaction.get("type", "")
    if kind in XAPI_INTERACTION_TYPES:
        definition["interactionType"] = kind
    if interaction.get("description"):
        definition["description"] = {target.language: interaction["description"]}
    patterns = _correct_responses(interaction)
    if patterns and version != SCORM12:
        # SCORM 2004's response formats are the ones xAPI took for interaction activities;
        # SCORM 1.2's differ (and its patterns stay in the State document only).
        definition["correctResponsesPattern"] = patterns
    result: dict[str, Any] = {}
    if response_key in interaction:
        result["response"] = interaction[response_key]
    outcome = interaction.get("result", "")
    if outcome == "correct":
        result["success"] = True
    elif outcome in ("wrong", "incorrect"):
        result["success"] = False
    statement = _statement(target, "answered")
    statement["object"] = {
        "objectType": "Activity",
        "id": f"{target.sco_iri}/interactions/{uuid.uuid5(uuid.NAMESPACE_URL, interaction['id'])}",
        "definition": definition,
    }
    statement["context"]["contextActivities"]["parent"] = [
        {"objectType": "Activity", "id": target.sco_iri}
    ]
    statement["context"]["contextActivities"]["grouping"] = [
        {"objectType": "Activity", "id": target.lesson_iri}
    ]
    if result:
        statement["result"] = result
    return statement


def lesson_completed(target: Target, lesson_name: str, status: Status | None) -> dict:
    """The lesson ``completed`` by its SCOs: the evidence the progress engine reads."""
    statement = _statement(target, "completed", result={"completion": True})
    statement["object"] = {
        "objectType": "Activity",
        "id": target.lesson_iri,
        "definition": {"type": LESSON_TYPE, "name": {target.language: lesson_name}},
    }
    statement["context"]["contextActivities"] = {
        "other": [{"objectType": "Activity", "id": target.sco_iri}],
        "category": [{"objectType": "Activity", "id": SCORM_PROFILE}],
    }
    if status is not None and status.success is not None:
        statement["result"]["success"] = status.success
        score = _score(status)
        if score:
            statement["result"]["score"] = score
    return statement
