"""Synthetic national-scale data for the report benchmark (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_reports \
        .venv/bin/python bench/reports_generate.py [--teachers 200000 --schools 10000 \
        --courses 50 --enrollments 2000000 --statement-share 1.0 --seed 7] [--scale 2]

``--scale N`` multiplies teachers, schools and enrolments (not courses): ``--scale 2`` is the
2x national scale the report targets are set at (400,000 teachers, 20,000 schools,
4,000,000 enrolments).

Creates the database if needed, migrates it, then COPYs: users, schools, teacher profiles
(no names, no CURP: the benchmark needs none), course tags, enrolments when the Enrollment
model exists (then ``report_facts_rebuild`` builds the facts and is timed), otherwise the
report facts directly, and xAPI statements into the LRS statement table when it exists
(a realistic count per enrolment: 1 for enrolled only, 4-8 for started, 10-14 for completed;
``--statement-share`` keeps that share of enrolments' statements to bound disk and time).

Distributions: schools per state roughly follow population; subsystems weighted (DGETI,
CONALEP, CECyTE most); about 20 teachers per school; course popularity Zipf-like; 24 months
of enrolments; 80 % start, 45 % complete (days to complete log-normal, median about 30),
90 % of completions credentialed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/capacita_bench_reports"

# Relative weights by INEGI code (close to each state's share of the population).
STATE_WEIGHTS = {
    "01": 1.1,
    "02": 3.0,
    "03": 0.6,
    "04": 0.7,
    "05": 2.5,
    "06": 0.6,
    "07": 4.4,
    "08": 3.0,
    "09": 7.3,
    "10": 1.5,
    "11": 4.9,
    "12": 2.8,
    "13": 2.5,
    "14": 6.6,
    "15": 13.5,
    "16": 3.8,
    "17": 1.6,
    "18": 1.0,
    "19": 4.6,
    "20": 3.3,
    "21": 5.3,
    "22": 1.9,
    "23": 1.5,
    "24": 2.2,
    "25": 2.4,
    "26": 2.3,
    "27": 1.9,
    "28": 2.8,
    "29": 1.1,
    "30": 6.4,
    "31": 1.9,
    "32": 1.3,
}
SUBSYSTEM_WEIGHTS = {
    "dgeti": 30,
    "conalep": 20,
    "cecyte": 25,
    "uemstaycm": 10,
    "ipn": 2,
    "ceti": 1,
    "dgcft": 7,
    "otro": 5,
}
SECTORS = [
    "textil",
    "calzado",
    "farmaceutico",
    "dispositivos-medicos",
    "automotriz",
    "aeroespacial",
    "quimico",
    "petroquimico",
    "consumo",
    "agroindustria",
    "energia",
    "industrias-creativas",
    "tecnologias-de-la-informacion",
]
TOPICS = [
    "inteligencia-artificial",
    "ciberseguridad",
    "iot",
    "manufactura-aditiva",
    "robotica",
    "ciencia-de-datos",
    "nube",
    "electromovilidad",
]
KIND = {"dgeti": "DCT", "conalep": "DPT", "cecyte": "ECT", "uemstaycm": "DTA"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=200_000)
    parser.add_argument("--schools", type=int, default=10_000)
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--enrollments", type=int, default=2_000_000)
    parser.add_argument("--statement-share", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply teachers, schools and enrolments"
    )
    args = parser.parse_args()
    for name in ("teachers", "schools", "enrollments"):
        setattr(args, name, round(getattr(args, name) * args.scale))
    return args


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as sink:
        for row in rows:
            sink.write_row(row)
            count += 1
    return count


def cct(state: str, subsystem: str, number: int) -> str:
    from learners.validators import cct_check_letter

    base = f"{state}{KIND.get(subsystem, 'DIT')}{number % 10000:04d}"
    return base + cct_check_letter(base)


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    started = time.monotonic()
    setup_django(url)
    from django.db import connection

    from learners.models import School, Subsystem, TeacherProfile
    from reports.models import ReportCourseTag, ReportFact

    rng = random.Random(args.seed)
    connection.ensure_connection()
    raw = connection.connection
    if ReportFact.objects.exists():
        print("facts already present: drop the database to regenerate", file=sys.stderr)
        return
    subsystems = dict(Subsystem.objects.values_list("code", "pk"))
    codes = list(SUBSYSTEM_WEIGHTS)
    weights = [SUBSYSTEM_WEIGHTS[c] for c in codes]
    states = list(STATE_WEIGHTS)
    state_weights = [STATE_WEIGHTS[s] for s in states]

    # Schools.
    now = dt.datetime.now(dt.UTC)
    school_rows = []
    used: set[str] = set()
    for index in range(args.schools):
        state = rng.choices(states, state_weights)[0]
        code = rng.choices(codes, weights)[0]
        number = index
        key = cct(state, code, number)
        while key in used:
            number += 10_000
            key = cct(state, code, rng.randrange(10_000))
        used.add(key)
        school_rows.append((index + 1, key, f"Plantel {index + 1}", state, subsystems[code]))
    with raw.cursor() as cursor:
        copy(
            cursor,
            School._meta.db_table,
            [
                "id",
                "cct",
                "name",
                "state",
                "municipality",
                "subsystem_id",
                "cct_check_letter_ok",
                "created_at",
                "updated_at",
            ],
            ((i, c, n, s, "", sub, True, now, now) for i, c, n, s, sub in school_rows),
        )
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{School._meta.db_table}', 'id'), %s)",
            [args.schools],
        )
    print(f"schools: {args.schools}", flush=True)

    # Users and teacher profiles (no names, no e-mail, no CURP).
    teacher_school = [rng.randrange(args.schools) for _ in range(args.teachers)]
    with raw.cursor() as cursor:
        copy(
            cursor,
            "auth_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (i + 1, "!", False, f"bench{i + 1}", "", "", "", False, True, now)
                for i in range(args.teachers)
            ),
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('auth_user', 'id'), %s)", [args.teachers]
        )
        profile_columns = [f.column for f in TeacherProfile._meta.concrete_fields]
        defaults = {
            "id": None,
            "curp": None,
            "first_name": "",
            "paternal_surname": "",
            "maternal_surname": "",
            "position": "docente",
            "created_at": now,
            "updated_at": now,
            "cancelled_at": None,
        }

        def profiles():
            for i in range(args.teachers):
                school = school_rows[teacher_school[i]]
                values = {
                    **defaults,
                    "id": i + 1,
                    "user_id": i + 1,
                    "state": school[3],
                    "subsystem_id": school[4],
                    "school_id": school[0],
                }
                yield tuple(values.get(column) for column in profile_columns)

        copy(cursor, TeacherProfile._meta.db_table, profile_columns, profiles())
    print(f"teachers: {args.teachers}", flush=True)

    # Courses: real course pages (enrolments point at them), each with one or two sectors and
    # one topic; the report tags are what the refresh copies from the pages.
    course_facets = [
        (rng.sample(SECTORS, rng.choice((1, 1, 2))), rng.choice(TOPICS))
        for _ in range(args.courses)
    ]
    course_ids = create_courses(course_facets)
    tags = []
    for course_id, (sectors, topic) in zip(course_ids, course_facets, strict=True):
        for sector in sectors:
            tags.append(
                ReportCourseTag(
                    course_id=course_id,
                    kind="sector",
                    slug=sector,
                    name=sector.replace("-", " ").title(),
                )
            )
        tags.append(
            ReportCourseTag(
                course_id=course_id,
                kind="topic",
                slug=topic,
                name=topic.replace("-", " ").title(),
            )
        )
    ReportCourseTag.objects.bulk_create(tags)
    print(f"courses: {len(course_ids)}", flush=True)

    # Enrolments: unique (teacher, course); course popularity Zipf-like.
    course_weights = [1 / (rank**0.8) for rank in range(1, args.courses + 1)]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    span_days = 730
    per_teacher = args.enrollments / args.teachers

    # Courses per teacher: about normal around the mean, then nudged to the exact total.
    per_course = [
        max(1, min(args.courses, round(rng.gauss(per_teacher, 3)))) for _ in range(args.teachers)
    ]
    missing = args.enrollments - sum(per_course)
    while missing:
        i = rng.randrange(args.teachers)
        if missing > 0 and per_course[i] < args.courses:
            per_course[i] += 1
            missing -= 1
        elif missing < 0 and per_course[i] > 1:
            per_course[i] -= 1
            missing += 1

    def enrolments():
        enrollment_id = 0
        for teacher in range(args.teachers):
            wanted = per_course[teacher]
            courses: set[int] = set()
            while len(courses) < wanted:
                courses.add(rng.choices(range(1, args.courses + 1), course_weights)[0])
            school = school_rows[teacher_school[teacher]]
            for course in courses:
                enrollment_id += 1
                enrolled = start + dt.timedelta(seconds=rng.randrange(span_days * 86400))
                started_at = completed = credentialed = None
                hours = 0.0
                if rng.random() < 0.8:
                    started_at = enrolled + dt.timedelta(hours=rng.expovariate(1 / 48))
                    hours = round(rng.uniform(0.5, 8), 1)
                    if rng.random() < 0.5625:  # 45 % of all
                        days = max(0, int(rng.lognormvariate(math.log(30), 0.6)))
                        completed = enrolled + dt.timedelta(days=days, hours=1)
                        hours = float(10 + course % 4 * 10)
                        if rng.random() < 0.9:
                            credentialed = completed + dt.timedelta(minutes=5)
                yield (
                    enrollment_id,
                    teacher + 1,
                    course_ids[course - 1],
                    school,
                    enrolled,
                    started_at,
                    completed,
                    credentialed,
                    hours,
                )

    rows = list(enrolments())
    print(f"enrolments generated: {len(rows)}", flush=True)
    if not write_enrollments(raw, rows):
        write_facts(raw, rows)
    write_statements(raw, rows, args, rng)
    with raw.cursor() as cursor:
        cursor.execute("ANALYZE")
    raw.commit()
    print(f"data written in {time.monotonic() - started:.0f} s", flush=True)
    refresh_started = time.monotonic()
    from django.apps import apps

    if has_model(apps, "learners", "Enrollment"):
        from reports.refresh import report_facts_rebuild

        refresh = report_facts_rebuild()
        print(f"facts rebuilt from enrolments: {refresh.rows} rows", flush=True)
    else:
        from reports.snapshots import report_snapshots_refresh

        report_snapshots_refresh()
    print(f"beat refresh (facts + snapshots): {time.monotonic() - refresh_started:.0f} s")


def has_model(apps, app_label: str, name: str) -> bool:
    try:
        apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _month(value: dt.datetime | None) -> dt.date | None:
    return value.date().replace(day=1) if value else None


def write_facts(raw, rows) -> None:
    """No Enrollment model on this branch: write the report facts the rebuild would write."""
    from reports.models import ReportFact

    columns = [
        "enrollment_id", "user_id", "course_id", "state", "subsystem_id", "school_id",
        "enrolled_on", "enrolled_month", "started_on", "started_month", "completed_on",
        "completed_month", "credentialed_on", "credentialed_month", "days_to_complete",
        "hours_completed",
    ]  # fmt: skip

    def facts():
        for eid, user, course, school, enrolled, started, completed, credentialed, hours in rows:
            started = started or completed
            yield (
                eid, user, course, school[3], school[4], school[0],
                _day(enrolled), _month(enrolled), _day(started), _month(started),
                _day(completed), _month(completed), _day(credentialed), _month(credentialed),
                (completed.date() - enrolled.date()).days if completed else None,
                hours,
            )  # fmt: skip

    with raw.cursor() as cursor:
        copy(cursor, ReportFact._meta.db_table, columns, facts())
    print("facts copied (no Enrollment model: written directly)", flush=True)


def create_courses(facets: list[tuple[list[str], str]]) -> list[int]:
    """Publish one course page per entry under the Spanish catalog; returns their ids."""
    from django.utils.text import slugify
    from wagtail.models import Locale

    from courses.models import CatalogPage, CoursePage, Sector, Topic

    catalog = CatalogPage.objects.get(locale__language_code="es-mx")
    locale = Locale.objects.get(language_code="es-mx")

    def facet(model, slug: str):
        return model.objects.get_or_create(
            slug=slug, defaults={"name": slug.replace("-", " ").title()}
        )[0]

    ids = []
    for index, (sectors, topic) in enumerate(facets, start=1):
        title = f"Curso sintético {index}"
        course = CoursePage(
            title=title,
            slug=slugify(title),
            summary="Curso generado para el benchmark de reportes.",
            locale=locale,
        )
        catalog.add_child(instance=course)
        course.sectors.set([facet(Sector, slug) for slug in sectors])
        course.topics.set([facet(Topic, topic)])
        course.save_revision().publish()
        ids.append(course.pk)
    return ids


def write_enrollments(raw, rows) -> bool:
    """COPY enrolments into the Enrollment table when the model exists on this branch."""
    from django.apps import apps

    if not has_model(apps, "learners", "Enrollment"):
        return False
    model = apps.get_model("learners", "Enrollment")
    now = dt.datetime.now(dt.UTC)
    fields = {field.name: field for field in model._meta.concrete_fields}
    values = {
        "user": lambda r: r[1],
        "course": lambda r: r[2],
        "status": lambda r: "active",
        "enrolled_at": lambda r: r[4],
        "started_at": lambda r: r[5],
        "completed_at": lambda r: r[6],
        "credentialed_at": lambda r: r[7],
        "hours_completed": lambda r: r[8],
    }
    columns, getters = [], []
    for name, field in fields.items():
        if name == "id":
            columns.append(field.column)
            getters.append(lambda r: r[0])
        elif name in values:
            columns.append(field.column)
            getters.append(values[name])
        elif field.has_default():
            default = field.get_default()
            columns.append(field.column)
            getters.append(lambda r, d=default: now if callable(d) else d)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append(field.column)
            getters.append(lambda r: now)
        elif not field.null:
            print(f"Enrollment.{name} has no value in the generator: writing facts instead")
            return False
    with raw.cursor() as cursor:
        copy(cursor, model._meta.db_table, columns, ([g(r) for g in getters] for r in rows))
    print("enrolments copied", flush=True)
    return True


def write_statements(raw, rows, args, rng) -> None:
    """COPY xAPI statements for a share of the enrolments into the LRS table, if it exists."""
    from django.apps import apps

    try:
        statement_model = apps.get_model("lrs", "Statement")
    except LookupError:
        print("no LRS statement table on this branch: statements skipped", flush=True)
        return
    site = "https://capacita.example"
    verbs = "http://adlnet.gov/expapi/verbs/"
    columns = [
        "statement_id",
        "data",
        "actor_ifi",
        "verb",
        "activity",
        "registration",
        "voiding",
        "voided",
        "has_attachments",
        "stored",
        "timestamp",
        "user_id",
    ]

    def statements():
        for eid, user, course, _school, enrolled, started_at, completed, _cred, _h in rows:
            if rng.random() >= args.statement_share:
                continue
            plan = [("registered", enrolled)]
            if started_at:
                plan += [("launched", started_at), ("initialized", started_at)]
                plan += [
                    ("progressed", started_at + dt.timedelta(hours=h))
                    for h in range(1, rng.randint(2, 6))
                ]
            if completed:
                plan += [("progressed", completed - dt.timedelta(hours=1))] * rng.randint(3, 5)
                plan += [("completed", completed), ("passed", completed)]
            if started_at:
                plan.append(("terminated", (completed or started_at) + dt.timedelta(minutes=1)))
            registration = uuid.UUID(int=eid)
            actor = {"objectType": "Agent", "account": {"homePage": site, "name": f"u{user}"}}
            ifi = f"account::{site}|u{user}"
            activity = f"{site}/xapi/activities/course/{uuid.UUID(int=course)}"
            for verb, when in plan:
                statement_id = uuid.uuid4()
                data = {
                    "id": str(statement_id),
                    "actor": actor,
                    "verb": {"id": verbs + verb, "display": {"en-US": verb}},
                    "object": {"id": activity, "objectType": "Activity"},
                    "context": {"registration": str(registration)},
                    "timestamp": when.isoformat(),
                    "stored": when.isoformat(),
                    "authority": {
                        "objectType": "Agent",
                        "account": {"homePage": site, "name": "lms"},
                    },
                    "version": "1.0.3",
                }
                yield (
                    statement_id,
                    json.dumps(data),
                    ifi,
                    verbs + verb,
                    activity,
                    registration,
                    False,
                    False,
                    False,
                    when,
                    when,
                    user,
                )

    with raw.cursor() as cursor:
        count = copy(cursor, statement_model._meta.db_table, columns, statements())
    print(f"statements: {count}", flush=True)


if __name__ == "__main__":
    main()
