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


RULES_12: Mapping[str, Rule] = {
    "cmi.core.lesson_location": _max_length(255),
    "cmi.core.lesson_status": _vocabulary(
        "passed", "completed", "failed", "incomplete", "browsed", "not attempted"
    ),
    "cmi.core.exit": _vocabulary("time-out", "suspend", "logout", ""),
    "cmi.core.score.raw": _decimal(0, 100, empty=True),
    "cmi.core.score.min": _decimal(0, 100, empty=True),
    "cmi.core.score.max": _decimal(0, 100, empty=True),
    "cmi.core.session_time": _pattern(_TIMESPAN12, "type.timespan"),
    "cmi.suspend_data": _max_length(4096),
}
INTERACTION_RULES_12: Mapping[str, Rule] = {
    "id": _pattern(_IDENTIFIER12, "type.identifier"),
    "type": _vocabulary(
        "true-false",
        "choice",
        "fill-in",
        "matching",
        "performance",
        "likert",
        "sequencing",
        "numeric",
    ),
    "student_response": _max_length(255),
    "result": _result("correct", "wrong", "unanticipated", "neutral"),
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
}
INTERACTION_RULES_2004: Mapping[str, Rule] = {
    "id": Rule(lambda value: None if 0 < len(value) <= 4000 and " " not in value else "type.uri"),
    "type": _vocabulary(
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
    ),
    "learner_response": _max_length(4000),
    "result": _result("correct", "incorrect", "unanticipated", "neutral"),
    "description": _max_length(250),
}

_INTERACTION = re.compile(r"^cmi\.interactions\.(?P<index>\d{1,4})\.(?P<field>[a-z_]+)$")

MESSAGES = {
    "type.string": gettext_noop("El valor debe ser una cadena de texto."),
    "length": gettext_noop("El valor es más largo de lo que permite el modelo de datos."),
    "vocabulary": gettext_noop("El valor no pertenece al vocabulario del elemento."),
    "type.decimal": gettext_noop("El valor debe ser un número decimal."),
    "range": gettext_noop("El número está fuera del intervalo del elemento."),
    "type.timespan": gettext_noop("El valor debe ser un CMITimespan (HHHH:MM:SS.SS)."),
    "type.timeinterval": gettext_noop("El valor debe ser una duración ISO 8601 (p. ej. PT1M30S)."),
    "type.identifier": gettext_noop(
        "El valor debe ser un identificador sin espacios (hasta 255 caracteres)."
    ),
    "type.uri": gettext_noop(
        "El valor debe ser un identificador sin espacios (hasta 4000 caracteres)."
    ),
    "element.unknown": gettext_noop("Capacita no guarda este elemento del modelo de datos."),
    "interactions.count": gettext_noop("Demasiadas interacciones en un intento."),
    "interactions.id": gettext_noop("Una interacción necesita su cmi.interactions.n.id."),
}


def _error(element: str, rule: str) -> InputError:
    return InputError(element, rule, _(MESSAGES[rule]))


def rules_for(version: str) -> tuple[Mapping[str, Rule], Mapping[str, Rule]]:
    if version == SCORM12:
        return RULES_12, INTERACTION_RULES_12
    return RULES_2004, INTERACTION_RULES_2004


def validate(version: str, data: object) -> dict[str, str]:
    """The committed elements, checked: a flat mapping of element names to string values.

    Raises ``InputError(element, rule, message)`` for a value of the wrong type, length,
    vocabulary or range, an element Capacita does not keep, or an interaction without its id.
    """
    if not isinstance(data, dict):
        raise InputError("cmi", "type.object", _("«cmi» debe ser un objeto JSON."))
    rules, interaction_rules = rules_for(version)
    clean: dict[str, str] = {}
    interaction_ids: set[int] = set()
    interactions: set[int] = set()
    for element, value in data.items():
        if not isinstance(element, str):
            raise _error("cmi", "element.unknown")
        match = _INTERACTION.match(element)
        if match is not None:
            rule = interaction_rules.get(match["field"])
            index = int(match["index"])
            if index >= MAX_INTERACTIONS:
                raise _error(element, "interactions.count")
            interactions.add(index)
            if match["field"] == "id":
                interaction_ids.add(index)
        else:
            rule = rules.get(element)
        if rule is None:
            raise _error(element, "element.unknown")
        if not isinstance(value, str):
            raise _error(element, "type.string")
        broken = rule.check(value)
        if broken is not None:
            raise _error(element, broken)
        clean[element] = value
    for index in sorted(interactions - interaction_ids):
        raise _error(f"cmi.interactions.{index}.id", "interactions.id")
    return clean


def stored_elements(version: str) -> list[str]:
    """Patterns of the elements the browser sends (the script filters with them)."""
    rules, interaction_rules = rules_for(version)
    return [*rules, *(f"cmi.interactions.n.{field}" for field in interaction_rules)]
