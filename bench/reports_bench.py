"""Latency of every report shape, for every state, subsystem and scope, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_reports \
        .venv/bin/python bench/reports_bench.py [--runs 20] [--cold] [--ingest 100] \
        [--cache] [--only "by school (national)"] [--json bench/results/reports.json]

Data from ``bench/reports_generate.py`` (``--scale 2`` for twice today's national scale).

Each shape runs end to end through the function the API calls (scope narrowing, aggregation
or snapshot decoding, suppression, labels) over *every* value of its parameter: every state
for the state-scoped shapes, every (state, subsystem) pair for those filtered by subsystem,
every course for the course filter, a sample of schools plus the largest ones for the school
scope; national shapes run ``--runs`` times. A shape runs at least ``--runs`` requests (the
parameters cycled), so its p50 and p95 are over a sample that always contains Estado de
México (13 % of the facts); ``max`` is the slowest request and names its parameter, and the
per-state table gives each state's slowest request over all shapes.

* The payload cache is off unless ``--cache``: every request decodes snapshots or scans facts.
* ``--cold`` adds a cold pass first: for each shape, the OS page cache is dropped
  (``sync; echo 3 > /proc/sys/vm/drop_caches``, when permitted), a new database connection
  opened, and the shape's heaviest parameter (the largest state, pair, course or school) run
  once. PostgreSQL's own shared buffers are not flushed: the server is shared and is never
  restarted by the bench.
* ``--ingest N`` runs a steady LRS ingest load in a second process during the whole bench:
  ``N`` statements per second, in batches of 10 through ``lrs.services.statements_store``
  (the endpoint's path: validation, the statement tables, the statement log), and reports the
  rate achieved.

Target: p95 < 300 ms for every shape, and the per-state maximum below it too.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/capacita_bench_reports"
TARGET_MS = 300
INGEST_BATCH = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Shape:
    name: str
    run: Callable[[Any], Any]
    params: list[Any] = field(default_factory=lambda: [None])
    state_of: Callable[[Any], str | None] = lambda param: None
    label: Callable[[Any], str] = lambda param: "" if param is None else str(param)
    heaviest: Any = None


def setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")
    import django

    django.setup()


def ingest(rate: float, stop: Any, counts: Any) -> None:
    """A steady LRS load: ``rate`` statements/s in batches, until ``stop`` is set."""
    setup_django()
    from lrs.services import statements_store

    site = "https://capacita.example"
    interval = INGEST_BATCH / rate
    next_at = time.monotonic()
    stored = late = 0
    while not stop.is_set():
        batch = [
            {
                "id": str(uuid.uuid4()),
                "actor": {
                    "objectType": "Agent",
                    "account": {"homePage": site, "name": f"ingest-{stored + i}"},
                },
                "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                "object": {"id": f"{site}/xapi/activities/bench/{(stored + i) % 997}"},
                "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            }
            for i in range(INGEST_BATCH)
        ]
        statements_store(statements=batch)
        stored += len(batch)
        next_at += interval
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            late += 1
        counts["stored"] = stored
        counts["late_batches"] = late


def drop_os_cache() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def build_shapes() -> tuple[list[Shape], dict[str, int]]:
    from django.db.models import Count

    from learners.models import School, Subsystem
    from reports.models import ReportFact
    from reports.query import ReportQuery as q
    from reports.reports import completion_report, summary_report, trend_report
    from reports.scopes import NATIONAL, SCHOOL, STATE, Scope

    nation = Scope(level=NATIONAL)
    by_state = dict(
        ReportFact.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    states = [f"{n:02d}" for n in range(1, 33)]
    biggest_state = max(states, key=lambda s: by_state.get(s, 0))
    subsystem_ids = dict(Subsystem.objects.values_list("code", "pk"))
    pair_facts = {
        (state, subsystem): n
        for state, subsystem, n in ReportFact.objects.values_list("state", "subsystem_id")
        .annotate(n=Count("id"))
        .values_list("state", "subsystem_id", "n")
    }
    code_of = {pk: code for code, pk in subsystem_ids.items()}
    pairs = sorted((state, code_of[sub]) for (state, sub) in pair_facts if state and sub in code_of)
    biggest_pair = max(pairs, key=lambda p: pair_facts[(p[0], subsystem_ids[p[1]])])
    course_facts = dict(
        ReportFact.objects.values_list("course_id")
        .annotate(n=Count("id"))
        .values_list("course_id", "n")
    )
    courses = sorted(course_facts)
    biggest_course = max(courses, key=course_facts.__getitem__)
    school_facts = (
        ReportFact.objects.exclude(school_id=None)
        .values_list("school_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("school_id", flat=True)
    )
    largest = list(school_facts[:10])
    sample = list(School.objects.order_by("?").values_list("pk", flat=True)[:40])
    schools = {
        pk: (pk, cct, state)
        for pk, cct, state in School.objects.filter(pk__in=largest + sample).values_list(
            "pk", "cct", "state"
        )
    }
    school_params = [schools[pk] for pk in dict.fromkeys(largest + sample)]

    def in_state(state: str) -> Scope:
        return Scope(level=STATE, state=state)

    def national(name: str, **query: Any) -> Shape:
        return Shape(name, lambda _p: completion_report(q(**query), nation))

    def per_state(name: str, call: Callable[[str], Any]) -> Shape:
        return Shape(name, call, states, lambda s: s, heaviest=biggest_state)

    def per_pair(name: str, call: Callable[[tuple[str, str]], Any]) -> Shape:
        return Shape(
            name, call, pairs, lambda p: p[0], lambda p: f"{p[0]}/{p[1]}", heaviest=biggest_pair
        )

    dates = {"date_from": dt.date(2025, 6, 1), "date_to": dt.date(2026, 5, 31)}
    shapes = [
        Shape("summary national", lambda _p: summary_report(q(), nation)),
        Shape("trend national", lambda _p: trend_report(q(), nation)),
        national("by state", group_by=("state",)),
        national("by subsystem", group_by=("subsystem",)),
        national("by school (national)", group_by=("school",)),
        national("by course", group_by=("course",)),
        national("by sector", group_by=("sector",)),
        national("by topic", group_by=("topic",)),
        national("by month", group_by=("month",)),
        national("state x subsystem", group_by=("state", "subsystem")),
        national("state x month", group_by=("state", "month")),
        national("course x month", group_by=("course", "month")),
        national("sector x state", group_by=("sector", "state")),
        Shape(
            "by state, course filter + dates",
            lambda c: completion_report(q(group_by=("state",), course=c, **dates), nation),
            courses,
            heaviest=biggest_course,
        ),
        per_state("state scope: summary", lambda s: summary_report(q(), in_state(s))),
        per_state(
            "state scope: by subsystem",
            lambda s: completion_report(q(group_by=("subsystem",)), in_state(s)),
        ),
        per_state(
            "state scope: by school",
            lambda s: completion_report(q(group_by=("school",)), in_state(s)),
        ),
        per_state(
            "state scope: subsystem x course",
            lambda s: completion_report(q(group_by=("subsystem", "course")), in_state(s)),
        ),
        per_state(
            "state scope: course x month",
            lambda s: completion_report(q(group_by=("course", "month")), in_state(s)),
        ),
        per_pair(
            "state scope: school x course (subsystem filter)",
            lambda p: completion_report(
                q(group_by=("school", "course"), subsystem=p[1]), in_state(p[0])
            ),
        ),
        *(
            [
                per_pair(
                    "state scope: school x course (subsystem filter) in pages of 1000",
                    lambda p: completion_report(
                        q(group_by=("school", "course"), subsystem=p[1], limit=1000),
                        in_state(p[0]),
                    ),
                )
            ]
            if "limit" in {f.name for f in dataclasses.fields(q)}  # paging exists on this code
            else []
        ),
        per_pair(
            "state + subsystem: by school",
            lambda p: completion_report(q(group_by=("school",), subsystem=p[1]), in_state(p[0])),
        ),
        Shape(
            "school scope: by course",
            lambda s: completion_report(
                q(group_by=("course",)),
                Scope(level=SCHOOL, state=s[2], school_id=s[0], school_cct=s[1]),
            ),
            school_params,
            lambda s: s[2],
            lambda s: s[1],
            heaviest=school_params[0],
        ),
        per_state("state scope: trend", lambda s: trend_report(q(), in_state(s))),
    ]
    return shapes, by_state


def timed(run: Callable[[Any], Any], param: Any) -> tuple[float, str]:
    from reports.query import QueryError

    begin = time.perf_counter()
    outcome = "ok"
    try:
        run(param)
    except QueryError as error:
        outcome = error.rule  # e.g. too_many_groups: an answer, but not the table
    return (time.perf_counter() - begin) * 1000, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20, help="least requests per shape")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", help="shape names, separated by commas (or by ;)")
    parser.add_argument("--cache", action="store_true", help="keep the payload cache on")
    parser.add_argument("--cold", action="store_true", help="add a cold pass first")
    parser.add_argument(
        "--ingest", type=float, default=0, help="steady LRS load, statements per second"
    )
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from reports.models import ReportFact

    if not args.cache:
        from django.core.cache.backends.dummy import DummyCache

        import reports.reports as reports_module

        reports_module.cache = DummyCache("bench", {})
    shapes, by_state = build_shapes()
    if args.only:
        names = {shape.name for shape in shapes}
        # Comma-separated, but a shape's own name may hold a comma.
        wanted = (
            {args.only}
            if args.only in names
            else {name.strip() for name in args.only.split(";" if ";" in args.only else ",")}
        )
        shapes = [shape for shape in shapes if shape.name in wanted]
    facts = ReportFact.objects.count()
    load_before = os.getloadavg()
    loader = None
    if args.ingest:
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        counts = context.Manager().dict()
        loader = context.Process(target=ingest, args=(args.ingest, stop, counts), daemon=True)
        loader.start()
        time.sleep(5)  # let it reach its pace
    started = time.monotonic()
    print(
        f"facts: {facts:,}; least runs per shape: {args.runs}; target p95 < {TARGET_MS} ms; "
        f"payload cache {'on' if args.cache else 'off'}; LRS ingest "
        f"{f'{args.ingest:g} statements/s' if args.ingest else 'off'}; "
        f"load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}",
        flush=True,
    )
    results: dict[str, dict[str, Any]] = {}
    if args.cold:
        print("\ncold pass (heaviest parameter, first request after dropping the OS cache)")
        for shape in shapes:
            dropped = drop_os_cache()
            connection.close()
            param = shape.params[0] if shape.heaviest is None else shape.heaviest
            ms, outcome = timed(shape.run, param)
            results[shape.name] = {"cold_ms": round(ms, 1), "cold_param": shape.label(param)}
            notes = [] if dropped else ["(OS cache NOT dropped)"]
            notes += [] if outcome == "ok" else [outcome]
            print(
                f"{shape.name:50} {ms:8.1f} ms  {shape.label(param):12} {' '.join(notes)}",
                flush=True,
            )
    print(f"\n{'shape':50} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  slowest      ok")
    state_max: dict[str, tuple[float, str]] = {}
    for shape in shapes:
        shape.run(shape.params[0])  # warm the connection and plans
        count = max(args.runs, len(shape.params))
        timings: list[float] = []
        slowest = (0.0, "")
        refused: dict[str, int] = {}
        per_param: dict[str, float] = {}
        for index in range(count):
            param = shape.params[index % len(shape.params)]
            ms, outcome = timed(shape.run, param)
            timings.append(ms)
            if outcome != "ok":
                refused[outcome] = refused.get(outcome, 0) + 1
            label = shape.label(param)
            per_param[label] = max(per_param.get(label, 0.0), ms)
            if ms > slowest[0]:
                slowest = (ms, label)
            state = shape.state_of(param)
            if state and ms > state_max.get(state, (0.0, ""))[0]:
                state_max[state] = (ms, shape.name)
        row = results.setdefault(shape.name, {})
        row.update(
            {
                "n": count,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(percentile(timings, 0.95), 1),
                "max_ms": round(slowest[0], 1),
                "slowest": slowest[1],
                "refused": refused,
                "per_param_max_ms": {k: round(v, 1) for k, v in per_param.items()},
            }
        )
        row["ok"] = row["p95_ms"] < TARGET_MS and not refused and row.get("cold_ms", 0) < TARGET_MS
        note = ", ".join(f"{n} {rule}" for rule, n in refused.items())
        print(
            f"{shape.name:50} {count:4} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
            f"{row['max_ms']:8.1f}  {slowest[1]:12} {'yes' if row['ok'] else 'NO'} {note}",
            flush=True,
        )
    if state_max:
        print("\nper-state maximum (slowest request of any state-scoped shape)")
        for state in sorted(state_max):
            ms, name = state_max[state]
            print(f"  {state} ({by_state.get(state, 0):>9,} facts) {ms:8.1f} ms  {name}")
    ingest_summary = None
    if loader is not None:
        stop.set()
        loader.join(30)
        elapsed = time.monotonic() - started
        stored = counts.get("stored", 0)
        ingest_summary = {
            "target_per_s": args.ingest,
            "stored": stored,
            "achieved_per_s": round(stored / elapsed, 1),
            "late_batches": counts.get("late_batches", 0),
        }
        print(
            f"\nLRS ingest: {stored:,} statements in {elapsed:.0f} s = "
            f"{ingest_summary['achieved_per_s']}/s (target {args.ingest:g}/s; "
            f"{ingest_summary['late_batches']} batches late)"
        )
    load_after = os.getloadavg()
    print(f"load average at the end: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    connection.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "facts": facts,
                    "cache": args.cache,
                    "ingest": ingest_summary,
                    "load_average": {"start": load_before, "end": load_after},
                    "state_max": {s: {"ms": round(v[0], 1), "shape": v[1]}
                                  for s, v in state_max.items()},
                    "results": results,
                },
                indent=2,
            )
        )  # fmt: skip


if __name__ == "__main__":
    main()
