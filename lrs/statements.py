"""Pure statement helpers: identifiers, completion by the LRS, comparison, output formats."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .validation import IFI_KEYS

__all__ = [
    "agent_ifi",
    "format_statement",
    "iter_activities",
    "iter_agents",
    "parse_timestamp",
    "person_for_agent",
    "statements_equivalent",
    "to_iso",
]


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (already format-checked); naive ones are taken as UTC."""
    text = value.replace(",", ".")
    if len(text) > 19 and text[17:19] == "60":  # a leap second: keep the same minute's end
        text = text[:17] + "59" + text[19:]
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def to_iso(moment: datetime) -> str:
    """Serialise with millisecond precision in UTC, as the LRS returns ``stored``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def agent_ifi(agent: dict) -> str | None:
    """The inverse functional identifier of an Agent or Group as one comparable string."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"][7:].lower()
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return None


def agent_for_ifi(ifi: str) -> dict | None:
    """The Agent an IFI of :func:`agent_ifi` names (the inverse, up to the case of an mbox, which
    the IFI folds), or None for an empty or unknown one. An account's home page is an IRL,
    which cannot hold ``|``, so the first ``|`` ends it."""
    scheme, _, value = ifi.partition(":")
    if not value:
        return None
    if scheme == "mbox":
        return {"objectType": "Agent", "mbox": f"mailto:{value}"}
    if scheme == "sha1":
        return {"objectType": "Agent", "mbox_sha1sum": value}
    if scheme == "openid":
        return {"objectType": "Agent", "openid": value}
    if scheme == "account":
        home_page, separator, name = value.partition("|")
        if separator:
            return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}
    return None


def person_for_agent(agent: dict) -> dict:
    """The Person object of the Agents resource for an agent the LRS knows nothing more of."""
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in IFI_KEYS:
        if key in agent:
            person[key] = [agent[key]]
    return person


def _agent_rows(agent: dict, direct: bool) -> Iterator[tuple[str, bool]]:
    ifi = agent_ifi(agent)
    if ifi:
        yield ifi, direct
    for member in agent.get("member") or ():
        member_ifi = agent_ifi(member)
        if member_ifi:
            yield member_ifi, direct


def iter_agents(statement: dict) -> Iterator[tuple[str, bool]]:
    """(ifi, direct) for every agent of a statement: direct ones answer ``agent``, all of them
    answer ``related_agents`` (actor, object, authority, instructor, team, sub-statement)."""
    yield from _agent_rows(statement["actor"], True)
    obj = statement["object"]
    object_type = obj.get("objectType")
    if object_type in ("Agent", "Group"):
        yield from _agent_rows(obj, True)
    if "authority" in statement:
        yield from _agent_rows(statement["authority"], False)
    context = statement.get("context")
    if context:
        for key in ("instructor", "team"):
            if key in context:
                yield from _agent_rows(context[key], False)
        for item in context.get("contextAgents") or ():
            yield from _agent_rows(item["agent"], False)
        for item in context.get("contextGroups") or ():
            yield from _agent_rows(item["group"], False)
    if object_type == "SubStatement":
        for ifi, _direct in iter_agents(obj):
            yield ifi, False


def iter_activities(statement: dict) -> Iterator[tuple[str, dict | None]]:
    """(iri, definition) for every activity of a statement, for ``related_activities`` and the
    canonical definitions of the Activities resource."""
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        yield obj["id"], obj.get("definition")
    context = statement.get("context")
    if context and "contextActivities" in context:
        for items in context["contextActivities"].values():
            for item in items:
                yield item["id"], item.get("definition")
    if object_type == "SubStatement":
        yield from iter_activities(obj)


# --- comparison (Data 2.3.1) ---------------------------------------------------------------

_IGNORED_TOP = ("id", "stored", "authority", "version")


_AGENT_KEYS = frozenset(("actor", "instructor", "authority", "agent", "member"))
_ACTIVITY_KEYS = frozenset(("object", "parent", "grouping", "category", "other"))

# One component of an ISO 8601 duration (already format-checked by validation).
_DURATION_PART_RE = re.compile(r"(\d+(?:[.,]\d+)?)([YMWDHS])")
# Hundredths of a second per unit of the time components (Y, M, W and D have no fixed length).
_CENTISECONDS = {"H": 360_000, "TM": 6_000, "S": 100}


