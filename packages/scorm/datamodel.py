"""The elements of each SCORM version's run-time data model that Capacita keeps, and their
rules (SCORM 1.2 RTE §3.4, SCORM 2004 4th edition RTE §4.2).

The browser's run-time library enforces the whole data model while the SCO runs; the server
checks again what it stores, because a commit is input like any other: each value must be a
string of the element's type, length and vocabulary. :func:`validate` raises
``common.errors.InputError`` naming the element and the rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.errors import InputError

SCORM12 = "scorm12"
SCORM2004 = "scorm2004"

# The most interactions one attempt may record (both versions: far above what SCOs use).
MAX_INTERACTIONS = 250

_DECIMAL = re.compile(r"^-?\d{1,10}(\.\d{1,7})?$")
# SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (hours 2-4 digits, optional 1-2 decimals).
_TIMESPAN12 = re.compile(r"^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$")
# SCORM 2004 timeinterval (second,10,2): an ISO 8601 duration.
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$")
_IDENTIFIER12 = re.compile(r"^[^\s]{1,255}$")


@dataclass(frozen=True)
class Rule:
    """How one element's value is checked: ``check`` returns the rule code broken, or None."""

    check: Callable[[str], str | None]


def _max_length(limit: int) -> Rule:
    return Rule(lambda value: "length" if len(value) > limit else None)


def _vocabulary(*words: str) -> Rule:
    allowed = frozenset(words)
    return Rule(lambda value: None if value in allowed else "vocabulary")


def _decimal(low: float | None, high: float | None, *, empty: bool = False) -> Rule:
    def check(value: str) -> str | None:
        if value == "" and empty:
            return None
        if not _DECIMAL.match(value):
            return "type.decimal"
        number = float(value)
        if (low is not None and number < low) or (high is not None and number > high):
            return "range"
        return None

    return Rule(check)


def _pattern(pattern: re.Pattern[str], rule: str) -> Rule:
    return Rule(lambda value: None if pattern.match(value) else rule)


def _result(*words: str) -> Rule:
    # An interaction's result: a word of the vocabulary or a number.
    allowed = frozenset(words)
    return Rule(lambda value: None if value in allowed or _DECIMAL.match(value) else "vocabulary")


_TIME12 = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")
# SCORM 2004 time (second,10,0): an ISO 8601 date-time, as precise as the SCO chose.
_TIMESTAMP = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2})?)?)?"
    r"(Z|[+-]\d{2}(:\d{2})?)?)?)?)?$"
)
_STATUS12 = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
_TYPES12 = (
    "true-false",
    "choice",
    "fill-in",
    "matching",
    "performance",
    "likert",
    "sequencing",
    "numeric",
)
INTERACTION_TYPES_2004 = (
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
)


def _uri(limit: int) -> Rule:
    return Rule(lambda value: None if 0 < len(value) <= limit and " " not in value else "type.uri")


# The elements kept of each version, by name with "n" for each index (``cmi.interactions.n.id``
# stands for ``cmi.interactions.0.id``, ``cmi.interactions.1.id``...): everything the SCO may
# write that persists across the sessions of an attempt, so that a resumed attempt starts with
# it (SCORM 1.2 RTE 3.4; SCORM 2004 RTE 4.2), plus exit and session time, which the server
# reads at Terminate.
RULES_12: Mapping[str, Rule] = {
    "cmi.core.lesson_location": _max_length(255),
    "cmi.core.lesson_status": _vocabulary(*_STATUS12),
    "cmi.core.exit": _vocabulary("time-out", "suspend", "logout", ""),
    "cmi.core.score.raw": _decimal(0, 100, empty=True),
    "cmi.core.score.min": _decimal(0, 100, empty=True),
    "cmi.core.score.max": _decimal(0, 100, empty=True),
    "cmi.core.session_time": _pattern(_TIMESPAN12, "type.timespan"),
    "cmi.suspend_data": _max_length(4096),
    "cmi.comments": _max_length(4096),
    "cmi.student_preference.audio": _decimal(-1, 100),
    "cmi.student_preference.language": _max_length(255),
    "cmi.student_preference.speed": _decimal(-100, 100),
    "cmi.student_preference.text": _vocabulary("-1", "0", "1"),
    "cmi.objectives.n.id": _pattern(_IDENTIFIER12, "type.identifier"),
    "cmi.objectives.n.score.raw": _decimal(0, 100, empty=True),
    "cmi.objectives.n.score.min": _decimal(0, 100, empty=True),
    "cmi.objectives.n.score.max": _decimal(0, 100, empty=True),
    "cmi.objectives.n.status": _vocabulary(*_STATUS12),
    "cmi.interactions.n.id": _pattern(_IDENTIFIER12, "type.identifier"),
    "cmi.interactions.n.objectives.n.id": _pattern(_IDENTIFIER12, "type.identifier"),
    "cmi.interactions.n.time": _pattern(_TIME12, "type.time"),
    "cmi.interactions.n.type": _vocabulary(*_TYPES12),
    "cmi.interactions.n.correct_responses.n.pattern": _max_length(255),
    "cmi.interactions.n.weighting": _decimal(None, None),
    "cmi.interactions.n.student_response": _max_length(255),
    "cmi.interactions.n.result": _result("correct", "wrong", "unanticipated", "neutral"),
    "cmi.interactions.n.latency": _pattern(_TIMESPAN12, "type.timespan"),
}

