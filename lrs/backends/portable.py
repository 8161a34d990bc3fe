"""The LRS's SQL for SQLite and any other database Django supports, through the ORM."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from lrs.models import (
    LRSActivity,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementLogDelivery,
    StatementLogEntry,
)

from .rows import merge_definition

__all__ = [
    "activities_define",
    "insert_index_rows",
    "insert_statements",
    "log_append",
    "lookup_and_reserve",
]


def lookup_and_reserve(
    lookup_ids: list[str], new_ids: list[str], count: int
) -> tuple[list[tuple], list[int]]:
    """Stored statements with these ids (or voiding one of the new ids); no ids are reserved
    (the database assigns them on insert)."""
    found = Statement.objects.filter(
        Q(statement_id__in=lookup_ids) | Q(voiding=True, ref_target__in=new_ids)
    ).values_list("id", "statement_id", "data", "voiding", "ref_target")
    return list(found), []


def insert_statements(rows: list[Statement]) -> None:
    Statement.objects.bulk_create(rows)


def insert_index_rows(
    rows: list[Statement],
    agents: list[tuple[int, str, bool]],
    activities: list[tuple[int, str]],
) -> None:
    stored = {row.pk: row.stored for row in rows}
    StatementAgent.objects.bulk_create(
        StatementAgent(statement_id=pk, ifi=ifi, stored=stored[pk], direct=direct)
        for pk, ifi, direct in agents
    )
    StatementActivity.objects.bulk_create(
        StatementActivity(statement_id=pk, activity=iri) for pk, iri in activities
    )


def activities_define(definitions: dict[str, dict]) -> None:
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
        merged = merge_definition(activity.definition or {}, definition)
        if merged != activity.definition:
            activity.definition = merged
            activity.updated = timezone.now()
            to_update.append(activity)
    if to_create:
        LRSActivity.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_update:
        LRSActivity.objects.bulk_update(to_update, ["definition", "updated"])


def log_append(
    kind: str, entries: list[tuple[str, int, list[int]]], consumers: list[str], now: datetime
) -> list[int]:
    made = StatementLogEntry.objects.bulk_create(
        StatementLogEntry(
            kind=kind, partition=partition, shard=shard, statement_ids=pks, created_at=now
        )
        for partition, shard, pks in entries
    )
    StatementLogDelivery.objects.bulk_create(
        StatementLogDelivery(
            consumer=name,
            entry=entry,
            shard=entry.shard,
            partition=entry.partition,
            next_attempt_at=now,
        )
        for entry in made
        for name in consumers
    )
    return [entry.pk for entry in made]
