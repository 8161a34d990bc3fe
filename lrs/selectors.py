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

    def filter_q(self, *, agent: bool = True) -> Q | None:
        """The non-time filters, which a StatementRef also satisfies through its target
        (without the agent filter when ``agent`` is false: the page walks it instead)."""
        q = Q()
        used = False
        if self.agent_ifi and agent:
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
    match = query.filter_q()
    targeting = _targeting_ids(match) if match is not None else []
    conditions: list[Q] = [Q(voided=False)]
    # An agent's statements are walked in the agent table's key order, (ifi, stored,
    # statement), so a page reads its own rows only; ``stored`` bounds and the order then
    # name that table's copy (the same value: written with the statement, never changed).
    # Statements that match only through a StatementRef to the agent's are not in the agent's
    # rows: with any of those, the filters are tested statement by statement instead.
    walk = query.agent_ifi or query.only_actor_ifi
    if walk and not targeting:
        stored = "agent_rows__stored"
        conditions.append(Q(agent_rows__ifi=walk))
        if query.agent_ifi is None or not query.related_agents:
            conditions.append(Q(agent_rows__direct=True))
        rest = query.filter_q(agent=False)
        if rest is not None:
            conditions.append(rest)
        if query.only_actor_ifi is not None:
            if query.agent_ifi is None:
                conditions.append(Q(actor_ifi=query.only_actor_ifi))
            else:
                conditions.append(statements_by_actor_q(query.only_actor_ifi))
    else:
        stored = "stored"
        if match is not None:
            conditions.append(match | Q(id__in=targeting) if targeting else match)
        if query.only_actor_ifi is not None:
            conditions.append(statements_by_actor_q(query.only_actor_ifi))
    if query.only_client_id is not None:
        conditions.append(Q(client_id=query.only_client_id))
    if query.since:
        conditions.append(Q(**{f"{stored}__gt": query.since}))
    if query.until:
        conditions.append(Q(**{f"{stored}__lte": query.until}))
    # Each position bound is written as a range on ``stored`` (which the index scan uses)
    # and a tie-break on the id within the bound's own ``stored``.
    if query.after is not None:
        at, pk = query.after
        if query.ascending:
            conditions.append(
                (Q(**{f"{stored}__gt": at}) | Q(id__gt=pk)) & Q(**{f"{stored}__gte": at})
            )
        else:
            conditions.append(
                (Q(**{f"{stored}__lt": at}) | Q(id__lt=pk)) & Q(**{f"{stored}__lte": at})
            )
    if query.ceiling is not None:
        at, pk = query.ceiling
        conditions.append(
            (Q(**{f"{stored}__lt": at}) | Q(id__lte=pk)) & Q(**{f"{stored}__lte": at})
        )
    # One filter() call: conditions on the agent rows given in separate calls would each join
    # the agent table again.
    qs: QuerySet[Statement] = Statement.objects.filter(*conditions)
    qs = qs.order_by(*((stored, "id") if query.ascending else (f"-{stored}", "-id")))
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
