"""Pure statement helpers: identifiers, completion by the LRS, comparison, output formats."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
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


def _normalise(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        if "objectType" not in value:  # the defaults of Data 2.4.2 and 2.4.4
            if key in _AGENT_KEYS:
                out["objectType"] = "Agent"
            elif key in _ACTIVITY_KEYS:
                out["objectType"] = "Activity"
        for k, v in value.items():
            if k == "definition" or (key == "verb" and k == "display"):
                continue  # Activity definitions and verb displays are not part of a statement
            if k in ("timestamp", "stored") and isinstance(v, str):
                out[k] = parse_timestamp(v).astimezone(UTC).isoformat()
            elif (k == "mbox" and isinstance(v, str)) or (
                k in ("registration", "id") and isinstance(v, str) and len(v) == 36
            ):
                out[k] = v.lower()
            elif k == "member" and isinstance(v, list):
                out[k] = sorted(
                    (_normalise(m, "member") for m in v),
                    key=lambda m: json.dumps(m, sort_keys=True),
                )
            else:
                out[k] = _normalise(v, k)
        return out
    if isinstance(value, list):
        return [_normalise(v, key) for v in value]
    return value


def statements_equivalent(stored: dict, received: dict) -> bool:
    """Whether a received statement matches the stored one, ignoring what the LRS may set or
    change (id, stored, authority, version, definitions, display, timestamp serialisation,
    group member order, e-mail case)."""
    left = {k: v for k, v in stored.items() if k not in _IGNORED_TOP}
    right = {k: v for k, v in received.items() if k not in _IGNORED_TOP}
    if "timestamp" not in received:
        left.pop("timestamp", None)  # the LRS filled it in
    return _normalise(left) == _normalise(right)


# --- output formats (Communication 2.1.3) ------------------------------------------------------


def _ids_agent(agent: dict) -> dict:
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


def _ids(statement: dict) -> dict:
    out = dict(statement)
    out["actor"] = _ids_agent(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        out["object"] = {"objectType": "Activity", "id": obj["id"]}
    elif object_type in ("Agent", "Group"):
        out["object"] = _ids_agent(obj)
    elif object_type == "SubStatement":
        out["object"] = _ids(obj)
    if "authority" in statement:
        out["authority"] = _ids_agent(statement["authority"])
    context = statement.get("context")
    if context:
        context = dict(context)
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _ids_agent(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [{"objectType": "Activity", "id": item["id"]} for item in items]
                for key, items in context["contextActivities"].items()
            }
        out["context"] = context
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
