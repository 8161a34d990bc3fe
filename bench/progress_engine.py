"""Progress engine benchmark: cost of a progress update per statement as the store grows, and
``recompute_progress`` over the whole store.

    createdb -h 127.0.0.1 -U postgres capacita_bench_engine
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_engine \\
        .venv/bin/python bench/progress_engine.py --sizes 10000 1000000
    dropdb -h 127.0.0.1 -U postgres capacita_bench_engine

Real course pages (5 courses x 4 modules x 5 lessons, a knowledge check in the first lesson of
every module) and real learners (users with their xAPI identity). The store is filled with
COPY (rows derived with the LRS's own helpers, like bench/lrs_bulk_load.py): each learner works
through a course lesson by lesson (experienced, progressed, failed/passed or completed) and
about a third stop half-way. At each size the store is first brought up to date with
``recompute_progress`` (timed), then statements of learners never seen before are stored one by
one through ``progress.services.statements_store`` (the path the LRS endpoint takes): the time
and the SQL queries of the engine's part (the ``statements_stored`` receiver) are measured per
statement, and the whole store call too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from lrs_bulk_load import add_side_rows, copy_statement_rows  # noqa: E402

from courses.selectors import course_outline  # noqa: E402
from lrs.models import LearnerIdentity, Statement  # noqa: E402
from lrs.services import statements_store  # noqa: E402
from lrs.statements import agent_ifi, to_iso  # noqa: E402
from progress.engine import receivers  # noqa: E402

ADL = "http://adlnet.gov/expapi/verbs/"
PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
AUTHORITY = {
    "objectType": "Agent",
    "name": "bench",
    "account": {"homePage": settings.LMS_SITE_URL, "name": "lrs-client:bench"},
}
N_COURSES = 5
N_LEARNERS = 20_000
MEASURE_LEARNERS = 6  # x ~100 statements each = the statements timed at each size


def build_content() -> list:
    from tests.courses.factories import build_course

    courses = list(
        __import__("courses.models", fromlist=["CoursePage"]).CoursePage.objects.order_by("pk")
    )
    while len(courses) < N_COURSES:
        courses.append(build_course(modules=4, lessons=5, passing_score=70))
    return [course_outline(course_id=c.pk) for c in courses[:N_COURSES]]


def build_learners() -> list[dict]:
    users = get_user_model()
    have = users.objects.filter(username__startswith="bench-").count()
    if have < N_LEARNERS:
        users.objects.bulk_create(
            [users(username=f"bench-{i}", password="!") for i in range(have, N_LEARNERS)],
            batch_size=5000,
        )
        known = set(LearnerIdentity.objects.values_list("user_id", flat=True))
        LearnerIdentity.objects.bulk_create(
            [
                LearnerIdentity(user_id=pk, account_name=str(uuid.uuid4()))
                for pk in users.objects.filter(username__startswith="bench-").values_list(
                    "pk", flat=True
                )
                if pk not in known
            ],
            batch_size=5000,
        )
    return [
        {"objectType": "Agent", "account": {"homePage": settings.LMS_SITE_URL, "name": name}}
        for name in LearnerIdentity.objects.filter(user__username__startswith="bench-")
        .order_by("user_id")
        .values_list("account_name", flat=True)
    ]


def learner_stream(rng: random.Random, actor: dict, outline, start: datetime) -> list[dict]:
    """A learner working through a course; a third stop half-way."""
    lessons = outline.lessons
    stop = len(lessons) if rng.random() > 0.33 else len(lessons) // 2
    stream = []
    moment = start
    for lesson in lessons[:stop]:

        def add(verb: str, result: dict | None = None, iri: str = lesson.activity_id) -> None:
            nonlocal moment
            moment += timedelta(seconds=rng.randint(30, 600))
            statement = {
                "id": str(uuid.uuid4()),
                "actor": actor,
                "verb": {"id": ADL + verb, "display": {"en-US": verb}},
                "object": {"objectType": "Activity", "id": iri},
                "context": {
                    "contextActivities": {"grouping": [{"id": outline.activity_id}]},
                    "platform": "Capacita",
                },
                "timestamp": to_iso(moment),
            }
            if result:
                statement["result"] = result
            stream.append(statement)

        add("experienced")
        add("progressed", {"extensions": {PROGRESS: 50}})
        if lesson.has_knowledge_check:
            scaled = round(rng.uniform(0.6, 1.0), 2)
            passed = scaled >= 0.7
            add(
                "answered",
                {
                    "success": passed,
                    "score": {"scaled": scaled, "raw": scaled * 10, "min": 0, "max": 10},
                },
                iri=f"{lesson.activity_id}/checks/kc",
            )
            add(
                "passed" if passed else "failed",
                {
                    "success": passed,
                    "score": {"scaled": scaled, "raw": scaled * 10, "min": 0, "max": 10},
                },
            )
        add("completed", {"completion": True, "extensions": {PROGRESS: 100}})
    return stream


def copy_statements(statements: list[dict]) -> None:
    """Write statements straight into the LRS tables (as the LRS would), without the engine."""
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM progress_statement")
        first_id = cursor.fetchone()[0] + 1
    now = datetime.now(UTC)
    rows, agents, activities = [], [], []
    for offset, data in enumerate(statements):
        pk = first_id + offset
        data = {**data, "stored": to_iso(now), "authority": AUTHORITY, "version": "1.0.3"}
        rows.append(
            (
                pk,
                data["id"],
                json.dumps(data),
                agent_ifi(data["actor"]),
                data["verb"]["id"],
                data["object"]["id"],
                None,
                None,
                False,
                False,
                False,
                now,
                datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00")),
                None,
                None,
            )
        )
        add_side_rows(pk, data, agents, activities, now)
    copy_statement_rows(raw, rows, agents, activities)
    with raw.cursor() as cur:
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('progress_statement', 'id'), "
            "(SELECT MAX(id) FROM progress_statement))"
        )
    raw.commit()


class Filler:
    """Fills the store up to a size with learners' course streams (deterministic)."""

    def __init__(self, outlines: list, actors: list[dict]) -> None:
        self.rng = random.Random(2026)
        self.outlines = outlines
        self.actors = actors[MEASURE_LEARNERS * 2 :]  # the first ones are kept for measuring
        self.pair = 0
        self.start = datetime(2026, 1, 1, tzinfo=UTC)

    def fill_to(self, size: int) -> float:
        started = time.monotonic()
        while (have := Statement.objects.count()) < size:
            batch: list[dict] = []
            while len(batch) < min(50_000, size - have):
                actor = self.actors[self.pair % len(self.actors)]
                outline = self.outlines[(self.pair // len(self.actors)) % len(self.outlines)]
                self.pair += 1
                batch.extend(learner_stream(self.rng, actor, outline, self.start))
            copy_statements(batch[: size - have])
            print(f"  store: {have + len(batch[: size - have])} statements", flush=True)
        with connection.cursor() as cursor:
            for table in (
                "progress_statement",
                "progress_statementagent",
                "progress_statementactivity",
            ):
                cursor.execute(f"ANALYZE {table}")
        return time.monotonic() - started


def measure(outlines: list, actors: list[dict], round_: int) -> dict:
    """Store fresh learners' statements one by one; time the engine's part and the whole call."""
    engine_times: list[float] = []
    engine_queries: list[int] = []
    total_times: list[float] = []
    original = receivers.apply_statements

    def timed(statements):  # the engine's part of the statements_stored receiver
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            begun = time.perf_counter()
            original(statements)
            engine_times.append(time.perf_counter() - begun)
        engine_queries.append(len(queries))

    receivers.apply_statements = timed
    rng = random.Random(round_)
    try:
        for index in range(MEASURE_LEARNERS):
            actor = actors[round_ * MEASURE_LEARNERS + index]
            stream = learner_stream(
                rng, actor, outlines[index % len(outlines)], datetime(2026, 2, 1, tzinfo=UTC)
            )
            for statement in stream:
                begun = time.perf_counter()
                statements_store(statements=[statement])
                total_times.append(time.perf_counter() - begun)
    finally:
        receivers.apply_statements = original

    def summary(values: list[float]) -> dict:
        ordered = sorted(values)
        return {
            "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
        }

    return {
        "statements_timed": len(total_times),
        "engine": summary(engine_times),
        "engine_queries_max": max(engine_queries),
        "engine_queries_median": statistics.median(engine_queries),
        "statements_store_total": summary(total_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument(
        "--first-round", type=int, default=0, help="skip the measuring learners used before"
    )
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run the benchmark on PostgreSQL (DATABASE_URL)"
    call_command("migrate", "--noinput", verbosity=0)
    outlines = build_content()
    actors = build_learners()
    filler = Filler(outlines, actors)
    results = []
    for round_, size in enumerate(args.sizes):
        print(f"== {size} statements", flush=True)
        fill = filler.fill_to(size)
        begun = time.monotonic()
        call_command("recompute_progress", "--quiet")
        recompute = time.monotonic() - begun
        print(f"  recompute_progress: {recompute:.1f} s", flush=True)
        figures = measure(outlines, actors, args.first_round + round_)
        result = {
            "stored_statements": Statement.objects.count(),
            "fill_seconds": round(fill, 1),
            "recompute_seconds": round(recompute, 1),
            **figures,
        }
        print(json.dumps(result, indent=2), flush=True)
        results.append(result)
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
