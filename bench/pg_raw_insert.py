"""PostgreSQL's own insert rate for the rows the LRS writes: the yardstick of the batch POSTs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_lrs \
        .venv/bin/python bench/pg_raw_insert.py --clients 8 --batch 100 --duration 60

The same synthetic statements as ``bench/lrs_load.py`` (``lrs_synthetic.statement``, completed
as the LRS completes them: id, stored, authority, version), with the same statement columns and
the same agent and activity side-table rows, go into tables created ``LIKE progress_statement
INCLUDING ALL`` (and likewise for the two side tables), so every index and check is the LRS's;
the side tables' foreign keys to the statement table are added as Django declares them
(deferrable, checked at commit). Each of ``--clients`` processes holds one connection and, per
batch, reserves the statement ids from the table's sequence, writes the three tables (COPY, or
one multi-row INSERT round trip with ``--method insert``) and commits. No HTTP, no validation,
no duplicate lookup: what is left is what PostgreSQL itself needs to take the rows.

The tables are created at the start and dropped at the end (``--keep`` keeps them, and
``--append`` writes on into what a previous run kept, so that over several runs they grow as
the LRS's own tables do). The last
line printed is a JSON object with ``statements_per_s``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from lrs_synthetic import HOME, statement

from lrs.statements import agent_ifi, iter_activities, iter_agents, to_iso

PREFIX = "bench_raw_"
SOURCES = ("progress_statement", "progress_statementagent", "progress_statementactivity")
STATEMENT_COLUMNS = (
    "id, statement_id, data, actor_ifi, verb, activity, registration, ref_target, voiding, "
    "voided, has_attachments, stored, timestamp, client_id, user_id"
)
# The authority the LRS writes into a client's statements (lrs.auth.client_authority).
AUTHORITY = {
    "objectType": "Agent",
    "name": "bench",
    "account": {"homePage": HOME, "name": "lrs-client:0123456789abcdef0123456789abcdef"},
}


def create_tables(conn: psycopg.Connection, *, append: bool) -> None:
    statement_table = PREFIX + "progress_statement"
    with conn.cursor() as cur:
        if append and cur.execute("SELECT to_regclass(%s)", [statement_table]).fetchone()[0]:
            return
        for source in reversed(SOURCES):
            cur.execute(f"DROP TABLE IF EXISTS {PREFIX}{source}")
        for source in SOURCES:
            cur.execute(f"CREATE TABLE {PREFIX}{source} (LIKE {source} INCLUDING ALL)")
        for source in SOURCES[1:]:
            cur.execute(
                f"ALTER TABLE {PREFIX}{source} ADD FOREIGN KEY (statement_id) "
                f"REFERENCES {statement_table} (id) DEFERRABLE INITIALLY DEFERRED"
            )
    conn.commit()


def drop_tables(conn: psycopg.Connection) -> None:
    with conn.cursor() as cur:
        for source in reversed(SOURCES):
            cur.execute(f"DROP TABLE IF EXISTS {PREFIX}{source}")
    conn.commit()


def templates(count: int) -> list[dict[str, Any]]:
    """Statements without id or stored, with their index columns and side rows worked out
    once (as the load generator serialises its templates once): the clients' CPU is the
    server's, on a shared machine."""
    rng = random.Random(7)
    result = []
    for _ in range(count):
        data = statement(rng, with_id=False)
        data["authority"] = AUTHORITY
        data["version"] = "1.0.0"
        agents: dict[str, bool] = {}
        for ifi, direct in iter_agents(data):
            agents[ifi] = agents.get(ifi, False) or direct
        timestamp = data.pop("timestamp")
        result.append(
            {
                # Serialised once; each row splices in its id, stored and timestamp.
                "json_tail": json.dumps(data, ensure_ascii=False)[1:],
                "timestamp": timestamp,
                "actor_ifi": agent_ifi(data["actor"]),
                "verb": data["verb"]["id"],
                "activity": data["object"]["id"],
                "registration": data["context"]["registration"],
                "agents": list(agents.items()),
                "activities": list(dict.fromkeys(iri for iri, _ in iter_activities(data))),
            }
        )
    return result


