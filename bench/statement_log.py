"""Progress off the request path: ingest of tracked vs untracked single POSTs, the engine's drain
rate over a sustained run, and how long after its POST a learner's statement shows in progress.

Run by bench/run_statement_log_bench.sh (gunicorn + PostgreSQL + real Celery workers on Redis):

    .venv/bin/python bench/statement_log.py setup
    .venv/bin/python bench/statement_log.py post --mode untracked|tracked --duration 60 \
        --url http://127.0.0.1:8002/xapi/ --key K --secret S

``tracked`` POSTs statements of real, enrolled learners on the real lesson IRIs of five real
courses (each client walks learners through lessons: experienced, progressed, answered,
passed/failed, completed); ``untracked`` POSTs the LRS bench's synthetic statements nobody
tracks. In tracked mode a sampler marks one POST in ten and measures the time from its answer
until its evidence row is in the progress tables ("progress visible"), and a monitor reads the
engine's backlog (pending log deliveries) every 5 s. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
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

from django.db import connection  # noqa: E402
from lrs_load import Connection, statement_templates  # noqa: E402

N_LEARNERS = 2000


def setup() -> None:
    """Five real courses and N enrolled learners (idempotent); prints the count."""
    import progress_engine  # sets up courses and learners the same way

    from courses.models import CoursePage
    from learners.models import Enrollment
    from lrs.models import LearnerIdentity

    progress_engine.N_LEARNERS = N_LEARNERS
    outlines = progress_engine.build_content()
    progress_engine.build_learners()
    courses = list(CoursePage.objects.order_by("pk")[: len(outlines)])
    users = list(
        LearnerIdentity.objects.filter(user__username__startswith="bench-")
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    have = set(Enrollment.objects.values_list("user_id", "course_id"))
    Enrollment.objects.bulk_create(
        [
            Enrollment(user_id=user_id, course=courses[i % len(courses)])
            for i, user_id in enumerate(users)
            if (user_id, courses[i % len(courses)].pk) not in have
        ],
        batch_size=5000,
    )
    print(json.dumps({"learners": len(users), "courses": len(courses)}))


def tracked_plan() -> tuple[list[dict], list]:
    import progress_engine

    from courses.selectors import course_outline
    from learners.models import Enrollment
    from lrs.models import LearnerIdentity

    names = dict(LearnerIdentity.objects.values_list("user_id", "account_name"))
    site = django.conf.settings.LMS_SITE_URL
    plan = []
    outlines: dict[int, object] = {}
    for user_id, course_id in Enrollment.objects.filter(
        user__username__startswith="bench-"
    ).values_list("user_id", "course_id"):
        if course_id not in outlines:
            outlines[course_id] = course_outline(course_id=course_id)
        actor = {"objectType": "Agent", "account": {"homePage": site, "name": names[user_id]}}
        plan.append({"actor": actor, "outline": outlines[course_id]})
    return plan, [progress_engine.learner_stream]


def run_posts(args: argparse.Namespace) -> dict:
    tracked = args.mode == "tracked"
    if tracked:
        plan, (stream_of,) = tracked_plan()
        random.Random(args.seed).shuffle(plan)
    else:
        templates = statement_templates(5000)
    stop_at = time.monotonic() + args.duration
    lock = threading.Lock()
    counts = [0] * args.clients
    errors: list[str] = []
    samples: list[tuple[str, float]] = []  # (statement id, answered at)

    def worker(index: int) -> None:
        conn = Connection(args.url, args.key, args.secret)
        rng = random.Random(args.seed * 100 + index)
        queue: list[dict] = []
        learners = plan[index :: args.clients] if tracked else []
        next_learner = 0
        sent = 0
        while time.monotonic() < stop_at:
            if tracked:
                if not queue:
                    if next_learner >= len(learners):
                        next_learner = 0
                    entry = learners[next_learner]
                    next_learner += 1
                    start = datetime.now(UTC) - timedelta(days=1)
                    queue = stream_of(rng, entry["actor"], entry["outline"], start)
                statement = queue.pop(0)
                statement["id"] = str(uuid.uuid4())
                body = json.dumps(statement).encode()
            else:
                statement = None
                body = ('{"id":"%s",%s' % (uuid.uuid4(), rng.choice(templates))).encode()  # noqa: UP031
            status, content = conn.request("POST", "statements", body)
            if status != 200:
                with lock:
                    errors.append(f"{status} {content[:200]!r}")
                continue
            answered = time.monotonic()
            sent += 1
            counts[index] = sent
            if tracked and sent % 10 == 0 and statement and _is_evidence(statement):
                with lock:
                    samples.append((statement["id"], answered))

    visible: list[float] = []
    backlog: list[tuple[float, int]] = []
    done = threading.Event()

    def sampler() -> None:
        # Polls the marked statements until their evidence row exists (the engine applied them).
        waiting: dict[str, float] = {}
        while not done.is_set() or waiting:
            with lock:
                while samples:
                    sid, at = samples.pop()
                    waiting[sid] = at
            if waiting:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT statement_id::text FROM progress_progressevidence "
                        "WHERE statement_id = ANY(%s::uuid[])",
                        [list(waiting)],
                    )
                    now = time.monotonic()
                    for (sid,) in cursor.fetchall():
                        visible.append(now - waiting.pop(sid))
                for sid, at in list(waiting.items()):
                    if time.monotonic() - at > 120:
                        waiting.pop(sid)
                        visible.append(float("inf"))
            if done.is_set() and time.monotonic() > stop_at + 180:
                break
            time.sleep(0.05)

    def monitor() -> None:
        started = time.monotonic()
        while not done.is_set():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM lrs_statementlogdelivery "
                    "WHERE consumer = 'progress' AND status = 'pending'"
                )
                backlog.append((round(time.monotonic() - started), cursor.fetchone()[0]))
            done.wait(5)

    extra = [threading.Thread(target=sampler), threading.Thread(target=monitor)] if tracked else []
    for thread in extra:
        thread.start()
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(counts)
    result: dict = {
        "mode": args.mode,
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "statements": total,
        "statements_per_s": round(total / elapsed, 1),
        "errors": len(errors),
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }
    if tracked:
        # Drain after the load stops: how long the backlog takes to empty.
        drain_started = time.monotonic()
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT count(*) FROM lrs_statementlogdelivery "
                    "WHERE consumer = 'progress' AND status = 'pending'"
                )
                left = cursor.fetchone()[0]
                if left == 0 or time.monotonic() - drain_started > 300:
                    break
                time.sleep(0.5)
        done.set()
        for thread in extra:
            thread.join()
        finite = sorted(v for v in visible if v != float("inf"))
        result.update(
            {
                "backlog_every_5s": [n for _, n in backlog],
                "backlog_max": max((n for _, n in backlog), default=0),
                "backlog_at_end_of_load": backlog[-1][1] if backlog else None,
                "drain_after_load_s": round(time.monotonic() - drain_started, 1),
                "left_pending": left,
                "visible_n": len(visible),
                "visible_lost": len(visible) - len(finite),
                "visible_p50_s": round(statistics.median(finite), 3) if finite else None,
                "visible_p95_s": round(statistics.quantiles(finite, n=20)[18], 3)
                if len(finite) >= 20
                else None,
                "visible_max_s": round(finite[-1], 3) if finite else None,
            }
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM lrs_statementlogentry")
            (entries,) = cursor.fetchone()
        result["log_entries_total"] = entries
    if errors:
        print("first errors:", errors[:3], file=sys.stderr)
    return result


TRACKED_VERBS = ("experienced", "progressed", "completed", "passed", "failed")


def _is_evidence(statement: dict) -> bool:
    # The lesson statements the engine keeps as evidence (the answered one is about a check).
    return statement["verb"]["id"].rsplit("/", 1)[-1] in TRACKED_VERBS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["setup", "post"])
    parser.add_argument("--mode", choices=["tracked", "untracked"], default="tracked")
    parser.add_argument("--url", default="http://127.0.0.1:8002/xapi/")
    parser.add_argument("--key", default="")
    parser.add_argument("--secret", default="")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    if args.command == "setup":
        setup()
        return
    print(json.dumps(run_posts(args)))


if __name__ == "__main__":
    main()
