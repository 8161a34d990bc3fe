# An agent's statements in stored order, straight from the agent table's key.
#
# Agent queries ("agent=…", a learner's own statements) page in (stored, id) order. The key
# was (ifi, statement): a page of 50 read every statement the agent ever made, then sorted
# them, so its cost grew with the agent's history (and, cold, with one random heap read per
# statement). The key becomes (ifi, stored, statement): a page walks the key in order and
# stops after its rows. ``stored`` is the statement's own, written with it and never changed.
# On PostgreSQL the key also carries ``direct`` (INCLUDE), so the walk never visits the agent
# table's heap; no index is added, so storing a statement costs what it did.
#
# Existing rows are filled from their statements. On a large store this rewrites the agent
# table once (docs/operations.md, "Upgrading").

from typing import Any

from django.db import migrations, models

TABLE = "progress_statementagent"
CONSTRAINT = "progress_statementagent_pkey"


STATE_OPERATIONS = [
    migrations.AddField(
        model_name="statementagent",
        name="stored",
        field=models.DateTimeField(default=None),
        preserve_default=False,
    ),
    migrations.AlterField(
        model_name="statementagent",
        name="statement",
        field=models.ForeignKey(
            db_index=False,
            on_delete=models.deletion.CASCADE,
            related_name="agent_rows",
            to="lrs.statement",
        ),
    ),
    migrations.AlterField(
        model_name="statementagent",
        name="pk",
        field=models.CompositePrimaryKey(
            "ifi",
            "stored",
            "statement",
            blank=True,
            editable=False,
            primary_key=True,
            serialize=False,
        ),
    ),
]


class RekeyStatementAgent(migrations.operations.base.Operation):
    """Add ``stored`` (copied from each row's statement) and make (ifi, stored, statement)
    the key; backwards, the (ifi, statement) key without ``stored``."""

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label: str, state: Any) -> None:
        for operation in STATE_OPERATIONS:
            operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN stored timestamp with time zone")
            schema_editor.execute(
                f"UPDATE {TABLE} sa SET stored = s.stored FROM progress_statement s"  # noqa: S608
                " WHERE s.id = sa.statement_id"
            )
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN stored SET NOT NULL")
            schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {CONSTRAINT}")
            schema_editor.execute(
                f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT}"
                " PRIMARY KEY (ifi, stored, statement_id) INCLUDE (direct)"
            )
            return
        self._remake(
            schema_editor,
            to_state,
            "statement_id, ifi, stored, direct",
            "sa.statement_id, sa.ifi, s.stored, sa.direct",
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {CONSTRAINT}")
            schema_editor.execute(
                f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} PRIMARY KEY (ifi, statement_id)"
            )
            schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN stored")
            return
        self._remake(
            schema_editor,
            to_state,
            "statement_id, ifi, direct",
            "sa.statement_id, sa.ifi, sa.direct",
        )

    @staticmethod
    def _remake(schema_editor, state, columns: str, select: str) -> None:
        """SQLite cannot change a table's key: build the table of ``state`` beside the old
        one, copy the rows over, and drop the old table."""
        model = state.apps.get_model("lrs", "StatementAgent")
        schema_editor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}__old")
        schema_editor.create_model(model)
        schema_editor.execute(
            f"INSERT INTO {TABLE} ({columns}) SELECT {select} FROM {TABLE}__old sa"  # noqa: S608
            " JOIN progress_statement s ON s.id = sa.statement_id"
        )
        schema_editor.execute(f"DROP TABLE {TABLE}__old")

    def describe(self) -> str:
        return "Key the statement agent table by (ifi, stored, statement)"


class Migration(migrations.Migration):
    dependencies = [
        ("lrs", "0007_cmi5_session_context_activities"),
    ]

    operations = [RekeyStatementAgent()]
