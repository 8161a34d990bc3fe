"""Writes of the LRS: statements (all or nothing), attachments, documents, definitions."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lrs.models import (
    LRSAttachment,
    LRSClient,
    LRSDocument,
    Statement,
)
from lrs.signals import statements_stored, statements_voided

from . import cmi5, document_forwarding
from .backends import backend
from .backends.rows import merge_definition
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
    store = backend()
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
    found, reserved = store.lookup_and_reserve(lookup_ids, list(seen), len(statements))
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
                    definitions[iri] = merge_definition(definitions.get(iri, {}), definition)
                else:
                    definitions.setdefault(iri, {})
        pending.append((index, [seen_agents, seen_activities]))
    for row, pk in zip(rows, reserved, strict=False):
        row.id = pk
    store.insert_statements(rows)  # assigns row.id where none was reserved
    for index, (seen_agents, seen_activities) in pending:
        pk = rows[index].id
        agents.extend((pk, ifi, direct) for ifi, direct in seen_agents.items())
        activities.extend((pk, iri) for iri in seen_activities)
    store.insert_index_rows(rows, agents, activities)
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
    backend().activities_define(definitions)


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
    document_forwarding.outbox_write(
        scope=scope,
        document_id=document_id,
        content=content,
        content_type=document.content_type,
    )
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
    if document_forwarding.forwarding_enabled():
        # Locked, so what is queued as deleted is what this transaction deletes.
        gone = list(
            documents.select_for_update().values_list(
                "kind", "activity", "agent_ifi", "registration", "document_id"
            )
        )
        for kind, activity, ifi, registration, gone_id in gone:
            document_forwarding.outbox_write(
                scope={
                    "kind": kind,
                    "activity": activity,
                    "agent_ifi": ifi,
                    "registration": registration,
                },
                document_id=gone_id,
                content=None,
                nudge_on_commit=False,
            )
        if gone:
            document_forwarding.enqueue_on_commit()
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
