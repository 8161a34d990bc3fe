"""p95 latency of every report shape on PostgreSQL (data from bench/reports_generate.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_reports \
        .venv/bin/python bench/reports_bench.py [--runs 20] [--json bench/results/reports.json]

Each shape runs ``--runs`` times end to end through the same function the API calls
(aggregation, suppression, labels), with filters rotated over states, schools and courses so
the cache of one exact query does not flatter the figure. Target: p95 < 300 ms per shape.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/capacita_bench_reports"
TARGET_MS = 300


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", help="comma-separated shape names")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="bypass the payload cache: every run decodes snapshots or scans facts",
    )
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")
    import django

    django.setup()
    from django.db import connection

    from learners.models import School
    from reports.models import ReportFact
    from reports.query import ReportQuery
    from reports.reports import completion_report, summary_report, trend_report
    from reports.scopes import NATIONAL, SCHOOL, STATE, Scope

    if args.no_cache:
        from django.core.cache.backends.dummy import DummyCache

        import reports.reports as reports_module

        reports_module.cache = DummyCache("bench", {})
    nation = Scope(level=NATIONAL)
    facts = ReportFact.objects.count()
    states = [f"{n:02d}" for n in range(1, 33)]
    schools = list(School.objects.order_by("?").values_list("pk", "cct", "state")[:50])
    courses = sorted(set(ReportFact.objects.values_list("course_id", flat=True).distinct()))
    subsystems = ["dgeti", "conalep", "cecyte", "uemstaycm"]

    def q(**kwargs):
        return ReportQuery(**kwargs)

    shapes = {
        "summary national": lambda i: summary_report(q(), nation),
        "trend national": lambda i: trend_report(q(), nation),
        "by state": lambda i: completion_report(q(group_by=("state",)), nation),
        "by subsystem": lambda i: completion_report(q(group_by=("subsystem",)), nation),
        "by school (national, 10k groups)": lambda i: completion_report(
            q(group_by=("school",)), nation
        ),
        "by course": lambda i: completion_report(q(group_by=("course",)), nation),
        "by sector": lambda i: completion_report(q(group_by=("sector",)), nation),
        "by topic": lambda i: completion_report(q(group_by=("topic",)), nation),
        "by month": lambda i: completion_report(q(group_by=("month",)), nation),
        "state x subsystem": lambda i: completion_report(
            q(group_by=("state", "subsystem")), nation
        ),
        "state x month": lambda i: completion_report(q(group_by=("state", "month")), nation),
        "course x month": lambda i: completion_report(q(group_by=("course", "month")), nation),
        "sector x state": lambda i: completion_report(q(group_by=("sector", "state")), nation),
        "by state, course filter + dates": lambda i: completion_report(
            q(
                group_by=("state",),
                course=courses[i % len(courses)],
                date_from=__import__("datetime").date(2025, 6, 1),
                date_to=__import__("datetime").date(2026, 5, 31),
            ),
            nation,
        ),
        "state scope: by subsystem": lambda i: completion_report(
            q(group_by=("subsystem",)), Scope(level=STATE, state=states[i % 32])
        ),
        "state scope: by school": lambda i: completion_report(
            q(group_by=("school",)), Scope(level=STATE, state=states[i % 32])
        ),
        "state scope: subsystem x course": lambda i: completion_report(
            q(group_by=("subsystem", "course")), Scope(level=STATE, state=states[i % 32])
        ),
        "state scope: school x course (subsystem filter)": lambda i: completion_report(
            q(group_by=("school", "course"), subsystem=subsystems[i % 4]),
            Scope(level=STATE, state=states[(i * 7) % 32]),
        ),
        "state + subsystem: by school": lambda i: completion_report(
            q(group_by=("school",), subsystem=subsystems[i % 4]),
            Scope(level=STATE, state=states[i % 32]),
        ),
        "school scope: by course": lambda i: completion_report(
            q(group_by=("course",)),
            Scope(
                level=SCHOOL,
                state=schools[i % len(schools)][2],
                school_id=schools[i % len(schools)][0],
                school_cct=schools[i % len(schools)][1],
            ),
        ),
        "state scope: trend": lambda i: trend_report(q(), Scope(level=STATE, state=states[i % 32])),
    }
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        shapes = {name: run for name, run in shapes.items() if name in wanted}
    results = []
    print(
        f"facts: {facts:,}; runs per shape: {args.runs}; target p95 < {TARGET_MS} ms; "
        f"payload cache {'off' if args.no_cache else 'on'}"
    )
    print(f"{'shape':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  ok")
    for name, run in shapes.items():
        run(0)  # warm the connection and plans
        timings = []
        for index in range(args.runs):
            begin = time.perf_counter()
            run(index + 1)
            timings.append((time.perf_counter() - begin) * 1000)
        p95 = percentile(timings, 0.95)
        row = {
            "shape": name,
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(p95, 1),
            "max_ms": round(max(timings), 1),
            "ok": p95 < TARGET_MS,
        }
        results.append(row)
        print(
            f"{name:40} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f}  "
            f"{'yes' if row['ok'] else 'NO'}",
            flush=True,
        )
    connection.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"facts": facts, "cache": not args.no_cache, "results": results}, indent=2)
        )


if __name__ == "__main__":
    main()
