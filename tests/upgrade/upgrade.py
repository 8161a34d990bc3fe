"""Upgrade check: a database made by the code of an earlier commit, migrated by this code,
must hold every row and give every answer it gave before (issue 12).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python tests/upgrade/upgrade.py

Steps, each a subprocess on the same .venv (the dependencies are the same), on a PostgreSQL
database of its own that is dropped at the end:

1. ``git archive`` of the base commit into a temporary folder (the *old tree*);
2. with the old tree: ``manage.py migrate``, ``manage.py load_demo``, ``manage.py lrs_client
   create``, then ``populate.py`` (statements, documents, a teacher finishing a course, a
   withdrawn enrolment, voided statements, ``refresh_reports``, an export);
3. ``snapshot.py`` with the old tree: every row and every answer;
4. with this checkout: ``manage.py migrate``, then ``snapshot.py`` again;
5. compare the two snapshots and list every difference.

populate.py and snapshot.py import no Capacita module (raw SQL, HTTP through
django.test.Client, management commands), so they run unchanged on both trees whatever the
layout of the apps.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# The commit before the split of progress/ into lrs/, learners/, progress/ and reports/ (issue
# 12): main as it was when the split started. Databases made at this commit must upgrade to
# the split code with every row and answer intact. Override with LMS_UPGRADE_FROM.
BASE_COMMIT = "7dd445f"
# Content types of models the split moves keep their ids but get the new app's label.
RELABELLED_APPS = {"progress": {"lrs", "learners", "reports"}}
# Columns later migrations add to existing tables, each a copy of a column of the row another
# column points at: (table, column) → (source table, pointer column, source column). The upgrade
# must fill every row's copy from its source (checked row by row), and the table's key may
# grow by that column; nothing else about its rows may change.
DERIVED_COLUMNS = {
    # lrs 0008: an agent's statements in stored order, from the agent table's key.
    ("progress_statementagent", "stored"): ("progress_statement", "statement_id", "stored"),
}
# Static files that moved with their app in the split (their URLs in pages change, nothing else).
MOVED_STATIC = {
    "/static/progress/accounts.css": "/static/learners/accounts.css",
    "/static/progress/accounts.js": "/static/learners/accounts.js",
    "/static/progress/reports.css": "/static/reports/reports.css",
    "/static/progress/mexico-states.svg": "/static/reports/mexico-states.svg",
}


def moved_static(value: Any) -> Any:
    """``value`` (an answer from before the upgrade) with the moved static files' new URLs."""
    if isinstance(value, str):
        for old, new in MOVED_STATIC.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: moved_static(item) for key, item in value.items()}
    if isinstance(value, list):
        return [moved_static(item) for item in value]
    return value


# The staff user populate.py awards and revokes a credential as (no password: it signs in
# through a session made directly).
ADMIN = "upgrade-admin"
STEP_TIMEOUT = 600
MAX_DIFFERENCES = 200


class UpgradeError(RuntimeError):
    """A step failed (a command's exit status, a missing commit): not a difference."""


def base_commit() -> str:
    return os.environ.get("LMS_UPGRADE_FROM", "").strip() or BASE_COMMIT


# --- database ---------------------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql", "postgis")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _admin_connection(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def server_reachable(url: str) -> str | None:
    """None when the PostgreSQL server of ``url`` answers, else why not."""
    try:
        with _admin_connection(url) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:  # any failure to connect means "not reachable"
        return f"{type(exc).__name__}: {exc}"
    return None


