"""Writes of the LRS: statements (all or nothing), attachments, documents, definitions."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from lrs.models import (
    LRSActivity,
    LRSAttachment,
    LRSClient,
    LRSDocument,
    Statement,
    StatementActivity,
    StatementAgent,
)
from lrs.signals import statements_stored, statements_voided

from . import cmi5
from .cmi5 import SESSION_EXTENSION
from .errors import XAPIError
from .statements import (
    agent_ifi,
    iter_activities,
    iter_agents,
    parse_timestamp,
    statements_equivalent,
    to_iso,
)
from .validation import VOIDED_VERB, XAPIValidationError, parse_json

__all__ = [
    "StoreContext",
    "document_delete",
    "document_write",
    "statements_store_checked",
]


@dataclass
class StoreContext:
    """Who stores statements: the authority written into them and whom they belong to."""

    authority: dict
    client: LRSClient | None = None
    user_id: int | None = None
    can_define: bool = True
    version: str = "1.0.0"
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # The request's X-Experience-API-Version: it decides how a repeated id is compared.
    request_version: str = "1.0.3"
    # The statements are Capacita's own (``statements_store``): only they may state the
    # cmi5 verbs the specification reserves to the LMS.
    asserted_by_lms: bool = False
    # The cmi5 session of an AU's token (``lrs.auth``): its statements must carry it.
    cmi5_session_id: str | None = None


def _complete(statement: dict, ctx: StoreContext, now_iso: str) -> dict:
    statement_id = statement.get("id")
    statement["id"] = statement_id.lower() if statement_id else str(uuid.uuid4())
    statement["stored"] = now_iso
    if "timestamp" not in statement:
        statement["timestamp"] = now_iso
    statement["authority"] = ctx.authority
    statement.setdefault("version", ctx.version)
    return statement


def _row(statement: dict, ctx: StoreContext, now: datetime) -> Statement:
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    context = statement.get("context") or {}
    registration = context.get("registration")
    verb = statement["verb"]["id"]
    # Positional, in _STATEMENT_COLUMNS order (the model's field order, checked at import):
    # about half the cost of keyword construction, once per stored statement. The foreign
    # keys go by keyword: their column names, not the related objects.
    return Statement(
        None,
        statement["id"],
        statement,
        agent_ifi(statement["actor"]) or "",
        verb,
        obj["id"] if object_type == "Activity" else None,
        registration.lower() if registration else None,
        obj["id"].lower() if object_type == "StatementRef" else None,
        verb == VOIDED_VERB,
        False,
        bool(statement.get("attachments")),
        now,
        parse_timestamp(statement["timestamp"]),
        client_id=ctx.client.pk if ctx.client is not None else None,
        user_id=ctx.user_id,
    )


def statements_store_checked(statements: list[dict], ctx: StoreContext) -> list[str]:
    """Store validated statements atomically; return their ids in order.

    Same id and an equivalent statement is a no-op; same id and a different statement raises
    a 409; voiding a voiding statement raises a 400. Activity definitions, attachments and
    voided flags are written in the same transaction, and ``statements_stored`` (then
    ``statements_voided``) is sent inside it.
    """
    # A retry of a statement sent without a timestamp is the same statement, although the
    # LRS fills the timestamp in with a different time each time.
    untimed = {index for index, statement in enumerate(statements) if "timestamp" not in statement}
    outermost = not connection.in_atomic_block
    try:
        return _store(statements, ctx, untimed)
    except IntegrityError as exc:
        # The same id committed by a concurrent request between our check and our insert
        # (a tool re-sending a batch still in flight): now that it has committed, a second
        # attempt finds it and answers as for any repeated id. Inside a caller's transaction
        # there is no second attempt to make.
        if not outermost or not _is_statement_id_clash(exc):
            raise
        return _store(statements, ctx, untimed)


def _is_statement_id_clash(exc: IntegrityError) -> bool:
    """A unique violation on ``Statement.statement_id`` (PostgreSQL names the constraint,
    SQLite the column)."""
    table = Statement._meta.db_table
    message = str(exc)
    return f"{table}_statement_id_key" in message or f"{table}.statement_id" in message


@transaction.atomic
def _store(statements: list[dict], ctx: StoreContext, untimed: set[int]) -> list[str]:
    now = timezone.now()
    # The JSON carries milliseconds; keep the column equal so since/until agree with it.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    now_iso = to_iso(now)
    ids: list[str] = []
    seen: set[str] = set()
    for statement in statements:
        _complete(statement, ctx, now_iso)
        if statement["id"] in seen:
            raise XAPIError(
                400, "the batch repeats a statement id", path="statements.id", rule="batch.unique"
            )
        seen.add(statement["id"])
        ids.append(statement["id"])

    void_targets = {
        s["object"]["id"].lower(): s["id"] for s in statements if s["verb"]["id"] == VOIDED_VERB
    }
    # One query: stored statements with these ids, the targets of voiding statements, and
    # voiding statements already stored that target one of the new ids.
    lookup_ids = list(seen | set(void_targets))
    existing: dict[str, tuple[int, dict, bool]] = {}  # data: a NOT NULL JSON column
    already_voided: set[str] = set()
    found, reserved = _lookup_and_reserve(lookup_ids, list(seen), len(statements))
    for pk, sid, data, voiding, ref in found:
        sid = str(sid)
        if sid in seen or sid in void_targets:
            existing[sid] = (pk, json.loads(data) if isinstance(data, str) else data, voiding)
        if voiding and ref is not None and str(ref) in seen:
            already_voided.add(str(ref))

    new_statements: list[dict] = []
    for index, statement in enumerate(statements):
        prior = existing.get(statement["id"])
        if prior is None:
            new_statements.append(statement)
            continue
        received = statement
        if index in untimed:
            received = {k: v for k, v in statement.items() if k != "timestamp"}
        if not statements_equivalent(prior[1], received, version=ctx.request_version):
            raise XAPIError(
                409,
                f"statement {statement['id']} already exists with different content",
                path="statement.id",
                rule="statement.immutable",
            )
    batch_by_id = {s["id"]: s for s in new_statements}
    for target, voider in void_targets.items():
        if voider not in batch_by_id:
            continue
        target_statement = batch_by_id.get(target)
        target_voiding = (
            target_statement["verb"]["id"] == VOIDED_VERB
            if target_statement
            else (existing[target][2] if target in existing else False)
        )
        if target_voiding:
            raise XAPIError(
                400,
                "a voiding statement cannot be voided",
                path="statement.object.id",
                rule="voiding.not_voidable",
            )

    if not new_statements:
        return ids
    if ctx.cmi5_session_id is not None or any(_has_cmi5_session(s) for s in new_statements):
        cmi5.enforce(new_statements, ctx)

    rows = [_row(statement, ctx, now) for statement in new_statements]
    new_void_targets = {t for t, v in void_targets.items() if v in batch_by_id}
    for row in rows:
        sid = row.statement_id
        if not row.voiding and (sid in already_voided or sid in new_void_targets):
            row.voided = True

    agents: list[tuple[int, str, bool]] = []
    activities: list[tuple[int, str]] = []
    definitions: dict[str, dict] = {}
    pending: list[tuple[int, list]] = []
    for index, statement in enumerate(new_statements):
        seen_agents: dict[str, bool] = {}
        for ifi, direct in iter_agents(statement):
            seen_agents[ifi] = seen_agents.get(ifi, False) or direct
        seen_activities: dict[str, None] = {}
        for iri, definition in iter_activities(statement):
            seen_activities[iri] = None
            if ctx.can_define:
                if definition:
                    definitions[iri] = _merge_definition(definitions.get(iri, {}), definition)
                else:
                    definitions.setdefault(iri, {})
        pending.append((index, [seen_agents, seen_activities]))
    for row, pk in zip(rows, reserved, strict=False):
        row.id = pk
    _insert_statements(rows)  # assigns row.id where none was reserved
    for index, (seen_agents, seen_activities) in pending:
        pk = rows[index].id
        agents.extend((pk, ifi, direct) for ifi, direct in seen_agents.items())
        activities.extend((pk, iri) for iri in seen_activities)
    _insert_index_rows(rows, agents, activities)
    if definitions:
        _activities_define(definitions)
    if ctx.attachments:
        _attachments_save(new_statements, ctx.attachments)

    statements_stored.send(
        sender=Statement, statement_ids=[row.id for row in rows], statements=rows
    )
    targets_in_db = [t for t in new_void_targets if t in existing and not existing[t][2]]
    if targets_in_db:
        Statement.objects.filter(statement_id__in=targets_in_db, voiding=False).update(voided=True)
    voided_rows = [(existing[t][0], t) for t in targets_in_db]
    voided_rows += [(row.id, row.statement_id) for row in rows if row.voided]
    if voided_rows:
        statements_voided.send(
            sender=Statement,
            statement_ids=[pk for pk, _ in voided_rows],
            statement_uuids=[str(sid) for _, sid in voided_rows],
        )
    return ids


def _has_cmi5_session(statement: dict) -> bool:
    # The cheap test on the hot path: one or two dictionary lookups per statement.
    context = statement.get("context")
    return bool(context and SESSION_EXTENSION in (context.get("extensions") or ()))


_STATEMENT_COLUMNS = (
    "id",
    "statement_id",
    "data",
    "actor_ifi",
    "verb",
    "activity",
    "registration",
    "ref_target",
    "voiding",
    "voided",
    "has_attachments",
    "stored",
    "timestamp",
    "client_id",
    "user_id",
)


if tuple(f.attname for f in Statement._meta.concrete_fields) != _STATEMENT_COLUMNS:
    raise ImproperlyConfigured("_STATEMENT_COLUMNS must follow Statement's field order")

_TABLE = Statement._meta.db_table
# Stored statements with the given ids, and voiding statements that target the new ids. The two
# lookups are kept apart, and the voiding one is a lateral probe per id (OFFSET 0 keeps it from
# being flattened into a join): a single OR, or a join, lets the planner pick a sequential scan
# of the whole store when its statistics are stale (a store growing fast, autovacuum late or
# off), which cost 0.9 s per batch of 100 at 400,000 statements.
_LOOKUP_SQL = (
    f"SELECT id, statement_id, data, voiding, ref_target FROM {_TABLE} "  # noqa: S608
    "WHERE statement_id = ANY(%s::uuid[]) "
    "UNION ALL SELECT s.id, s.statement_id, s.data, s.voiding, s.ref_target "
    "FROM unnest(%s::uuid[]) AS t(id) CROSS JOIN LATERAL "
    f"(SELECT * FROM {_TABLE} s WHERE s.ref_target = t.id AND s.voiding OFFSET 0) s"
)


def _lookup_and_reserve(
    lookup_ids: list[str], new_ids: list[str], count: int
) -> tuple[list[tuple], list[int]]:
    """Stored statements with these ids (or voiding one of the new ids) and, on PostgreSQL,
    ``count`` ids reserved from the sequence, in one round trip."""
    if connection.vendor != "postgresql":
        found = Statement.objects.filter(
            Q(statement_id__in=lookup_ids) | Q(voiding=True, ref_target__in=new_ids)
        ).values_list("id", "statement_id", "data", "voiding", "ref_target")
        return list(found), []
    with connection.cursor() as cursor:
        # Django's psycopg cursors bind client-side, so both statements go in one round trip.
        cursor.execute(
            f"{_LOOKUP_SQL}; SELECT nextval(pg_get_serial_sequence('{_TABLE}', 'id'))"  # noqa: S608
            " FROM generate_series(1, %s)",
            [lookup_ids, new_ids, count],
        )
        found = cursor.fetchall()
        cursor.nextset()
        reserved = [pk for (pk,) in cursor.fetchall()]
    return found, reserved


def _statement_tuple(row: Statement) -> tuple:
    return (
        row.id,
        row.statement_id,
        # ASCII escapes: the C encoder's faster path; JSONB stores the same characters.
        json.dumps(row.data),
        row.actor_ifi,
        row.verb,
        row.activity,
        row.registration,
        row.ref_target,
        row.voiding,
        row.voided,
        row.has_attachments,
        row.stored,
        row.timestamp,
        row.client_id,
        row.user_id,
    )


# Up to this many statements go in as multi-row INSERTs in one round trip; bigger batches use
# COPY, whose per-row cost is lower but which needs a round trip per table.
_INSERT_MAX = 20


def _insert_statements(rows: list[Statement]) -> None:
    """Insert statement rows (ids already reserved on PostgreSQL) unless the rows are few
    enough to go in with their index rows (see ``_insert_index_rows``)."""
    if connection.vendor != "postgresql":
        Statement.objects.bulk_create(rows)
        return
    for row in rows:
        row._state.adding = False
        row._state.db = "default"
    if len(rows) <= _INSERT_MAX:
        return
    table = Statement._meta.db_table
    # COPY runs on psycopg's own cursor: the wrapper turns a unique violation (an id stored by
    # a concurrent request) into Django's IntegrityError, which statements_store_checked retries.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        columns = ", ".join(_STATEMENT_COLUMNS)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_statement_tuple(row))


def _insert_index_rows(
    rows: list[Statement],
    agents: list[tuple[int, str, bool]],
    activities: list[tuple[int, str]],
) -> None:
    if connection.vendor != "postgresql":
        StatementAgent.objects.bulk_create(
            StatementAgent(statement_id=pk, ifi=ifi, direct=direct) for pk, ifi, direct in agents
        )
        StatementActivity.objects.bulk_create(
            StatementActivity(statement_id=pk, activity=iri) for pk, iri in activities
        )
        return
    agent_table = StatementAgent._meta.db_table
    activity_table = StatementActivity._meta.db_table
    with connection.cursor() as cursor:
        if len(rows) <= _INSERT_MAX:
            # One round trip for the statements and their index rows.
            columns = ", ".join(_STATEMENT_COLUMNS)
            row_marks = "(" + ", ".join(["%s"] * len(_STATEMENT_COLUMNS)) + ")"
            sql = [f"INSERT INTO {Statement._meta.db_table} ({columns}) VALUES "]  # noqa: S608
            sql.append(", ".join([row_marks] * len(rows)))
            params: list = [value for row in rows for value in _statement_tuple(row)]
            if agents:
                sql.append(f"; INSERT INTO {agent_table} (statement_id, ifi, direct) VALUES ")  # noqa: S608
                sql.append(", ".join(["(%s, %s, %s)"] * len(agents)))
                params.extend(value for agent in agents for value in agent)
            if activities:
                sql.append(f"; INSERT INTO {activity_table} (statement_id, activity) VALUES ")  # noqa: S608
                sql.append(", ".join(["(%s, %s)"] * len(activities)))
                params.extend(value for activity in activities for value in activity)
            cursor.execute("".join(sql), params)
            return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(
            f"COPY {agent_table} (statement_id, ifi, direct) FROM STDIN"
        ) as copy:
            for agent in agents:
                copy.write_row(agent)
        with cursor.cursor.copy(
            f"COPY {activity_table} (statement_id, activity) FROM STDIN"
        ) as copy:
            for activity in activities:
                copy.write_row(activity)


def _merge_definition(current: dict, incoming: dict) -> dict:
    merged = dict(current)
    for key, value in incoming.items():
        if key in ("name", "description") and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


# (iri, repr of the definition) pairs this process has already merged into the canonical
# definitions: the same definition arriving again (the usual case: every statement of a lesson
# repeats it) costs no query. repr tells apart every JSON value (1, 1.0 and true too) at a
# twentieth of the cost of sorted JSON; the same definition with its keys in another order is
# merged once more, which changes nothing. Bounded so a process never grows without limit.
_DEFINED_RECENTLY: dict[tuple[str, str], None] = {}
_DEFINED_RECENTLY_MAX = 20_000


def forget_defined_activities() -> None:
    """Drop this process's memory of applied definitions (after activities were deleted)."""
    _DEFINED_RECENTLY.clear()


