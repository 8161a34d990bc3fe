"""lrs 0008 keys the agent table by (ifi, stored, statement): existing rows get their
statement's ``stored``, on SQLite (which rebuilds the table) and PostgreSQL (which alters it),
and the migration goes back as well as forward."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("lrs", "0007_cmi5_session_context_activities")]
AFTER = [("lrs", "0008_statementagent_stored_key")]
STORED = [
    datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC),
    datetime.datetime(2026, 10, 1, 8, 30, 15, 123000, tzinfo=datetime.UTC),
]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_agent_rows_get_their_statements_stored_and_the_key_goes_back_too() -> None:
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for pk, stored in enumerate(STORED, start=1):
                cursor.execute(
                    "INSERT INTO progress_statement (id, statement_id, data, actor_ifi, verb,"
                    " voiding, voided, has_attachments, stored, timestamp)"
                    " VALUES (%s, %s, '{}', 'mbox:a', 'v', false, false, false, %s, %s)",
                    [pk, f"00000000-0000-0000-0000-00000000000{pk}", stored, stored],
                )
            cursor.execute(
                "INSERT INTO progress_statementagent (statement_id, ifi, direct) VALUES"
                " (1, 'mbox:a', true), (1, 'mbox:b', false), (2, 'mbox:a', true)"
            )
        _migrate(AFTER)
        from lrs.models import StatementAgent

        rows = sorted(StatementAgent.objects.values_list("statement_id", "ifi", "stored", "direct"))
        assert rows == [
            (1, "mbox:a", STORED[0], True),
            (1, "mbox:b", STORED[0], False),
            (2, "mbox:a", STORED[1], True),
        ]
        # The key is (ifi, stored, statement): a second row for one agent and statement is
        # still refused.
        with connection.cursor() as cursor, pytest.raises(IntegrityError):
            cursor.execute(
                "INSERT INTO progress_statementagent (statement_id, ifi, stored, direct)"
                " VALUES (1, 'mbox:a', %s, false)",
                [STORED[0]],
            )
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement_id, ifi, direct FROM progress_statementagent"
                " ORDER BY statement_id, ifi"
            )
            assert [(pk, ifi, bool(d)) for pk, ifi, d in cursor.fetchall()] == [
                (1, "mbox:a", True),
                (1, "mbox:b", False),
                (2, "mbox:a", True),
            ]
    finally:
        # Back to every app's latest migration, not only 0008: later tests on this database
        # need the tables of the lrs migrations after it too.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
