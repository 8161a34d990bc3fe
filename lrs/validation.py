"""Validation of xAPI statements (1.0.x and 2.0.0), separate from the ORM.

Every MUST of the Data part that can be checked on a statement alone is checked here. A
failure raises :class:`XAPIValidationError` naming the JSON path of the offending field and the
rule broken; the views turn it into a ``400`` answer. The checks are plain functions over plain
dicts, written to be cheap: the statement hot path runs them for every stored statement.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from common import json_input

__all__ = [
    "VOIDED_VERB",
    "XAPIValidationError",
    "check_length",
    "check_params",
    "is_iri",
    "parse_agent_param",
    "parse_json",
    "validate_agent",
    "validate_statement",
    "validate_statements",
]

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"


class XAPIValidationError(ValueError):
    """A statement (or a parameter) breaks a rule of the specification."""

    def __init__(self, path: str, rule: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.rule = rule
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"error": self.message, "path": self.path, "rule": self.rule}


# --- raw input: JSON bodies and query parameters ----------------------------------------------


def parse_json(body: bytes | str, path: str | None = None) -> Any:
    """Parse a JSON body (statements, a document, an ``agent`` parameter) within the limits of
    :mod:`common.json_input`: nesting depth, finite numbers, no NUL, no unpaired surrogates.

    ``path`` names the body in errors; ``None`` names a statement body by what it holds
    (``statement`` for an object, ``statements`` for an array), as the statement checks do.
    Text that is not JSON raises rule ``json``."""
    root = path or "statement"
    try:
        value = json_input.decode(body, root)
        if path is None and isinstance(value, list):
            root = "statements"
        json_input.check_decoded(body, value, root)
    except json_input.UnsafeInputError as exc:
        raise XAPIValidationError(exc.path or root, exc.rule, exc.message) from None
    except ValueError:
        raise XAPIValidationError(root, "json", "must be valid JSON (UTF-8)") from None
    return value


def check_params(params: dict[str, str]) -> None:
    """Refuse NUL characters and unpaired surrogates in query (or form) parameters, names
    and values, before any of them reaches the database."""
    for name, value in params.items():
        try:
            json_input.check_text(name, name)
            json_input.check_text(value, name)
        except json_input.UnsafeInputError as exc:
            raise XAPIValidationError(exc.path or "parameters", exc.rule, exc.message) from None


# --- primitive formats ----------------------------------------------------------------------

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# An absolute IRI: a scheme, a colon and no whitespace (RFC 3987 allows non-ASCII characters).
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_MAILTO_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
# RFC 5646 language tag (langtag, private use or grandfathered irregular), case-insensitive.
_LANG_RE = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+"
    r"|[Ii]-(?:default|enochian|hak|klingon|lux|mingo|navajo|pwn|tao|tay|tsu)"
    r"|[Ee][Nn]-[Gg][Bb]-oed|[Ss][Gg][Nn]-(?:BE-FR|BE-NL|CH-DE))$"
)
# ISO 8601 combined date and time (RFC 3339 profile); the offset -00:00 is forbidden.
_TIMESTAMP_RE = re.compile(
    r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"T(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:[.,]\d+)?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$"
)
_DURATION_RE = re.compile(
    r"^P(?:\d+(?:[.,]\d+)?W|"
    r"(?=\d|T\d)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?)$"
)
_VERSION_RE = re.compile(r"^1\.0(?:\.\d+)?$|^2\.0\.0$")
_MEDIA_TYPE_RE = re.compile(r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;.*)?$")

INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and _IRI_RE.match(value) is not None


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID_RE.match(value) is not None


def is_timestamp(value: Any) -> bool:
    if (
        not isinstance(value, str)
        or _TIMESTAMP_RE.match(value) is None
        or value.endswith(("-00:00", "-0000", "-00"))
    ):
        return False
    text = value.replace(",", ".")
    if len(text) > 19 and text[17:19] == "60":
        text = text[:17] + "59" + text[19:]
    try:
        datetime.fromisoformat(text)  # rejects impossible dates such as February 30
    except ValueError:
        return False
    return True


def _fail(path: str, rule: str, message: str) -> None:
    raise XAPIValidationError(path, rule, message)


def _obj(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        _fail(path, "type.object", "must be a JSON object")
    return value


def _allowed(obj: dict, allowed: frozenset, path: str) -> None:
    # Set operations in C for the usual case; the loop names the first offending member.
    if obj.keys() <= allowed and None not in obj.values():
        return
    for key, value in obj.items():
        if key not in allowed:
            _fail(f"{path}.{key}", "property.unknown", f"unknown property {key!r}")
        if value is None:
            _fail(f"{path}.{key}", "value.null", "null is not allowed")


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, "type.string", "must be a string")
    return value


def _bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        _fail(path, "type.boolean", "must be true or false")


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "type.number", "must be a number")
    return value


def _iri(value: Any, path: str) -> None:
    if not is_iri(value):
        _fail(path, "format.iri", "must be an absolute IRI")


# Identifiers the LRS keeps in indexed columns (verb, activity, agent IFI, document id) and
# media types (stored as given) have a length; PostgreSQL refuses a longer value outright.
MAX_IDENTIFIER_LENGTH = 512
MAX_MEDIA_TYPE_LENGTH = 255


def check_length(value: str, path: str, limit: int = MAX_IDENTIFIER_LENGTH) -> None:
    """Refuse an identifier longer than the LRS keeps (``length.max``)."""
    if len(value) > limit:
        _fail(path, "length.max", f"must be at most {limit} characters")


def _stored_iri(value: Any, path: str) -> None:
    _iri(value, path)
    check_length(value, path)


def _uuid(value: Any, path: str) -> None:
    if not is_uuid(value):
        _fail(path, "format.uuid", "must be a UUID in standard string form")


def _timestamp(value: Any, path: str) -> None:
    if not is_timestamp(value):
        _fail(path, "format.timestamp", "must be an ISO 8601 timestamp (no -00:00 offset)")


def _language_map(value: Any, path: str) -> None:
    _obj(value, path)
    for key, text in value.items():
        if not _LANG_RE.match(key):
            _fail(f"{path}.{key}", "format.language_tag", "keys must be RFC 5646 language tags")
        if not isinstance(text, str):
            _fail(f"{path}.{key}", "type.string", "language map values must be strings")


def _extensions(value: Any, path: str) -> None:
    _obj(value, path)
    for key in value:
        if not is_iri(key):
            _fail(f"{path}.{key}", "format.iri", "extension keys must be IRIs")


# --- agents and groups ----------------------------------------------------------------------

IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_AGENT_KEYS = frozenset(("objectType", "name", *IFI_KEYS))
_GROUP_KEYS = frozenset(("objectType", "name", "member", *IFI_KEYS))
_ACCOUNT_KEYS = frozenset(("homePage", "name"))


def _ifis(obj: dict, path: str) -> int:
    count = 0
    if "mbox" in obj:
        count += 1
        if not isinstance(obj["mbox"], str) or not _MAILTO_RE.match(obj["mbox"]):
            _fail(f"{path}.mbox", "format.mailto", "must be a mailto IRI (mailto:address)")
        check_length(obj["mbox"], f"{path}.mbox")
    if "mbox_sha1sum" in obj:
        count += 1
        if not isinstance(obj["mbox_sha1sum"], str) or not _SHA1_RE.match(obj["mbox_sha1sum"]):
            _fail(f"{path}.mbox_sha1sum", "format.sha1", "must be a hex SHA-1 digest")
    if "openid" in obj:
        count += 1
        _iri(obj["openid"], f"{path}.openid")
        # Kept as "openid:<IRI>".
        check_length(obj["openid"], f"{path}.openid", MAX_IDENTIFIER_LENGTH - len("openid:"))
    if "account" in obj:
        count += 1
        account = _obj(obj["account"], f"{path}.account")
        _allowed(account, _ACCOUNT_KEYS, f"{path}.account")
        if "homePage" not in account:
            _fail(f"{path}.account.homePage", "required", "account needs homePage")
        if "name" not in account:
            _fail(f"{path}.account.name", "required", "account needs name")
        _iri(account["homePage"], f"{path}.account.homePage")
        _string(account["name"], f"{path}.account.name")
        # Kept as "account:<homePage>|<name>".
        check_length(
            account["homePage"] + account["name"],
            f"{path}.account",
            MAX_IDENTIFIER_LENGTH - len("account:|"),
        )
    return count


def validate_agent(value: Any, path: str, *, object_type_required: bool = False) -> None:
    """Check an Agent or a Group (actor, object, instructor, authority...)."""
    obj = _obj(value, path)
    object_type = obj.get("objectType", None if not object_type_required else "")
    if object_type is not None:
        _string(object_type, f"{path}.objectType")
    if object_type == "Group":
        _validate_group(obj, path)
        return
    if object_type not in (None, "Agent"):
        _fail(f"{path}.objectType", "enum", "must be 'Agent' or 'Group'")
    _allowed(obj, _AGENT_KEYS, path)
    if "name" in obj:
        _string(obj["name"], f"{path}.name")
    if _ifis(obj, path) != 1:
        _fail(path, "agent.ifi", "an Agent must have exactly one inverse functional identifier")


def _validate_group(obj: dict, path: str) -> None:
    _allowed(obj, _GROUP_KEYS, path)
    if "name" in obj:
        _string(obj["name"], f"{path}.name")
    count = _ifis(obj, path)
    if count > 1:
        _fail(
            path, "group.ifi", "a Group must not have more than one inverse functional identifier"
        )
    if "member" in obj:
        members = obj["member"]
        if not isinstance(members, list):
            _fail(f"{path}.member", "type.array", "must be an array of Agents")
        for index, member in enumerate(members):
            member_path = f"{path}.member[{index}]"
            if isinstance(member, dict) and member.get("objectType") == "Group":
                _fail(f"{member_path}.objectType", "group.member", "members must be Agents")
            validate_agent(member, member_path)
    if count == 0 and not obj.get("member"):
        _fail(f"{path}.member", "group.anonymous", "an anonymous Group must list its members")


# --- activities ------------------------------------------------------------------------------

_ACTIVITY_KEYS = frozenset(("objectType", "id", "definition"))
_DEFINITION_KEYS = frozenset(
    (
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *COMPONENT_LISTS,
    )
)
_COMPONENT_KEYS = frozenset(("id", "description"))


def _validate_activity(obj: dict, path: str) -> None:
    _allowed(obj, _ACTIVITY_KEYS, path)
    if "id" not in obj:
        _fail(f"{path}.id", "required", "an Activity needs an id")
    _stored_iri(obj["id"], f"{path}.id")
    if "definition" in obj:
        _validate_definition(obj["definition"], f"{path}.definition")


def _validate_definition(value: Any, path: str) -> None:
    definition = _obj(value, path)
    _allowed(definition, _DEFINITION_KEYS, path)
    if "name" in definition:
        _language_map(definition["name"], f"{path}.name")
    if "description" in definition:
        _language_map(definition["description"], f"{path}.description")
    if "type" in definition:
        _iri(definition["type"], f"{path}.type")
    if "moreInfo" in definition:
        _iri(definition["moreInfo"], f"{path}.moreInfo")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.extensions")
    interaction = definition.get("interactionType")
    if interaction is None:
        for key in ("correctResponsesPattern", *COMPONENT_LISTS):
            if key in definition:
                _fail(f"{path}.{key}", "interaction.type_required", "needs interactionType")
        return
    # A JSON object or array here is unhashable: the type check must come before the lookup.
    if _string(interaction, f"{path}.interactionType") not in INTERACTION_TYPES:
        _fail(f"{path}.interactionType", "enum", "unknown interactionType")
    allowed_lists = INTERACTION_TYPES[interaction]
    if "correctResponsesPattern" in definition:
        pattern = definition["correctResponsesPattern"]
        if not isinstance(pattern, list):
            _fail(f"{path}.correctResponsesPattern", "type.array", "must be an array of strings")
        for index, item in enumerate(pattern):
            _string(item, f"{path}.correctResponsesPattern[{index}]")
    for key in COMPONENT_LISTS:
        if key not in definition:
            continue
        list_path = f"{path}.{key}"
        if key not in allowed_lists:
            _fail(list_path, "interaction.components", f"not allowed for {interaction}")
        components = definition[key]
        if not isinstance(components, list):
            _fail(list_path, "type.array", "must be an array of interaction components")
        seen: set[str] = set()
        for index, component in enumerate(components):
            component_path = f"{list_path}[{index}]"
            _allowed(_obj(component, component_path), _COMPONENT_KEYS, component_path)
            if "id" not in component:
                _fail(f"{component_path}.id", "required", "an interaction component needs an id")
            component_id = _string(component["id"], f"{component_path}.id")
            if component_id in seen:
                _fail(f"{component_path}.id", "unique", "component ids must be unique")
            seen.add(component_id)
            if "description" in component:
                _language_map(component["description"], f"{component_path}.description")


# --- statement parts ---------------------------------------------------------------------------

_VERB_KEYS = frozenset(("id", "display"))
_STATEMENT_REF_KEYS = frozenset(("objectType", "id"))
_RESULT_KEYS = frozenset(("score", "success", "completion", "response", "duration", "extensions"))
_SCORE_KEYS = frozenset(("scaled", "raw", "min", "max"))
_CONTEXT_KEYS = frozenset(
    (
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    )
)
_CONTEXT_KEYS_2 = _CONTEXT_KEYS | {"contextAgents", "contextGroups"}
_CONTEXT_ACTIVITY_KEYS = frozenset(("parent", "grouping", "category", "other"))
_ATTACHMENT_KEYS = frozenset(
    ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
)
_STATEMENT_KEYS = frozenset(
    (
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    )
)
_SUBSTATEMENT_KEYS = frozenset(
    ("objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments")
)


def _validate_verb(value: Any, path: str) -> str:
    verb = _obj(value, path)
    _allowed(verb, _VERB_KEYS, path)
    if "id" not in verb:
        _fail(f"{path}.id", "required", "a Verb needs an id")
    _stored_iri(verb["id"], f"{path}.id")
    if "display" in verb:
        _language_map(verb["display"], f"{path}.display")
    return verb["id"]


def _validate_object(value: Any, path: str, *, sub: bool) -> str:
    obj = _obj(value, path)
    object_type = _string(obj.get("objectType", "Activity"), f"{path}.objectType")
    if object_type == "Activity":
        _validate_activity(obj, path)
    elif object_type in ("Agent", "Group"):
        validate_agent(obj, path)
    elif object_type == "StatementRef":
        _allowed(obj, _STATEMENT_REF_KEYS, path)
        if "id" not in obj:
            _fail(f"{path}.id", "required", "a StatementRef needs an id")
        _uuid(obj["id"], f"{path}.id")
    elif object_type == "SubStatement":
        if sub:
            _fail(f"{path}.objectType", "substatement.nested", "a SubStatement cannot nest one")
        _validate_core(obj, path, _SUBSTATEMENT_KEYS, sub=True, version2=True)
    else:
        _fail(f"{path}.objectType", "enum", f"unknown objectType {object_type!r}")
    return object_type


def _validate_result(value: Any, path: str) -> None:
    result = _obj(value, path)
    _allowed(result, _RESULT_KEYS, path)
    if "score" in result:
        score_path = f"{path}.score"
        score = _obj(result["score"], score_path)
        _allowed(score, _SCORE_KEYS, score_path)
        for key in score:
            _number(score[key], f"{score_path}.{key}")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            _fail(f"{score_path}.scaled", "range", "scaled must be between -1 and 1")
        low, high, raw = score.get("min"), score.get("max"), score.get("raw")
        if low is not None and high is not None and low >= high:
            _fail(f"{score_path}.min", "range", "min must be less than max")
        if raw is not None and low is not None and raw < low:
            _fail(f"{score_path}.raw", "range", "raw must not be less than min")
        if raw is not None and high is not None and raw > high:
            _fail(f"{score_path}.raw", "range", "raw must not be greater than max")
    if "success" in result:
        _bool(result["success"], f"{path}.success")
    if "completion" in result:
        _bool(result["completion"], f"{path}.completion")
    if "response" in result:
        _string(result["response"], f"{path}.response")
    if "duration" in result and (
        not isinstance(result["duration"], str) or not _DURATION_RE.match(result["duration"])
    ):
        _fail(f"{path}.duration", "format.duration", "must be an ISO 8601 duration")
    if "extensions" in result:
        _extensions(result["extensions"], f"{path}.extensions")


def _validate_context(value: Any, path: str, *, object_type: str, version2: bool) -> None:
    context = _obj(value, path)
    _allowed(context, _CONTEXT_KEYS_2 if version2 else _CONTEXT_KEYS, path)
    if "registration" in context:
        _uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        validate_agent(context["instructor"], f"{path}.instructor")
    if "team" in context:
        team = _obj(context["team"], f"{path}.team")
        if team.get("objectType") != "Group":
            _fail(f"{path}.team.objectType", "context.team", "team must be a Group")
        validate_agent(team, f"{path}.team")
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{path}.{key}")
            if object_type != "Activity":
                _fail(f"{path}.{key}", "context.activity_only", f"{key} needs an Activity object")
    if "language" in context and (
        not isinstance(context["language"], str) or not _LANG_RE.match(context["language"])
    ):
        _fail(f"{path}.language", "format.language_tag", "must be an RFC 5646 language tag")
    if "statement" in context:
        ref_path = f"{path}.statement"
        ref = _obj(context["statement"], ref_path)
        _allowed(ref, _STATEMENT_REF_KEYS, ref_path)
        if ref.get("objectType") != "StatementRef":
            _fail(f"{ref_path}.objectType", "context.statement", "must be a StatementRef")
        if "id" not in ref:
            _fail(f"{ref_path}.id", "required", "a StatementRef needs an id")
        _uuid(ref["id"], f"{ref_path}.id")
    if "contextActivities" in context:
        ca_path = f"{path}.contextActivities"
        activities = _obj(context["contextActivities"], ca_path)
        _allowed(activities, _CONTEXT_ACTIVITY_KEYS, ca_path)
        for key, items in activities.items():
            if isinstance(items, dict):
                items = [items]
                activities[key] = items  # the LRS returns the array form (Data 2.4.6.2)
            elif not isinstance(items, list):
                _fail(f"{ca_path}.{key}", "type.array", "must be an Activity or an array")
            for index, item in enumerate(items):
                item_path = f"{ca_path}.{key}[{index}]"
                if _obj(item, item_path).get("objectType", "Activity") != "Activity":
                    _fail(f"{item_path}.objectType", "enum", "context activities are Activities")
                _validate_activity(item, item_path)
    if "extensions" in context:
        _extensions(context["extensions"], f"{path}.extensions")
    for key, kind, member in (
        ("contextAgents", "contextAgent", "agent"),
        ("contextGroups", "contextGroup", "group"),
    ):
        if key not in context:
            continue
        items = context[key]
        if not isinstance(items, list):
            _fail(f"{path}.{key}", "type.array", "must be an array")
        for index, item in enumerate(items):
            item_path = f"{path}.{key}[{index}]"
            _allowed(
                _obj(item, item_path), frozenset(("objectType", member, "relevantTypes")), item_path
            )
            if item.get("objectType") != kind:
                _fail(f"{item_path}.objectType", "enum", f"must be {kind!r}")
            if member not in item:
                _fail(f"{item_path}.{member}", "required", f"needs {member}")
            if (
                member == "group"
                and _obj(item["group"], f"{item_path}.group").get("objectType") != "Group"
            ):
                _fail(f"{item_path}.group.objectType", "enum", "must be a Group")
            validate_agent(item[member], f"{item_path}.{member}")
            if "relevantTypes" in item:
                types = item["relevantTypes"]
                if not isinstance(types, list) or not types:
                    _fail(f"{item_path}.relevantTypes", "type.array", "a non-empty IRI array")
                for type_index, iri in enumerate(types):
                    _iri(iri, f"{item_path}.relevantTypes[{type_index}]")


def _validate_attachments(value: Any, path: str) -> None:
    if not isinstance(value, list):
        _fail(path, "type.array", "must be an array of Attachments")
    for index, attachment in enumerate(value):
        item_path = f"{path}[{index}]"
        _allowed(_obj(attachment, item_path), _ATTACHMENT_KEYS, item_path)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                _fail(f"{item_path}.{key}", "required", f"an Attachment needs {key}")
        _iri(attachment["usageType"], f"{item_path}.usageType")
        _language_map(attachment["display"], f"{item_path}.display")
        if "description" in attachment:
            _language_map(attachment["description"], f"{item_path}.description")
        content_type = attachment["contentType"]
        if not isinstance(content_type, str) or not _MEDIA_TYPE_RE.match(content_type):
            _fail(f"{item_path}.contentType", "format.media_type", "must be an Internet Media Type")
        check_length(content_type, f"{item_path}.contentType", MAX_MEDIA_TYPE_LENGTH)
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            _fail(f"{item_path}.length", "type.integer", "must be a non-negative integer")
        if not isinstance(attachment["sha2"], str) or not _SHA2_RE.match(attachment["sha2"]):
            _fail(f"{item_path}.sha2", "format.sha2", "must be a hex SHA-2 digest")
        if "fileUrl" in attachment:
            _iri(attachment["fileUrl"], f"{item_path}.fileUrl")


def _validate_core(
    statement: dict, path: str, allowed: frozenset, *, sub: bool, version2: bool
) -> None:
    _allowed(statement, allowed, path)
    if sub and statement.get("objectType") != "SubStatement":
        _fail(f"{path}.objectType", "enum", "must be 'SubStatement'")
    for key in ("actor", "verb", "object"):
        if key not in statement:
            _fail(f"{path}.{key}", "required", f"a Statement needs {key}")
    validate_agent(statement["actor"], f"{path}.actor")
    verb_id = _validate_verb(statement["verb"], f"{path}.verb")
    object_type = _validate_object(statement["object"], f"{path}.object", sub=sub)
    if object_type in ("Agent", "Group") and "objectType" not in statement["object"]:
        _fail(f"{path}.object.objectType", "required", "an Agent object needs objectType")
    if verb_id == VOIDED_VERB and object_type != "StatementRef":
        _fail(f"{path}.object.objectType", "voiding.statement_ref", "voiding needs a StatementRef")
    if "result" in statement:
        _validate_result(statement["result"], f"{path}.result")
    if "context" in statement:
        _validate_context(
            statement["context"], f"{path}.context", object_type=object_type, version2=version2
        )
    if "timestamp" in statement:
        _timestamp(statement["timestamp"], f"{path}.timestamp")
    if "attachments" in statement:
        _validate_attachments(statement["attachments"], f"{path}.attachments")


def validate_statement(statement: Any, path: str = "statement") -> None:
    """Check one statement; raise :class:`XAPIValidationError` on the first broken rule."""
    statement = _obj(statement, path)
    version = statement.get("version")
    if version is not None and (not isinstance(version, str) or not _VERSION_RE.match(version)):
        _fail(f"{path}.version", "version.supported", "version must be 1.0.x or 2.0.0")
    version2 = version is None or version == "2.0.0"
    _validate_core(statement, path, _STATEMENT_KEYS, sub=False, version2=version2)
    if "id" in statement:
        _uuid(statement["id"], f"{path}.id")
    if "stored" in statement:
        _timestamp(statement["stored"], f"{path}.stored")
    if "authority" in statement:
        authority = statement["authority"]
        validate_agent(authority, f"{path}.authority")
        if authority.get("objectType") == "Group":
            members = authority.get("member") or []
            if (
                "member" not in authority
                or len(members) != 2
                or any(key in authority for key in IFI_KEYS)
            ):
                _fail(
                    f"{path}.authority",
                    "authority.oauth_group",
                    "a Group authority must be an anonymous Group of two Agents",
                )


def validate_statements(payload: Any) -> list[dict]:
    """Check a statement or an array of statements; return them as a list."""
    if isinstance(payload, dict):
        validate_statement(payload)
        return [payload]
    if not isinstance(payload, list):
        _fail("statement", "type.object", "must be a Statement or an array of Statements")
    if not payload:
        _fail("statements", "type.array", "the array of Statements is empty")
    for index, statement in enumerate(payload):
        validate_statement(statement, f"statements[{index}]")
    return payload


def parse_agent_param(value: Any, name: str = "agent") -> dict:
    """Validate an Agent (or identified Group) passed as a query parameter."""
    validate_agent(value, name)
    if value.get("objectType") == "Group" and not any(key in value for key in IFI_KEYS):
        _fail(name, "group.ifi", "an anonymous Group cannot identify documents or statements")
    return value