def _activities_define(definitions: dict[str, dict]) -> None:
    """Keep the canonical definitions: new activities are created, known ones merged."""
    fresh = {}
    for iri, definition in definitions.items():
        marker = (iri, repr(definition))
        if marker not in _DEFINED_RECENTLY:
            fresh[iri] = (definition, marker)
    if not fresh:
        return
    definitions = {iri: definition for iri, (definition, _) in fresh.items()}
    markers = [marker for _, marker in fresh.values()]
    if len(_DEFINED_RECENTLY) + len(markers) > _DEFINED_RECENTLY_MAX:
        _DEFINED_RECENTLY.clear()

    def remember() -> None:
        _DEFINED_RECENTLY.update(dict.fromkeys(markers))

    transaction.on_commit(remember)  # only what was really committed is skipped later
    if connection.vendor == "postgresql":
        _activities_upsert(definitions)
        return
    known = {
        a.iri: a
        for a in LRSActivity.objects.filter(iri__in=list(definitions)).only("iri", "definition")
    }
    to_create = []
    to_update = []
    for iri, definition in definitions.items():
        activity = known.get(iri)
        if activity is None:
            to_create.append(LRSActivity(iri=iri, definition=definition))
            continue
        merged = _merge_definition(activity.definition or {}, definition)
        if merged != activity.definition:
            activity.definition = merged
            activity.updated = timezone.now()
            to_update.append(activity)
    if to_create:
        LRSActivity.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_update:
        LRSActivity.objects.bulk_update(to_update, ["definition", "updated"])