def create_database(url: str, name: str) -> None:
    with _admin_connection(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    with _admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_name() -> str:
    """Unique per run, so parallel runs (pytest -n, two CI jobs) never share a database."""
    prefix = os.environ.get("LMS_UPGRADE_DATABASE_PREFIX", "capacita_upgrade_")
    return f"{prefix}{os.getpid()}_{uuid.uuid4().hex[:8]}"


# --- trees and steps --------------------------------------------------------------------------


def export_tree(commit: str, dest: Path, repository: Path = ROOT) -> None:
    """The files of ``commit`` in ``dest`` (git archive: no .git, no untracked files)."""
    dest.mkdir(parents=True)
    try:
        archive = subprocess.run(
            ["git", "-C", str(repository), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
            timeout=STEP_TIMEOUT,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        stderr = getattr(exc, "stderr", b"") or b""
        raise UpgradeError(
            f"git archive {commit} failed (the check needs the repository's history): "
            f"{exc} {stderr.decode(errors='replace')}"
        ) from exc
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def step_environment(database_url: str, media: Path) -> dict[str, str]:
    """The embedded defaults on a PostgreSQL database: eager Celery, files on disk, no replica,
    no forwarding, whatever the caller's environment (CI's services step sets them all) or a
    .env file says. The same hash seed in every step, so nothing depends on set order."""
    dropped = ("DATABASE", "REPORTS_", "CELERY", "REDIS", "AWS_", "LMS_", "DJANGO_", "EMAIL_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.pop("PYTHONPATH", None)
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.base",
        DATABASE_URL=database_url,
        REPORTS_DATABASE_URL="",
        CELERY_BROKER_URL="",
        REDIS_URL="",
        AWS_STORAGE_BUCKET_NAME="",
        LMS_LRS_FORWARD_URL="",
        LMS_SITE_URL="http://testserver",
        LMS_MEDIA_ROOT=str(media),
        LMS_DEMO_PASSWORD="",
        DJANGO_ALLOWED_HOSTS="testserver",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


class Steps:
    """Runs each step as a subprocess, keeping its output in ``logs/``."""

    def __init__(self, workdir: Path, env: dict[str, str], *, echo: bool = False) -> None:
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.echo = echo
        self.count = 0

    def run(self, label: str, args: list[str], cwd: Path) -> str:
        self.count += 1
        log = self.logs / f"{self.count:02d}-{label}.log"
        if self.echo:
            print(f"--> {label}: {' '.join(args)}", flush=True)
        result = subprocess.run(
            [sys.executable, *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
        )
        log.write_text(f"$ {' '.join(args)}\n{result.stdout}\n--- stderr ---\n{result.stderr}")
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise UpgradeError(f"{label} exited with {result.returncode} (log {log}):\n{tail}")
        return result.stdout

    def manage(self, label: str, tree: Path, *command: str) -> str:
        return self.run(label, [str(tree / "manage.py"), *command], cwd=tree)

    def script(self, label: str, name: str, tree: Path, *arguments: str) -> str:
        return self.run(label, [str(HERE / name), "--code", str(tree), *arguments], cwd=tree)


def run_upgrade(
    server_url: str,
    workdir: Path,
    *,
    commit: str | None = None,
    new_tree: Path = ROOT,
    echo: bool = False,
    keep_database: bool = False,
) -> list[str]:
    """Populate a database with ``commit``'s code, migrate it with ``new_tree``'s, and return
    every difference between the two snapshots (empty: the upgrade kept everything)."""
    commit = commit or base_commit()
    old_tree = workdir / "old"
    export_tree(commit, old_tree)
    name = database_name()
    database_url = with_database(server_url, name)
    create_database(server_url, name)
    try:
        steps = Steps(workdir, step_environment(database_url, workdir / "media"), echo=echo)
        steps.manage("old-migrate", old_tree, "migrate", "--noinput")
        steps.manage("old-load-demo", old_tree, "load_demo")
        created = steps.manage(
            "old-lrs-client", old_tree, "lrs_client", "create", "Herramienta de la actualización"
        )
        steps.manage(
            "old-superuser",
            old_tree,
            "createsuperuser",
            "--noinput",
            "--username",
            ADMIN,
            "--email",
            f"{ADMIN}@example.invalid",
        )
        client = workdir / "lrs-client.json"
        client.write_text(created.strip().splitlines()[-1])
        facts = workdir / "facts.json"
        steps.script(
            "old-populate",
            "populate.py",
            old_tree,
            "--lrs-client",
            str(client),
            "--out",
            str(facts),
            "--admin",
            ADMIN,
        )
        before = workdir / "before.json"
        steps.script(
            "old-snapshot", "snapshot.py", old_tree, "--facts", str(facts), "--out", str(before)
        )
        steps.manage("new-migrate", new_tree, "migrate", "--noinput")
        after = workdir / "after.json"
        steps.script(
            "new-snapshot", "snapshot.py", new_tree, "--facts", str(facts), "--out", str(after)
        )
        return compare(json.loads(before.read_text()), json.loads(after.read_text()))
    finally:
        if keep_database:
            print(f"kept database {name}", file=sys.stderr)
        else:
            drop_database(server_url, name)


# --- comparison -------------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."


def diff_values(
    before: Any, after: Any, path: str, *, new_keys_allowed: bool = False
) -> Iterator[str]:
    """Every place where ``after`` differs from ``before``, as readable lines. With
    ``new_keys_allowed`` a key only ``after`` has (a field the new code adds to an answer) is
    not a difference; every key ``before`` had must still be there, with the same value."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}"
            if key not in after:
                yield f"{where}: gone (was {_short(before[key])})"
            elif key not in before:
                if not new_keys_allowed:
                    yield f"{where}: new ({_short(after[key])})"
            else:
                yield from diff_values(
                    before[key], after[key], where, new_keys_allowed=new_keys_allowed
                )
    elif isinstance(before, list) and isinstance(after, list):
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            yield from diff_values(old, new, f"{path}[{index}]", new_keys_allowed=new_keys_allowed)
        if len(before) != len(after):
            yield f"{path}: {len(before)} items before, {len(after)} after"
            for index in range(len(after), len(before)):
                yield f"{path}[{index}]: gone (was {_short(before[index])})"
            for index in range(len(before), len(after)):
                yield f"{path}[{index}]: new ({_short(after[index])})"
    elif before != after or type(before) is not type(after):
        yield f"{path}: {_short(before)} → {_short(after)}"


def _content_types(before: list[dict], after: list[dict]) -> Iterator[str]:
    """(id, model) must be the same; the app label may only move as the split moves it."""
    old = {row["id"]: row for row in before}
    new = {row["id"]: row for row in after}
    for key in sorted(set(old) | set(new)):
        if key not in new:
            yield f"django_content_type id={key}: gone (was {_short(old[key])})"
        elif key not in old:
            yield f"django_content_type id={key}: new ({_short(new[key])})"
        elif old[key]["model"] != new[key]["model"]:
            yield f"django_content_type id={key}: model {old[key]['model']} → {new[key]['model']}"
        elif old[key]["app"] != new[key]["app"] and new[key]["app"] not in RELABELLED_APPS.get(
            old[key]["app"], ()
        ):
            yield f"django_content_type id={key}: app {old[key]['app']} → {new[key]['app']}"


def _derived(table: str, rows: list[dict], tables: dict[str, Any]) -> tuple[list[dict], list[str]]:
    """``rows`` without the columns DERIVED_COLUMNS declares for ``table``, and a line for
    every row whose copy differs from its source."""
    derived = {c: src for (t, c), src in DERIVED_COLUMNS.items() if t == table}
    if not derived:
        return rows, []
    problems: list[str] = []
    sources: dict[str, dict[Any, dict]] = {}
    for source_table, _, _ in derived.values():
        source_rows = tables.get(source_table, {}).get("rows", [])
        sources[source_table] = {row["id"]: row for row in source_rows}
    kept = []
    for row in rows:
        row = dict(row)
        for column, (source_table, pointer, source_column) in derived.items():
            value = row.pop(column, None)
            source = sources[source_table].get(row.get(pointer))
            expected = None if source is None else source.get(source_column)
            if value != expected:
                problems.append(
                    f"{table} ({pointer}={row.get(pointer)}): {column} {_short(value)}, "
                    f"its {source_table}.{source_column} is {_short(expected)}"
                )
        kept.append(row)
    return kept, problems


def _rows(
    table: str,
    before: dict[str, Any],
    after: dict[str, Any],
    after_tables: dict[str, Any] | None = None,
) -> Iterator[str]:
    key = before["key"]
    grown = {c for (t, c) in DERIVED_COLUMNS if t == table}
    after_key = [c for c in after["key"] if c not in grown]
    if key != after_key:
        yield f"{table}: primary key {key} → {after['key']}"
    after_rows, problems = _derived(table, after["rows"], after_tables or {})
    yield from problems
    if not key:
        yield from diff_values(before["rows"], after_rows, table)
        return

    def index(rows: list[dict]) -> dict[str, dict]:
        return {", ".join(f"{c}={row.get(c)}" for c in key): row for row in rows}

    old, new = index(before["rows"]), index(after_rows)
    for row_key in old.keys() | new.keys():
        if row_key not in new:
            yield f"{table} ({row_key}): row gone: {_short(old[row_key])}"
        elif row_key not in old:
            yield f"{table} ({row_key}): new row: {_short(new[row_key])}"
        else:
            yield from diff_values(old[row_key], new[row_key], f"{table} ({row_key})")


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Every difference between two snapshots (snapshot.py), rows first, then answers.

    What was there must be there unchanged. The new code may only add: tables of its own (and
    the content types and permissions of their models), and fields in answers. A new row in a
    table that existed, a row or field gone, a value changed are differences."""
    found: list[str] = []

    def add(lines: Iterator[str]) -> None:
        for line in lines:
            found.append(line)

    old_tables, new_tables = before["rows"], after["rows"]
    old_types = {row["id"] for row in old_tables.get("django_content_type", {}).get("rows", [])}
    new_types = {
        row["id"] for row in new_tables.get("django_content_type", {}).get("rows", [])
    } - old_types
    for table in sorted(old_tables.keys() | new_tables.keys()):
        if table not in new_tables:
            found.append(f"table {table}: gone ({len(old_tables[table]['rows'])} rows)")
        elif table not in old_tables:
            continue  # a table of the new code's own
        elif table == "django_content_type":
            add(
                line
                for line in _content_types(old_tables[table]["rows"], new_tables[table]["rows"])
                if ": new (" not in line
            )
        elif table == "auth_permission":
            kept = {
                **new_tables[table],
                "rows": [
                    row
                    for row in new_tables[table]["rows"]
                    if row.get("content_type_id") not in new_types
                ],
            }
            add(sorted(_rows(table, old_tables[table], kept)))
        else:
            add(sorted(_rows(table, old_tables[table], new_tables[table], new_tables)))
    old_ahead, new_ahead = before["sequences_ahead"], after["sequences_ahead"]
    add(
        diff_values(
            old_ahead,
            {table: value for table, value in new_ahead.items() if table in old_ahead},
            "sequence ahead of",
        )
    )
    old_answers, new_answers = before["answers"], after["answers"]
    for name in sorted(old_answers.keys() | new_answers.keys()):
        if name not in new_answers:
            found.append(f"answer {name!r}: not asked after the upgrade")
        elif name not in old_answers:
            found.append(f"answer {name!r}: not asked before the upgrade")
        else:
            old_answer = moved_static(old_answers[name])
            add(
                diff_values(
                    old_answer, new_answers[name], f"answer {name!r}", new_keys_allowed=True
                )
            )
    return found


def report(differences: list[str]) -> str:
    shown = differences[:MAX_DIFFERENCES]
    more = len(differences) - len(shown)
    lines = [f"{len(differences)} differences after the upgrade:", *shown]
    if more:
        lines.append(f"... and {more} more")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="commit", default=None, help=f"default {BASE_COMMIT}")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="any database URL of the PostgreSQL server to use (default: DATABASE_URL)",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep the files here")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="capacita-upgrade-"))
    differences = run_upgrade(
        args.database_url,
        workdir,
        commit=args.commit,
        echo=True,
        keep_database=args.keep_database,
    )
    print(f"files in {workdir}")
    if differences:
        print(report(differences))
        return 1
    print("every row and every answer the same")
    return 0


if __name__ == "__main__":
    sys.exit(main())
