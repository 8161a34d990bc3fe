"""The LRS's SQL for PostgreSQL: one round trip for a batch's lookup and id reservation,
multi-row ``INSERT`` or ``COPY`` for statements and their index rows, definitions merged in SQL,
the statement log appended in one ``WITH … INSERT``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection

from lrs.models import (
    LRSActivity,
    Statement,
    StatementActivity,
    StatementAgent,
    StatementLogDelivery,
    StatementLogEntry,
)

from .rows import STATEMENT_COLUMNS, statement_tuple

__all__ = [
    "LOOKUP_SQL",
    "activities_define",
    "insert_index_rows",
    "insert_statements",
    "log_append",
    "lookup_and_reserve",
]

TABLE = Statement._meta.db_table
# Stored statements with the given ids, and voiding statements that target the new ids. The two
# lookups are kept apart, and the voiding one is a lateral probe per id (OFFSET 0 keeps it from
# being flattened into a join): a single OR, or a join, lets the planner pick a sequential scan
# of the whole store when its statistics are stale (a store growing fast, autovacuum late or
# off), which cost 0.9 s per batch of 100 at 400,000 statements.
LOOKUP_SQL = (
    f"SELECT id, statement_id, data, voiding, ref_target FROM {TABLE} "  # noqa: S608
    "WHERE statement_id = ANY(%s::uuid[]) "
    "UNION ALL SELECT s.id, s.statement_id, s.data, s.voiding, s.ref_target "
    "FROM unnest(%s::uuid[]) AS t(id) CROSS JOIN LATERAL "
    f"(SELECT * FROM {TABLE} s WHERE s.ref_target = t.id AND s.voiding OFFSET 0) s"
)


def lookup_and_reserve(
    lookup_ids: list[str], new_ids: list[str], count: int
) -> tuple[list[tuple], list[int]]:
    """Stored statements with these ids (or voiding one of the new ids) and ``count`` ids
    reserved from the sequence, in one round trip."""
    with connection.cursor() as cursor:
        # Django's psycopg cursors bind client-side, so both statements go in one round trip.
        cursor.execute(
            f"{LOOKUP_SQL}; SELECT nextval(pg_get_serial_sequence('{TABLE}', 'id'))"  # noqa: S608
            " FROM generate_series(1, %s)",
            [lookup_ids, new_ids, count],
        )
        found = cursor.fetchall()
        cursor.nextset()
        reserved = [pk for (pk,) in cursor.fetchall()]
    return found, reserved


# Up to this many statements go in as multi-row INSERTs in one round trip; bigger batches use
# COPY, whose per-row cost is lower but which needs a round trip per table.
INSERT_MAX = 20


def insert_statements(rows: list[Statement]) -> None:
    """Insert statement rows (their ids reserved) unless the rows are few
    enough to go in with their index rows (see ``insert_index_rows``)."""
    for row in rows:
        row._state.adding = False
        row._state.db = "default"
    if len(rows) <= INSERT_MAX:
        return
    table = Statement._meta.db_table
    # COPY runs on psycopg's own cursor: the wrapper turns a unique violation (an id stored by
    # a concurrent request) into Django's IntegrityError, which statements_store_checked retries.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        columns = ", ".join(STATEMENT_COLUMNS)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(statement_tuple(row))


def insert_index_rows(
    rows: list[Statement],
    agents: list[tuple[int, str, bool]],
    activities: list[tuple[int, str]],
) -> None:
    agent_table = StatementAgent._meta.db_table
    activity_table = StatementActivity._meta.db_table
    stored = {row.pk: row.stored for row in rows}
    with connection.cursor() as cursor:
        if len(rows) <= INSERT_MAX:
            # One round trip for the statements and their index rows.
            columns = ", ".join(STATEMENT_COLUMNS)
            row_marks = "(" + ", ".join(["%s"] * len(STATEMENT_COLUMNS)) + ")"
            sql = [f"INSERT INTO {Statement._meta.db_table} ({columns}) VALUES "]  # noqa: S608
            sql.append(", ".join([row_marks] * len(rows)))
            params: list = [value for row in rows for value in statement_tuple(row)]
            if agents:
                sql.append(
                    f"; INSERT INTO {agent_table} (statement_id, ifi, stored, direct) VALUES "  # noqa: S608
                )
                sql.append(", ".join(["(%s, %s, %s, %s)"] * len(agents)))
                params.extend(
                    value for pk, ifi, direct in agents for value in (pk, ifi, stored[pk], direct)
                )
            if activities:
                sql.append(f"; INSERT INTO {activity_table} (statement_id, activity) VALUES ")  # noqa: S608
                sql.append(", ".join(["(%s, %s)"] * len(activities)))
                params.extend(value for activity in activities for value in activity)
            cursor.execute("".join(sql), params)
            return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(
            f"COPY {agent_table} (statement_id, ifi, stored, direct) FROM STDIN"
        ) as copy:
            for pk, ifi, direct in agents:
                copy.write_row((pk, ifi, stored[pk], direct))
        with cursor.cursor.copy(
            f"COPY {activity_table} (statement_id, activity) FROM STDIN"
        ) as copy:
            for activity in activities:
                copy.write_row(activity)


MERGED = (
    "(a.definition || EXCLUDED.definition)"
    " || CASE WHEN a.definition ? 'name' AND EXCLUDED.definition ? 'name' THEN"
    " jsonb_build_object('name', (a.definition->'name') || (EXCLUDED.definition->'name'))"
    " ELSE '{}'::jsonb END"
    " || CASE WHEN a.definition ? 'description' AND EXCLUDED.definition ? 'description' THEN"
    " jsonb_build_object('description', (a.definition->'description')"
    " || (EXCLUDED.definition->'description')) ELSE '{}'::jsonb END"
)


def activities_define(definitions: dict[str, dict]) -> None:
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
            f"ON CONFLICT (iri) DO UPDATE SET definition = {MERGED}, updated = now() "
            f"WHERE a.definition IS DISTINCT FROM {MERGED}",
            params,
        )


_ENTRY = StatementLogEntry._meta.db_table
_DELIVERY = StatementLogDelivery._meta.db_table


def log_append(
    kind: str, entries: list[tuple[str, int, list[int]]], consumers: list[str], now: datetime
) -> list[int]:
    """Entries and their deliveries in one round trip: the POST pays one statement for the log."""
    values = ", ".join(["(%s, %s, %s, %s::jsonb, %s)"] * len(entries))
    params: list[Any] = []
    for partition, shard, pks in entries:
        params += [kind, partition, shard, json.dumps(pks), now]
    sql = (
        f"WITH e AS (INSERT INTO {_ENTRY} (kind, partition, shard, statement_ids, created_at) "  # noqa: S608
        f"VALUES {values} RETURNING id, partition, shard) "
        f"INSERT INTO {_DELIVERY} (consumer, entry_id, shard, partition, status, attempts, "
        "next_attempt_at, last_error) "
        "SELECT c.name, e.id, e.shard, e.partition, 'pending', 0, %s, '' "
        "FROM e CROSS JOIN unnest(%s::text[]) AS c(name) RETURNING entry_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, now, consumers])
        return sorted({pk for (pk,) in cursor.fetchall()})