_MERGED = (
    "(a.definition || EXCLUDED.definition)"
    " || CASE WHEN a.definition ? 'name' AND EXCLUDED.definition ? 'name' THEN"
    " jsonb_build_object('name', (a.definition->'name') || (EXCLUDED.definition->'name'))"
    " ELSE '{}'::jsonb END"
    " || CASE WHEN a.definition ? 'description' AND EXCLUDED.definition ? 'description' THEN"
    " jsonb_build_object('description', (a.definition->'description')"
    " || (EXCLUDED.definition->'description')) ELSE '{}'::jsonb END"
)


def _activities_upsert(definitions: dict[str, dict]) -> None:
    """One INSERT .. ON CONFLICT for all activities, in IRI order: concurrent batches lock
    rows in the same order, so they queue instead of deadlocking. The merge (language maps
    joined, other properties replaced) happens in SQL against the current row."""
    table = LRSActivity._meta.db_table
    items = sorted(definitions.items())
    values = ", ".join(["(%s, %s::jsonb, now())"] * len(items))
    params: list = [value for iri, definition in items for value in (iri, json.dumps(definition))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS a (iri, definition, updated) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (iri) DO UPDATE SET definition = {_MERGED}, updated = now() "
            f"WHERE a.definition IS DISTINCT FROM {_MERGED}",
            params,
        )


