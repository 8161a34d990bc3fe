"""Reading statements: what a stored statement says about a learner's lesson, if anything."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings

from .rules import (
    ANSWERED,
    COMPLETED,
    EXPERIENCED,
    FAILED,
    PASSED,
    PROGRESSED,
    SATISFIED,
    Evidence,
)

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VOIDED_VERB = ADL_VERBS + "voided"
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"
TRACKED_VERBS = {COMPLETED, PASSED, FAILED, PROGRESSED, EXPERIENCED, ANSWERED}
# Verbs (besides the ADL ones above) that mean the learner worked on the lesson.
ACTIVITY_VERBS = {
    "http://adlnet.gov/expapi/verbs/attempted": PROGRESSED,
    "http://adlnet.gov/expapi/verbs/initialized": EXPERIENCED,
    "http://adlnet.gov/expapi/verbs/launched": EXPERIENCED,
    "http://adlnet.gov/expapi/verbs/resumed": EXPERIENCED,
}
# The LMS's cmi5 "satisfied" about a lesson: the moveOn of the lesson's AU is met
# (packages/cmi5/status.py). Only the site itself states it (lrs.cmi5 refuses it from others).
SATISFIED_VERB = "https://w3id.org/xapi/adl/verbs/satisfied"


@lru_cache(maxsize=4)
def _lesson_iri_pattern(site_url: str) -> re.Pattern[str]:
    # A lesson IRI, optionally followed by a part of the lesson (".../checks/<block id>").
    return re.compile(
        re.escape(f"{site_url}/xapi/activities/lesson/")
        + r"(?P<key>[0-9a-fA-F-]{36})(?P<part>[/#?].*)?$"
    )


def lesson_iri_of(activity_id: str) -> tuple[str, bool] | None:
    """``(lesson IRI, is the lesson itself)`` for an IRI of one of our lessons or their parts."""
    match = _lesson_iri_pattern(settings.LMS_SITE_URL).match(activity_id)
    if match is None:
        return None
    lesson = activity_id[: match.start("part")] if match.group("part") else activity_id
    return lesson, not match.group("part")


def verb_name(verb_id: str) -> str | None:
    if verb_id == SATISFIED_VERB:
        return SATISFIED
    if verb_id.startswith(ADL_VERBS):
        name = verb_id[len(ADL_VERBS) :]
        return name if name in TRACKED_VERBS else ACTIVITY_VERBS.get(verb_id)
    return None


def voided_target(data: dict[str, Any]) -> str | None:
    """The id of the statement a voiding statement voids (None for any other statement)."""
    if (data.get("verb") or {}).get("id") != VOIDED_VERB:
        return None
    target = data.get("object") or {}
    return str(target.get("id")) if target.get("objectType") == "StatementRef" else None


def _lesson_verb(data: dict[str, Any]) -> tuple[str, str, bool] | None:
    """``(verb name, lesson IRI, is the lesson itself)`` for a tracked verb about one of our
    lessons or their parts, else None."""
    verb = verb_name((data.get("verb") or {}).get("id", ""))
    obj = data.get("object") or {}
    if verb is None or obj.get("objectType", "Activity") != "Activity":
        return None
    found = lesson_iri_of(str(obj.get("id", "")))
    return None if found is None else (verb, *found)


def about_a_lesson(data: dict[str, Any]) -> bool:
    """Whether the statement can be evidence. Cheap, and no query: statements from other
    tools about other activities stop here."""
    return _lesson_verb(data) is not None


def evidence_from(
    data: dict[str, Any], *, statement_id: str, timestamp: datetime
) -> tuple[str, Evidence] | None:
    """``(lesson IRI, evidence)`` when the statement is about one of our lessons, else None.

    ``timestamp`` is the statement's stored timestamp (the LRS fills it in when the statement
    had none), so the same statement always gives the same evidence.
    """
    found = _lesson_verb(data)
    if found is None:
        return None
    verb, lesson_iri, on_lesson = found
    result = data.get("result") or {}
    score = result.get("score") or {}
    scaled = score.get("scaled")
    progress = (result.get("extensions") or {}).get(PROGRESS_EXTENSION)
    if isinstance(progress, bool) or not isinstance(progress, int | float):
        progress = None
    else:
        progress = max(0, min(100, int(progress)))
    return lesson_iri, Evidence(
        statement_id=str(statement_id),
        verb=verb,
        timestamp=timestamp,
        on_lesson=on_lesson,
        success=result.get("success") if isinstance(result.get("success"), bool) else None,
        completion=result.get("completion") if isinstance(result.get("completion"), bool) else None,
        scaled=float(scaled) if isinstance(scaled, int | float) else None,
        progress=progress,
    )
