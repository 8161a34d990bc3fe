"""Shared fixtures: temporary media, a real S3-compatible server, a real Celery worker.

The same suite runs on the embedded defaults and against the real services of .ci/run; the
fixtures that need a real service start it themselves (S3) or use the one configured in the
environment (PostgreSQL, Redis), and skip only when it cannot be had outside CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))

from tests.support import hypothesis_profiles  # noqa: E402  (needs IN_CI; before test modules)

hypothesis_profiles.load(IN_CI)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every transactional test a serialized rollback.

    A transactional test (live server, worker process, real concurrency) ends with a flush.
    Unless every such test reloads the data the migrations made (locales, the catalog, groups,
    subsystems, content types), the next one starts without it; and a flush without serialized
    rollback re-creates content types with new ids, which the next serialized test then fails
    to load. So all of them use it, and the order of tests does not matter.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
            name in fixtures for name in ("transactional_db", "live_server")
        )
        if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
            kwargs = {
                **(marker.kwargs if marker is not None else {}),
                "transaction": True,
                "serialized_rollback": True,
            }
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def pytest_configure(config: pytest.Config) -> None:
    """A serialized transactional test starts from exactly the migration snapshot.

    Django reloads the snapshot at the start of such a test on the assumption that the last
    one left the database empty. A test that leaves rows behind in another way (a live server
    thread, a worker process, Wagtail or Celery writing after the test's own teardown) makes
    the reload clash with them (content types under other ids). An inhibited flush first makes
    the order of tests irrelevant.
    """
    from django.core.management import call_command
    from django.test import TransactionTestCase

    _flush_retries_on_deadlock()
    original = TransactionTestCase.__dict__["_fixture_setup"]
    if getattr(original, "_capacita_flush_first", False):
        return
    # A classmethod in Django 5.2 (set up once per class), an instance method before.
    is_classmethod = isinstance(original, classmethod)
    original_function = original.__func__ if is_classmethod else original

    def _fixture_setup(self: Any) -> None:
        from django.db import connections

        if self.serialized_rollback:
            for alias in self._databases_names(include_mirrors=False):
                if getattr(connections[alias], "_test_serialized_contents", None):
                    call_command(
                        "flush",
                        verbosity=0,
                        interactive=False,
                        database=alias,
                        inhibit_post_migrate=True,
                    )
        original_function(self)
        if self.serialized_rollback:
            # flush restarts PostgreSQL's sequences and the snapshot's rows came back with
            # their ids: move the sequences past them, or the test's first insert clashes.
            for alias in self._databases_names(include_mirrors=False):
                _reset_sequences(alias)
            # The content types came back under the snapshot's ids: forget the ids cached
            # since (a generic relation would otherwise resolve to another model, or to None).
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.clear_cache()

    _fixture_setup._capacita_flush_first = True  # type: ignore[attr-defined]
    replacement = classmethod(_fixture_setup) if is_classmethod else _fixture_setup
    replacement._capacita_flush_first = True  # type: ignore[union-attr]
    TransactionTestCase._fixture_setup = replacement  # type: ignore[method-assign,assignment]


def _flush_retries_on_deadlock() -> None:
    """A transactional test's flush (TRUNCATE on PostgreSQL) can deadlock with a write that
    arrives late: a request the browser sent as the test ended, or the Celery worker process
    finishing a task. PostgreSQL cancels one side; the flush is then simply tried again."""
    import time

    from django.core.management.base import CommandError
    from django.core.management.commands import flush

    handle = flush.Command.handle
    if getattr(handle, "_capacita_retries", False):
        return

    def retrying(self: Any, **options: Any) -> Any:
        for attempt in range(5):
            try:
                return handle(self, **options)
            except CommandError as error:
                if "deadlock detected" not in str(error.__cause__ or "") or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return None

    retrying._capacita_retries = True  # type: ignore[attr-defined]
    flush.Command.handle = retrying  # type: ignore[method-assign]


def _reset_sequences(alias: str = "default") -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connections

    connection = connections[alias]
    models = apps.get_models(include_auto_created=True)
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if not statements:
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _reload(snapshot: str) -> None:
    """Empty the tables without post-migrate signals (which would re-create content types
    that clash with the snapshot's), then load the snapshot, as serialized_rollback does."""
    from django.core.management import call_command
    from django.db import connection

    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(snapshot)
    # The rows came back with their ids: move PostgreSQL's sequences past them.
    _reset_sequences()
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _flushed() -> bool:
    from django.apps import apps

    if not apps.is_installed("wagtail"):
        return False  # a site without Wagtail (the LRS alone): no seeded pages to lose
    from wagtail.models import Page

    return not Page.objects.exists()


@pytest.fixture(scope="session", autouse=True)
def _migration_data_snapshot(request, django_db_setup, django_db_blocker) -> Iterator[str | None]:
    """What the migrations seeded (Wagtail's root and site, locales, catalogs, facets, groups),
    captured at session start and put back at the end if a transactional test (ours or another
    app's) flushed it, so a ``--reuse-db`` session never starts from an empty database."""
    from django.db import DEFAULT_DB_ALIAS, connection
    from pytest_django.fixtures import _get_databases_for_setup

    if DEFAULT_DB_ALIAS not in _get_databases_for_setup(request.session.items)[0]:
        # No test in this session uses the database (e.g. only tests/lms/test_settings.py):
        # no test database was created, so there is nothing to capture.
        yield None
        return
    with django_db_blocker.unblock():
        snapshot = None if _flushed() else connection.creation.serialize_db_to_string()
    yield snapshot
    if snapshot:
        with django_db_blocker.unblock():
            if _flushed():
                _reload(snapshot)


@pytest.fixture
def migration_data(_migration_data_snapshot, transactional_db) -> None:
    """For transactional tests: make sure the migration data is there (an earlier
    transactional test may have flushed it)."""
    if _migration_data_snapshot and _flushed():
        _reload(_migration_data_snapshot)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Every test writes files to its own temporary folder, never to media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def skip_or_fail(reason: str) -> None:
    """Outside CI a missing service skips the test; in CI it is a failure."""
    if IN_CI and os.environ.get("LMS_TEST_REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[dict[str, str]]:
    """A real S3-compatible server: the configured one, or SeaweedFS started for the session."""
    if os.environ.get("AWS_S3_ENDPOINT_URL") and os.environ.get("AWS_ACCESS_KEY_ID"):
        yield {
            "endpoint": os.environ["AWS_S3_ENDPOINT_URL"],
            "access_key": os.environ["AWS_ACCESS_KEY_ID"],
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        }
        return
    sys.path.insert(0, str(ROOT))
    from scripts import s3_server as s3

    try:
        server = s3.start(tmp_path_factory.mktemp("s3"))
    except Exception as exc:  # the binary is missing or cannot start here
        skip_or_fail(f"no S3-compatible server: {exc}")
    try:
        yield {
            "endpoint": server.endpoint,
            "access_key": server.access_key,
            "secret_key": server.secret_key,
        }
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_server, settings) -> Iterator[dict[str, str]]:
    """Point Django's default storage at a fresh bucket of the real S3 server."""
    import boto3
    from django.core.files.storage import storages
    from django.utils.functional import empty

    bucket = f"capacita-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server["endpoint"],
        aws_access_key_id=s3_server["access_key"],
        aws_secret_access_key=s3_server["secret_key"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = s3_server["endpoint"]
    settings.AWS_ACCESS_KEY_ID = s3_server["access_key"]
    settings.AWS_SECRET_ACCESS_KEY = s3_server["secret_key"]
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_S3_SIGNATURE_VERSION = "s3v4"
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "lms.storage.MediaStorage"},
    }
    storages._storages = {}
    storages.__dict__.pop("backends", None)
    from django.core.files import storage as storage_module

    storage_module.default_storage._wrapped = empty
    yield {**s3_server, "bucket": bucket, "client": client}
    storages._storages = {}
    storages.__dict__.pop("backends", None)
    storage_module.default_storage._wrapped = empty


@pytest.fixture
def worker_sees_s3(s3_storage, monkeypatch):
    """Hand the S3 bucket of ``s3_storage`` to a worker process (``celery_worker_process``)
    through its environment."""
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", s3_storage["bucket"])
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", s3_storage["endpoint"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_storage["access_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_storage["secret_key"])
    return s3_storage