def _attachments_save(statements: list[dict], payloads: dict[str, tuple[str, bytes]]) -> None:
    wanted = {
        attachment["sha2"]
        for statement in statements
        for attachment in statement.get("attachments") or ()
        if attachment["sha2"] in payloads
    }
    present = set(
        LRSAttachment.objects.filter(sha2__in=list(wanted)).values_list("sha2", flat=True)
    )
    for sha2 in wanted - present:
        content_type, content = payloads[sha2]
        attachment = LRSAttachment(sha2=sha2, content_type=content_type, length=len(content))
        attachment.file.save(sha2, ContentFile(content), save=False)
        try:
            with transaction.atomic():
                attachment.save()
        except IntegrityError:  # stored meanwhile by a concurrent request: same content
            attachment.file.delete(save=False)


# --- documents ---------------------------------------------------------------------------------


def _etag(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - the spec's ETag algorithm


def check_preconditions(
    document: LRSDocument | None,
    *,
    if_match: str | None,
    if_none_match: str | None,
    require_for_put: bool,
    method: str,
) -> None:
    """Apply If-Match / If-None-Match (412) and the 409 for unconditional overwrites."""
    if if_match is not None:
        tags = {tag.strip().strip('"') for tag in if_match.split(",")}
        if document is None or ("*" not in tags and document.etag not in tags):
            raise XAPIError(412, "If-Match does not match the current document")
    if if_none_match is not None:
        tags = {tag.strip().strip('"') for tag in if_none_match.split(",")}
        if document is not None and ("*" in tags or document.etag in tags):
            raise XAPIError(412, "If-None-Match: the document exists")
    if (
        method == "PUT"
        and require_for_put
        and document is not None
        and if_match is None
        and if_none_match is None
    ):
        # Communication 3.1 / IEEE 9274.1.1 §4.1.4: explain that the provider should check
        # the current state and resend with If-Match carrying the current ETag.
        raise XAPIError(
            409,
            "the document exists: GET it to check its current state, then PUT again with "
            "If-Match set to its ETag",
            path="If-Match",
            rule="document.concurrency",
        )


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


@transaction.atomic
def document_write(
    *,
    scope: dict[str, str],
    document_id: str,
    content: bytes,
    content_type: str,
    merge: bool,
    if_match: str | None = None,
    if_none_match: str | None = None,
    version: str = "1.0.3",
) -> LRSDocument:
    """PUT (replace) or POST (merge JSON objects) a document, honouring preconditions.

    A PUT over an existing document without If-Match or If-None-Match is a 409 on the
    Activity and Agent Profiles; on State documents only under xAPI 2.0 (``version`` is the
    request's X-Experience-API-Version): 1.0.3 lets State be overwritten without them
    (Communication 3.1, "since state conflicts are unlikely"), IEEE 9274.1.1 §4.1.4 does not.
    """
    document = (
        LRSDocument.objects.select_for_update().filter(**scope, document_id=document_id).first()
    )
    check_preconditions(
        document,
        if_match=if_match,
        if_none_match=if_none_match,
        require_for_put=scope["kind"] != LRSDocument.Kind.STATE or version.startswith("2."),
        method="POST" if merge else "PUT",
    )
    if merge and document is not None:
        if not (_is_json(content_type) and _is_json(document.content_type)):
            raise XAPIError(
                400, "POST merges only JSON documents", path="content", rule="document.merge_json"
            )
        incoming = parse_json(content, "content")
        try:
            current = parse_json(bytes(document.content), "content")
        except XAPIValidationError:
            # A PUT stores any bytes; one that is not JSON within the limits cannot be merged.
            current = None
        if not isinstance(incoming, dict) or not isinstance(current, dict):
            raise XAPIError(
                400, "POST merges JSON objects only", path="content", rule="document.merge_json"
            )
        content = json.dumps({**current, **incoming}).encode()
        content_type = "application/json"
    elif merge and _is_json(content_type):
        parsed: Any = parse_json(content, "content")
        if not isinstance(parsed, dict):
            raise XAPIError(
                400, "POST merges JSON objects only", path="content", rule="document.merge_json"
            )
    now = timezone.now()
    if document is None:
        document = LRSDocument(**scope, document_id=document_id)
    document.content = content
    document.content_type = content_type or "application/octet-stream"
    document.etag = _etag(content)
    document.updated = now
    document.save()
    return document


@transaction.atomic
def document_delete(
    *, scope: dict[str, str], document_id: str | None, if_match: str | None = None
) -> int:
    """Delete one document (honouring If-Match) or all documents of a scope."""
    documents = LRSDocument.objects.filter(**scope)
    if document_id is not None:
        documents = documents.filter(document_id=document_id)
        if if_match is not None:
            check_preconditions(
                documents.select_for_update().first(),
                if_match=if_match,
                if_none_match=None,
                require_for_put=False,
                method="DELETE",
            )
    deleted, _ = documents.delete()
    return deleted


def statements_store(*, statements: list[dict], authority: dict | None = None) -> list[uuid.UUID]:
    """Store statements without HTTP, with the same rules as the LRS endpoint.

    Validated and atomic: raises ``XAPIValidationError`` (a rule broken, with its path) or
    ``XAPIError`` (409 conflict, voiding a voiding statement) and stores nothing in that case.
    ``authority`` defaults to the site's own agent (``auth.lms_authority``). Sends
    ``statements_stored`` inside the transaction like the endpoint does. Returns the statement
    ids in order.
    """
    from .auth import lms_authority
    from .validation import validate_statements

    statements = copy.deepcopy(statements)
    validate_statements(statements)
    ctx = StoreContext(authority=authority or lms_authority(), asserted_by_lms=True)
    return [uuid.UUID(sid) for sid in statements_store_checked(statements, ctx)]