RULES_2004: Mapping[str, Rule] = {
    "cmi.location": _max_length(1000),
    "cmi.completion_status": _vocabulary("completed", "incomplete", "not attempted", "unknown"),
    "cmi.success_status": _vocabulary("passed", "failed", "unknown"),
    "cmi.exit": _vocabulary("time-out", "suspend", "logout", "normal", ""),
    "cmi.score.scaled": _decimal(-1, 1, empty=True),
    "cmi.score.raw": _decimal(None, None, empty=True),
    "cmi.score.min": _decimal(None, None, empty=True),
    "cmi.score.max": _decimal(None, None, empty=True),
    "cmi.progress_measure": _decimal(0, 1, empty=True),
    "cmi.session_time": _pattern(_DURATION, "type.timeinterval"),
    "cmi.suspend_data": _max_length(64000),
    "cmi.learner_preference.audio_level": _decimal(0, None),
    "cmi.learner_preference.language": _max_length(250),
    "cmi.learner_preference.delivery_speed": _decimal(0, None),
    "cmi.learner_preference.audio_captioning": _vocabulary("-1", "0", "1"),
    "cmi.comments_from_learner.n.comment": _max_length(4000),
    "cmi.comments_from_learner.n.location": _max_length(250),
    "cmi.comments_from_learner.n.timestamp": _pattern(_TIMESTAMP, "type.timestamp"),
    "cmi.objectives.n.id": _uri(4000),
    "cmi.objectives.n.score.scaled": _decimal(-1, 1, empty=True),
    "cmi.objectives.n.score.raw": _decimal(None, None, empty=True),
    "cmi.objectives.n.score.min": _decimal(None, None, empty=True),
    "cmi.objectives.n.score.max": _decimal(None, None, empty=True),
    "cmi.objectives.n.success_status": _vocabulary("passed", "failed", "unknown"),
    "cmi.objectives.n.completion_status": _vocabulary(
        "completed", "incomplete", "not attempted", "unknown"
    ),
    "cmi.objectives.n.progress_measure": _decimal(0, 1, empty=True),
    "cmi.objectives.n.description": _max_length(250),
    "cmi.interactions.n.id": _uri(4000),
    "cmi.interactions.n.type": _vocabulary(*INTERACTION_TYPES_2004),
    "cmi.interactions.n.objectives.n.id": _uri(4000),
    "cmi.interactions.n.timestamp": _pattern(_TIMESTAMP, "type.timestamp"),
    # The longest pattern of any interaction type (a long-fill-in's: 4000 characters plus its
    # delimiters), the type-specific forms being the run-time library's to check.
    "cmi.interactions.n.correct_responses.n.pattern": _max_length(8000),
    "cmi.interactions.n.weighting": _decimal(None, None),
    "cmi.interactions.n.learner_response": _max_length(8000),
    "cmi.interactions.n.result": _result("correct", "incorrect", "unanticipated", "neutral"),
    "cmi.interactions.n.latency": _pattern(_DURATION, "type.timeinterval"),
    "cmi.interactions.n.description": _max_length(250),
}

# The most entries of each collection one attempt may hold (at least the smallest permitted
# maximum the specifications give, far above what SCOs use).
COLLECTION_LIMITS: Mapping[str, int] = {
    "cmi.interactions": MAX_INTERACTIONS,
    "cmi.objectives": 100,
    "cmi.comments_from_learner": 250,
    "cmi.interactions.n.objectives": 10,
    "cmi.interactions.n.correct_responses": 36,
}
# Collections whose entries need their id before anything else of them.
NEEDS_ID = ("cmi.interactions", "cmi.objectives", "cmi.interactions.n.objectives")
# What persists across the sessions of an attempt: all of it less exit and session time.
NOT_RESUMED = frozenset({"cmi.core.exit", "cmi.core.session_time", "cmi.exit", "cmi.session_time"})

_INDEX = re.compile(r"\.(\d{1,4})(?=\.|$)")