def duration_key(value: str) -> tuple | str:
    """A duration as xAPI 2.0 compares it (IEEE 9274.1.1 §4.2.7): precision beyond 0.01 s
    is not part of the comparison, so ``PT1.001S`` and ``PT1.002S`` are the same duration
    and ``PT1.00S`` and ``PT1.02S`` are not.

    Each component keeps its own unit: the time components become whole hundredths of a
    second, truncated (the LRS "MAY truncate" to 0.01 s, so truncation, not rounding, is
    what "not included" means); years, months, weeks and days have no fixed length in
    seconds and are compared as the numbers written. Zero components are left out
    (``PT1S`` equals ``PT1.00S`` and ``P0DT1S``). Anything unparsable compares as the string.
    """
    if not isinstance(value, str) or not value.startswith("P"):
        return value
    date_part, _, time_part = value[1:].partition("T")
    parts: dict[str, Decimal | int] = {}
    try:
        for section, text in (("", date_part), ("T", time_part)):
            for number, unit in _DURATION_PART_RE.findall(text):
                amount = Decimal(number.replace(",", "."))
                name = section + unit if unit == "M" else unit
                if name in _CENTISECONDS:
                    parts[name] = int(amount * _CENTISECONDS[name])  # int() truncates
                else:
                    parts[name] = amount.normalize()
    except InvalidOperation:
        return value
    return tuple(sorted((name, amount) for name, amount in parts.items() if amount))


def _instant(value: str) -> str:
    """A timestamp as the instant it names; a signed payload is not validated, so a value
    that is not a timestamp stays the string it is (and is unequal to any real one)."""
    try:
        return parse_timestamp(value).astimezone(UTC).isoformat()
    except ValueError:
        return value


def _normalise(value: Any, key: str = "", centiseconds: bool = False) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        if "objectType" not in value:  # the defaults of Data 2.4.2 and 2.4.4
            if key in _AGENT_KEYS:
                out["objectType"] = "Agent"
            elif key in _ACTIVITY_KEYS:
                out["objectType"] = "Activity"
        for k, v in value.items():
            if k == "definition" or (key == "verb" and k == "display"):
                continue  # Activity definitions and verb displays are not part of a statement
            if k == "extensions":
                # Extension values are the provider's own JSON: compared exactly, whatever
                # their keys look like (a nested "timestamp" is not an xAPI timestamp).
                out[k] = v
            elif k == "duration" and key == "result" and centiseconds:
                out[k] = duration_key(v)
            elif k in ("timestamp", "stored") and isinstance(v, str):
                out[k] = _instant(v)
            elif (k == "mbox" and isinstance(v, str)) or (
                k in ("registration", "id") and isinstance(v, str) and len(v) == 36
            ):
                out[k] = v.lower()
            elif k == "member" and isinstance(v, list):
                out[k] = sorted(
                    (_normalise(m, "member", centiseconds) for m in v),
                    key=lambda m: json.dumps(m, sort_keys=True, default=str),
                )
            else:
                out[k] = _normalise(v, k, centiseconds)
        return out
    if isinstance(value, list):
        return [_normalise(v, key, centiseconds) for v in value]
    return value


def statements_equivalent(stored: dict, received: dict, *, version: str = "1.0.3") -> bool:
    """Whether a received statement matches the stored one, ignoring what the LRS may set or
    change (id, stored, authority, version, definitions, display, timestamp serialisation,
    group member order, e-mail case).

    ``version`` is the xAPI version of the request (its X-Experience-API-Version header).
    Under 1.0.x ``result.duration`` is compared as a string: Data 2.3.1 lists the Result
    Duration explicitly as *not* an exception ("considered a string for purposes of
    Statement comparison", with the MUST of its comparison requirements), which outranks the
    SHOULD* of Data 4.6. Under 2.0.0 durations compare to 0.01 s (:func:`duration_key`).
    """
    centiseconds = version.startswith("2.")
    left = {k: v for k, v in stored.items() if k not in _IGNORED_TOP}
    right = {k: v for k, v in received.items() if k not in _IGNORED_TOP}
    if "timestamp" not in received:
        left.pop("timestamp", None)  # the LRS filled it in
    return _normalise(left, centiseconds=centiseconds) == _normalise(
        right, centiseconds=centiseconds
    )


