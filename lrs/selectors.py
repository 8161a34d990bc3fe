"""Reads of the LRS: statement queries with stable paging, documents, activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import UUID

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from lrs.models import (
    LRSActivity,
    LRSAttachment,
    LRSDocument,
    Statement,
    StatementActivity,
    StatementAgent,
)


class _RawJSON(TypedDict):
    raw: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A statement row with its JSON as text in ``raw`` (see statements_query).
    RawStatement = WithAnnotations[Statement, _RawJSON]

__all__ = [
    "StatementQuery",
    "activity_definitions",
    "attachments_for",
    "document_get",
    "documents_list",
    "statement_by_id",
    "statement_owners",
    "statement_position",
    "statements_by_actor_q",
    "statements_newest_position",
    "statements_query",
]

# A StatementRef chain longer than this is not followed when matching filters (Comm. 2.1.3).
_REF_DEPTH = 8


@dataclass
class StatementQuery:
    """The filters of a Statement resource query, already validated."""

    agent_ifi: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False
    limit: int = 100
    # Paging cursor: continue past this (stored, id), the position of the previous page's
    # last row in the order pages follow.
    after: tuple[datetime, int] | None = None
    # Ascending pages stop at the (stored, id) of the newest row when the first page was read.
    ceiling: tuple[datetime, int] | None = None
    only_actor_ifi: str | None = None  # learners read their own statements only
    only_client_id: int | None = None  # statements/read/mine

    def filter_q(self) -> Q | None:
        """The non-time filters, which a StatementRef also satisfies through its target."""
        q = Q()
        used = False
        if self.agent_ifi:
            agents = StatementAgent.objects.filter(ifi=self.agent_ifi)
            if not self.related_agents:
                agents = agents.filter(direct=True)
            q &= Q(id__in=agents.values("statement_id"))
            used = True
        if self.verb:
            q &= Q(verb=self.verb)
            used = True
        if self.activity:
            if self.related_activities:
                q &= Q(
                    id__in=StatementActivity.objects.filter(activity=self.activity).values(
                        "statement_id"
                    )
                )
            else:
                q &= Q(activity=self.activity)
            used = True
        if self.registration:
            q &= Q(registration=self.registration)
            used = True
        return q if used else None


def statements_by_actor_q(ifi: str) -> Q:
    """Statements whose actor is this agent, found through the agent side table (the statement
    table keeps no index of its own on ``actor_ifi``: one less index leaf written per
    statement)."""
    direct = StatementAgent.objects.filter(ifi=ifi, direct=True).values("statement_id")
    return Q(id__in=direct, actor_ifi=ifi)


def _targeting_ids(match: Q) -> list[int]:
    """Row ids of statements whose StatementRef object (recursively) targets a match."""
    found: list[int] = []
    # The first targets are a subquery, the next ones the ids just found.
    targets: QuerySet[Statement, Any] | list[UUID] = Statement.objects.filter(match).values(
        "statement_id"
    )
    for _ in range(_REF_DEPTH):
        rows = list(
            Statement.objects.filter(ref_target__isnull=False, ref_target__in=targets)
            .exclude(id__in=found)
            .values_list("id", "statement_id")
        )
        if not rows:
            break
        found.extend(pk for pk, _ in rows)
        targets = [sid for _, sid in rows]
    return found


def statements_query(query: StatementQuery) -> tuple[list[RawStatement], bool]:
    """One page of non-voided statements matching ``query``, newest first unless ascending;
    also whether more remain.

    Pages follow ``stored``, the order the specification gives, with the row id breaking
    ties (a batch shares one ``stored``), and continue from the previous page's last
    ``(stored, id)``: the index ``lrs_stmt_stored_id`` serves both the ``since`` bound and the
    order, so a page starts where it should instead of walking the store from its oldest row.
    Ids alone are not in stored order: concurrent requests may take their ids in the other
    order from their stored times."""
    qs: QuerySet[Statement] = Statement.objects.filter(voided=False)
    match = query.filter_q()
    if match is not None:
        targeting = _targeting_ids(match)
        qs = qs.filter(match | Q(id__in=targeting)) if targeting else qs.filter(match)
    if query.only_actor_ifi is not None:
        qs = qs.filter(statements_by_actor_q(query.only_actor_ifi))
    if query.only_client_id is not None:
        qs = qs.filter(client_id=query.only_client_id)
    if query.since:
        qs = qs.filter(stored__gt=query.since)
    if query.until:
        qs = qs.filter(stored__lte=query.until)
    # Each position bound is written as a range on ``stored`` (which the index scan uses)
    # and a tie-break on the id within the bound's own ``stored``.
    if query.after is not None:
        stored, pk = query.after
        if query.ascending:
            qs = qs.filter(Q(stored__gt=stored) | Q(id__gt=pk), stored__gte=stored)
        else:
            qs = qs.filter(Q(stored__lt=stored) | Q(id__lt=pk), stored__lte=stored)
    if query.ceiling is not None:
        stored, pk = query.ceiling
        qs = qs.filter(Q(stored__lt=stored) | Q(id__lte=pk), stored__lte=stored)
    qs = qs.order_by(*(("stored", "id") if query.ascending else ("-stored", "-id")))
    # The JSON comes back as text: the exact format splices it into the answer unparsed.
    rows = list(
        qs.annotate(raw=Cast("data", output_field=TextField())).only("id", "stored")[
            : query.limit + 1
        ]
    )
    return rows[: query.limit], len(rows) > query.limit


def statements_newest_position() -> tuple[datetime, int] | None:
    """The ``(stored, id)`` of the last statement in stored order (None for an empty store):
    where an ascending walk that starts now ends."""
    return Statement.objects.order_by("-stored", "-id").values_list("stored", "id").first()


def statement_position(pk: int) -> tuple[datetime, int] | None:
    """The ``(stored, id)`` of the statement row ``pk``, if it still exists."""
    return Statement.objects.filter(id=pk).values_list("stored", "id").first()


def statement_by_id(statement_id: str, *, voided: bool) -> Statement | None:
    """A statement by id: ``voided=False`` for statementId, ``True`` for voidedStatementId."""
    return (
        Statement.objects.filter(statement_id=statement_id, voided=voided)
        .only("id", "data", "stored", "has_attachments", "actor_ifi", "client_id")
        .first()
    )


def statement_owners(statement_ids: list[str]) -> dict[str, tuple[int | None, int | None, str]]:
    """``statement id → (user id, client id, actor IFI)`` of the stored statements among
    ``statement_ids`` (voided or not); who stored a statement decides who may void it."""
    rows = Statement.objects.filter(statement_id__in=statement_ids).values_list(
        "statement_id", "user_id", "client_id", "actor_ifi"
    )
    return {str(sid): (user_id, client_id, ifi) for sid, user_id, client_id, ifi in rows}


def attachments_for(statements: list[dict]) -> list[LRSAttachment]:
    """Stored attachment contents referenced by these statements (by SHA-2), once each."""
    wanted: set[str] = set()
    for statement in statements:
        found = list(statement.get("attachments") or ())
        if statement["object"].get("objectType") == "SubStatement":
            found.extend(statement["object"].get("attachments") or ())
        wanted.update(attachment["sha2"] for attachment in found)
    if not wanted:
        return []
    return list(LRSAttachment.objects.filter(sha2__in=list(wanted)))


def activity_definitions(iris: list[str]) -> dict[str, dict]:
    """Canonical definitions of these activities, by IRI."""
    return dict(LRSActivity.objects.filter(iri__in=iris).values_list("iri", "definition"))


def document_get(*, scope: dict[str, str], document_id: str) -> LRSDocument | None:
    """One document of a scope (kind, activity, agent, registration)."""
    return LRSDocument.objects.filter(**scope, document_id=document_id).first()


def documents_list(*, scope: dict[str, str], since: datetime | None) -> list[str]:
    """The ids of a scope's documents, optionally only those updated after ``since``."""
    documents = LRSDocument.objects.filter(**scope)
    if since is not None:
        documents = documents.filter(updated__gt=since)
    return list(documents.order_by("document_id").values_list("document_id", flat=True))