MESSAGES = {
    "type.string": gettext_noop("El valor debe ser una cadena de texto."),
    "length": gettext_noop("El valor es más largo de lo que permite el modelo de datos."),
    "vocabulary": gettext_noop("El valor no pertenece al vocabulario del elemento."),
    "type.decimal": gettext_noop("El valor debe ser un número decimal."),
    "range": gettext_noop("El número está fuera del intervalo del elemento."),
    "type.timespan": gettext_noop("El valor debe ser un CMITimespan (HHHH:MM:SS.SS)."),
    "type.timeinterval": gettext_noop("El valor debe ser una duración ISO 8601 (p. ej. PT1M30S)."),
    "type.time": gettext_noop("El valor debe ser una hora CMITime (HH:MM:SS)."),
    "type.timestamp": gettext_noop(
        "El valor debe ser una fecha y hora ISO 8601 (p. ej. 2026-03-01T10:30:00)."
    ),
    "type.identifier": gettext_noop(
        "El valor debe ser un identificador sin espacios (hasta 255 caracteres)."
    ),
    "type.uri": gettext_noop(
        "El valor debe ser un identificador sin espacios (hasta 4000 caracteres)."
    ),
    "element.unknown": gettext_noop("Capacita no guarda este elemento del modelo de datos."),
    "interactions.count": gettext_noop("Demasiadas interacciones en un intento."),
    "collection.count": gettext_noop("Demasiados elementos en esta colección del modelo de datos."),
    "interactions.id": gettext_noop("Una interacción necesita su cmi.interactions.n.id."),
    "objectives.id": gettext_noop("Un objetivo necesita su id."),
}


def _error(element: str, rule: str) -> InputError:
    return InputError(element, rule, _(MESSAGES[rule]))


def element_pattern(element: str) -> tuple[str, list[tuple[str, int, str]]]:
    """``element`` with "n" for each index, and each collection entry it names: the
    collection's pattern, the index and the entry's name. ``cmi.interactions.2.objectives.0.id``
    is ``cmi.interactions.n.objectives.n.id`` with ``("cmi.interactions", 2,
    "cmi.interactions.2")`` and ``("cmi.interactions.n.objectives", 0,
    "cmi.interactions.2.objectives.0")``."""
    entries: list[tuple[str, int, str]] = []
    pattern = ""
    position = 0
    for match in _INDEX.finditer(element):
        pattern += element[position : match.start()]
        entries.append((pattern, int(match[1]), element[: match.end()]))
        pattern += ".n"
        position = match.end()
    return pattern + element[position:], entries


def rules_for(version: str) -> Mapping[str, Rule]:
    return RULES_12 if version == SCORM12 else RULES_2004


def validate(version: str, data: object) -> dict[str, str]:
    """The committed elements, checked: a flat mapping of element names to string values.

    Raises ``InputError(element, rule, message)`` for a value of the wrong type, length,
    vocabulary or range, an element Capacita does not keep, a collection with too many
    entries, or an interaction or objective without its id.
    """
    if not isinstance(data, dict):
        raise InputError("cmi", "type.object", _("«cmi» debe ser un objeto JSON."))
    rules = rules_for(version)
    clean: dict[str, str] = {}
    entries: dict[str, str] = {}  # entry name -> its collection, for those that need an id
    with_id: set[str] = set()
    for element, value in data.items():
        if not isinstance(element, str):
            raise _error("cmi", "element.unknown")
        pattern, named = element_pattern(element)
        rule = rules.get(pattern)
        if rule is None:
            raise _error(element, "element.unknown")
        for collection, index, entry in named:
            if index >= COLLECTION_LIMITS.get(collection, 0):
                whole = collection == "cmi.interactions"
                raise _error(element, "interactions.count" if whole else "collection.count")
            if collection in NEEDS_ID:
                entries[entry] = collection
        if named and pattern == f"{named[-1][0]}.n.id":
            with_id.add(named[-1][2])
        if not isinstance(value, str):
            raise _error(element, "type.string")
        broken = rule.check(value)
        if broken is not None:
            raise _error(element, broken)
        clean[element] = value
    for entry in sorted(set(entries) - with_id):
        missing = "interactions.id" if entries[entry] == "cmi.interactions" else "objectives.id"
        raise _error(f"{entry}.id", missing)
    return clean


def stored_patterns(version: str) -> list[str]:
    """The elements kept, as regular expressions the browser filters the SCO's values with
    (packages/scorm-runtime.js)."""
    return [
        "^" + re.escape(pattern).replace(r"\.n\.", r"\.\d+\.") + "$"
        for pattern in rules_for(version)
    ]


def resumed(values: Mapping[str, str]) -> dict[str, str]:
    """What a resumed attempt starts with of its committed values: all but exit and session
    time, which belong to the session that ended."""
    return {key: value for key, value in values.items() if key not in NOT_RESUMED}
