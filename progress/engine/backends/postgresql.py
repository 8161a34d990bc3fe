"""The engine's SQL for PostgreSQL."""

from __future__ import annotations

from django.db import connections

from progress.models import ProgressEvidence

EVIDENCE_COLUMNS = (
    "statement_id",
    "user_id",
    "lesson_iri",
    "on_lesson",
    "verb",
    "timestamp",
    "success",
    "completion",
    "scaled",
    "progress",
)


def insert_evidence(batch: list[ProgressEvidence], *, using: str) -> int:
    """``COPY``: several times faster than INSERT for the millions of rows of a recompute.

    The table was emptied in this transaction and the store's statement ids are unique, so no
    row can clash.
    """
    table = ProgressEvidence._meta.db_table
    with connections[using].cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(EVIDENCE_COLUMNS)}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row([getattr(row, column) for column in EVIDENCE_COLUMNS])
    return len(batch)