def worker(
    dsn: str, method: str, batch: int, start_at: float, stop_at: float, seed: int, out: Any
) -> None:
    pool = templates(2000)
    rng = random.Random(seed)
    table = PREFIX + "progress_statement"
    agent_table = PREFIX + "progress_statementagent"
    activity_table = PREFIX + "progress_statementactivity"
    # Table names are this module's constants; values are always bound.
    reserve = (
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"  # noqa: S608
        " FROM generate_series(1, %s)"
    )
    count = 0
    with psycopg.connect(dsn) as conn:
        while time.time() < start_at:
            time.sleep(0.01)
        while time.time() < stop_at:
            now = datetime.now(UTC)
            now = now.replace(microsecond=now.microsecond // 1000 * 1000)
            stored_iso = to_iso(now)
            with conn.cursor() as cur:
                ids = [pk for (pk,) in cur.execute(reserve, [batch]).fetchall()]
                rows, agents, activities = [], [], []
                for pk in ids:
                    item = rng.choice(pool)
                    sid = str(uuid.uuid4())
                    data = (
                        f'{{"id":"{sid}","stored":"{stored_iso}",'
                        f'"timestamp":"{item["timestamp"]}",{item["json_tail"]}'
                    )
                    rows.append(
                        (
                            pk,
                            sid,
                            data,
                            item["actor_ifi"],
                            item["verb"],
                            item["activity"],
                            item["registration"],
                            None,
                            False,
                            False,
                            False,
                            now,
                            item["timestamp"],
                            None,
                            None,
                        )
                    )
                    agents.extend((pk, ifi, now, direct) for ifi, direct in item["agents"])
                    activities.extend((pk, iri) for iri in item["activities"])
                if method == "copy":
                    with cur.copy(f"COPY {table} ({STATEMENT_COLUMNS}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    with cur.copy(
                        f"COPY {agent_table} (statement_id, ifi, stored, direct) FROM STDIN"
                    ) as copy:
                        for agent in agents:
                            copy.write_row(agent)
                    with cur.copy(
                        f"COPY {activity_table} (statement_id, activity) FROM STDIN"
                    ) as copy:
                        for activity in activities:
                            copy.write_row(activity)
                else:
                    marks = "(" + ", ".join(["%s"] * 15) + ")"
                    sql = (
                        f"INSERT INTO {table} ({STATEMENT_COLUMNS}) VALUES "  # noqa: S608
                        + ", ".join([marks] * len(rows))
                        + f"; INSERT INTO {agent_table} (statement_id, ifi, stored, direct) VALUES "  # noqa: S608
                        + ", ".join(["(%s, %s, %s, %s)"] * len(agents))
                        + f"; INSERT INTO {activity_table} (statement_id, activity) VALUES "  # noqa: S608
                        + ", ".join(["(%s, %s)"] * len(activities))
                    )
                    params = [v for row in rows for v in row]
                    params += [v for agent in agents for v in agent]
                    params += [v for activity in activities for v in activity]
                    # Bound client-side, as Django's cursors do, so the three INSERTs go as one
                    # message (a server-side prepared statement takes one command only).
                    with psycopg.ClientCursor(conn) as client_cursor:
                        client_cursor.execute(sql, params)
            conn.commit()
            if time.time() <= stop_at:
                count += batch
    out.put(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--method", choices=["copy", "insert"], default="copy")
    parser.add_argument("--keep", action="store_true", help="keep the bench_raw_* tables")
    parser.add_argument(
        "--append",
        action="store_true",
        help="add to the tables a previous --keep run left (they grow as the LRS's do)",
    )
    args = parser.parse_args()
    dsn = os.environ["DATABASE_URL"]
    with psycopg.connect(dsn) as conn:
        create_tables(conn, append=args.append)
    out: multiprocessing.Queue = multiprocessing.Queue()
    # Templates are built before the clock starts (about a second for eight processes).
    start_at = time.time() + 3
    stop_at = start_at + args.duration
    processes = [
        multiprocessing.Process(
            target=worker,
            args=(dsn, args.method, args.batch, start_at, stop_at, seed, out),
        )
        for seed in range(args.clients)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()  # a count is a few bytes: the queue's pipe never blocks a worker
    if any(process.exitcode for process in processes):
        raise SystemExit("a client failed (see above)")
    total = sum(out.get() for _ in processes)
    if not args.keep:
        with psycopg.connect(dsn) as conn:
            drop_tables(conn)
    result = {
        "mode": "pg_raw_insert",
        "method": args.method,
        "clients": args.clients,
        "batch": args.batch,
        "duration_s": args.duration,
        "statements": total,
        "statements_per_s": round(total / args.duration, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