def _broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def celery_workers(transactional_db, settings) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real Celery worker processes on the configured broker, using the test database:
    ``start(**env)`` starts one (``env`` adds to its environment) and waits for its ping. All
    share one queue of the test's own; those still running are stopped at the end.

    Needs CELERY_BROKER_URL (Redis in .ci/run) and a server database (PostgreSQL), since a
    separate process cannot see an in-memory SQLite test database.
    """
    from django.db import connection

    broker = _broker_url()
    if not broker:
        skip_or_fail("CELERY_BROKER_URL is not set: no real broker for a worker")
    if connection.vendor != "postgresql":
        skip_or_fail("a worker process needs a server database (PostgreSQL)")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or ''}:{db['PASSWORD'] or ''}@{db['HOST'] or ''}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from lms.celery import app

    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    started: list[subprocess.Popen] = []

    def start(**extra_env: str) -> subprocess.Popen:
        # Its own node name: the ping below waits for this worker, not another test's.
        node = f"{queue}-{len(started)}@localhost"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "lms.settings.test",
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "LMS_MEDIA_ROOT": settings.MEDIA_ROOT,
            **extra_env,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "lms",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "-Q",
                queue,
                "-n",
                node,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                out = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"celery worker exited: {out[-2000:]}")
            if app.control.ping(destination=[node], timeout=1.0):
                return process
        pytest.fail("celery worker did not answer a ping within 60 s")

    try:
        yield start
    finally:
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"
        for process in started:
            if process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def celery_worker_process(celery_workers) -> subprocess.Popen:
    """A real Celery worker process on the configured broker, using the test database (see
    ``celery_workers``)."""
    return celery_workers()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless (tests/support/browser.py); skips where it is missing."""
    from tests.support.browser import chromium

    with chromium() as launched:
        yield launched
