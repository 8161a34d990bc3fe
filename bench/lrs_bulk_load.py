"""Load N synthetic statements straight into the LRS tables with COPY (not through HTTP).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_lrs \
        .venv/bin/python bench/lrs_bulk_load.py 1000000

Rows are derived with the LRS's own helpers (lrs.statements), so the index columns
and side tables are exactly what the HTTP path writes.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")

import django

django.setup()

from django.db import connection  # noqa: E402
from lrs_synthetic import statement  # noqa: E402

from lrs.statements import agent_ifi, iter_activities, iter_agents, to_iso  # noqa: E402

AUTHORITY = {
    "objectType": "Agent",
    "name": "bulk",
    "account": {"homePage": "http://127.0.0.1:8000", "name": "lrs-client:bulk"},
}


def add_side_rows(pk: int, data: dict, agents: list, activities: list, stored: datetime) -> None:
    """Append the statement's agent and activity index rows, as the HTTP path writes them."""
    seen: dict[str, bool] = {}
    for ifi, direct in iter_agents(data):
        seen[ifi] = seen.get(ifi, False) or direct
    agents.extend((pk, ifi, stored, direct) for ifi, direct in seen.items())
    activities.extend((pk, iri) for iri in dict.fromkeys(a for a, _ in iter_activities(data)))


def copy_statement_rows(raw, statements: list, agents: list, activities: list) -> None:
    """COPY statement rows and their side-table rows into the LRS tables (no commit)."""
    with raw.cursor() as cur:
        with cur.copy(
            "COPY progress_statement (id, statement_id, data, actor_ifi, verb, activity, "
            "registration, ref_target, voiding, voided, has_attachments, stored, timestamp, "
            "client_id, user_id) FROM STDIN"
        ) as copy:
            for row in statements:
                copy.write_row(row)
        with cur.copy(
            "COPY progress_statementagent (statement_id, ifi, stored, direct) FROM STDIN"
        ) as copy:
            for row in agents:
                copy.write_row(row)
        with cur.copy(
            "COPY progress_statementactivity (statement_id, activity) FROM STDIN"
        ) as copy:
            for row in activities:
                copy.write_row(row)


def main(total: int) -> None:
    rng = random.Random(42)
    start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM progress_statement")
        first_id = cursor.fetchone()[0] + 1
    raw = connection.connection  # psycopg 3 connection
    base = datetime.now(UTC) - timedelta(days=30)
    step = timedelta(days=29) / max(total, 1)
    chunk = 50_000
    for offset in range(0, total, chunk):
        stmts, agents, activities = [], [], []
        for i in range(offset, min(offset + chunk, total)):
            pk = first_id + i
            data = statement(rng)
            stored = base + step * i
            data["stored"] = to_iso(stored)
            data["authority"] = AUTHORITY
            data["version"] = "1.0.0"
            ctx = data["context"]
            stmts.append(
                (
                    pk,
                    data["id"],
                    json.dumps(data),
                    agent_ifi(data["actor"]),
                    data["verb"]["id"],
                    data["object"]["id"],
                    ctx["registration"],
                    None,
                    False,
                    False,
                    False,
                    stored,
                    stored,
                    None,
                    None,
                )
            )
            add_side_rows(pk, data, agents, activities, stored)
        copy_statement_rows(raw, stmts, agents, activities)
        raw.commit()
        done = min(offset + chunk, total)
        print(f"{done:>9} statements  {done / (time.monotonic() - start):8.0f}/s", flush=True)
    with raw.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('progress_statement', 'id'), "
            "(SELECT MAX(id) FROM progress_statement))"
        )
        cur.execute("ANALYZE progress_statement")
        cur.execute("ANALYZE progress_statementagent")
        cur.execute("ANALYZE progress_statementactivity")
    raw.commit()
    print(f"loaded {total} in {time.monotonic() - start:.1f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