# --- output formats (Communication 2.1.3) ------------------------------------------------------


# format=ids (Communication 2.1.3): "only include minimum information necessary in Agent,
# Activity, Verb and Group Objects to identify them. For Anonymous Groups this means
# including the minimum information needed to identify each member." An object keeps its
# identifier and the objectType it was sent with (required for Groups, SubStatements,
# StatementRefs and Agents as objects, optional elsewhere); none is added, so the ids form
# of an object is always a part of its exact form.


def _ids_activity(activity: dict) -> dict:
    out: dict[str, Any] = {}
    if "objectType" in activity:
        out["objectType"] = activity["objectType"]
    out["id"] = activity["id"]
    return out


def _ids_agent(agent: dict) -> dict:
    """An Agent or Identified Group by its one IFI; an Anonymous Group by its members'."""
    out: dict[str, Any] = {}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    for key in IFI_KEYS:
        if key in agent:
            out[key] = agent[key]
            return out
    if "member" in agent:
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _ids_context(context: dict) -> dict:
    out = dict(context)
    for key in ("instructor", "team"):
        if key in out:
            out[key] = _ids_agent(out[key])
    if "contextActivities" in out:
        out["contextActivities"] = {
            key: [_ids_activity(item) for item in items]
            for key, items in out["contextActivities"].items()
        }
    # xAPI 2.0 context agents and groups: the relationship stays, the Agent or Group shrinks.
    if "contextAgents" in out:
        out["contextAgents"] = [
            {**item, "agent": _ids_agent(item["agent"])} for item in out["contextAgents"]
        ]
    if "contextGroups" in out:
        out["contextGroups"] = [
            {**item, "group": _ids_agent(item["group"])} for item in out["contextGroups"]
        ]
    return out


def _ids(statement: dict) -> dict:
    out = dict(statement)
    out["actor"] = _ids_agent(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        out["object"] = _ids_activity(obj)
    elif object_type in ("Agent", "Group"):
        out["object"] = _ids_agent(obj)
    elif object_type == "SubStatement":
        out["object"] = _ids(obj)
    if "authority" in statement:
        out["authority"] = _ids_agent(statement["authority"])
    if statement.get("context"):
        out["context"] = _ids_context(statement["context"])
    return out


def _pick_language(language_map: dict, languages: list[str]) -> dict:
    if not language_map:
        return language_map
    lowered = {key.lower(): key for key in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        for low, key in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


_LANGUAGE_MAP_KEYS = frozenset(("display", "name", "description"))


def _canonical(value: Any, languages: list[str], key: str = "") -> Any:
    if isinstance(value, dict):
        if key in _LANGUAGE_MAP_KEYS and all(isinstance(v, str) for v in value.values()):
            return _pick_language(value, languages)
        if key == "extensions":
            return value
        return {k: _canonical(v, languages, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v, languages, key) for v in value]
    return value


def format_statement(
    statement: dict, fmt: str, languages: list[str], definitions: dict[str, dict] | None = None
) -> dict:
    """Render a stored statement as ``exact``, ``ids`` or ``canonical``."""
    if fmt == "ids":
        return _ids(statement)
    if fmt == "canonical":
        if definitions:
            statement = _with_definitions(statement, definitions)
        return _canonical(statement, languages)
    return statement


def _with_definitions(statement: dict, definitions: dict[str, dict]) -> dict:
    """Replace activity definitions with the LRS's canonical ones."""

    def activity(item: dict) -> dict:
        definition = definitions.get(item["id"])
        if definition:
            return {**item, "definition": definition}
        return item

    out = dict(statement)
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        out["object"] = activity(obj)
    elif object_type == "SubStatement":
        out["object"] = _with_definitions(obj, definitions)
    context = statement.get("context")
    if context and "contextActivities" in context:
        out["context"] = {
            **context,
            "contextActivities": {
                key: [activity(item) for item in items]
                for key, items in context["contextActivities"].items()
            },
        }
    return out


def new_statement_id() -> str:
    return str(uuid.uuid4())
