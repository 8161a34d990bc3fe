"""Forwarding to a second running Capacita LRS, with an outage in the middle of the stream:
nothing lost, nothing doubled, nothing changed; in process, and through real Celery worker and
beat processes with a worker SIGKILLed mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from lrs.models import ForwardedStatement
from lrs.services import statements_store
from lrs.tasks import forward_statements
from tests.conftest import ROOT, _broker_url, skip_or_fail
from tests.lrs.external_lrs import ExternalLRS

pytestmark = [pytest.mark.services]


@pytest.fixture(scope="module")
def external_lrs(tmp_path_factory):
    lrs = ExternalLRS(tmp_path_factory.mktemp("external-lrs"))
    lrs.setup()
    lrs.start()
    yield lrs
    lrs.stop()


@pytest.fixture
def forwarding_to(external_lrs, settings, monkeypatch):
    settings.LMS_LRS_FORWARD_URL = external_lrs.endpoint
    settings.LMS_LRS_FORWARD_USERNAME = external_lrs.key
    settings.LMS_LRS_FORWARD_PASSWORD = external_lrs.secret
    settings.LMS_LRS_FORWARD_TIMEOUT = 5.0
    settings.LMS_LRS_FORWARDER = ""
    # For a real worker process, which reads its settings from the environment.
    monkeypatch.setenv("LMS_LRS_FORWARD_URL", external_lrs.endpoint)
    monkeypatch.setenv("LMS_LRS_FORWARD_USERNAME", external_lrs.key)
    monkeypatch.setenv("LMS_LRS_FORWARD_PASSWORD", external_lrs.secret)
    monkeypatch.setenv("LMS_LRS_FORWARD_TIMEOUT", "5")
    monkeypatch.setenv("CELERY_TASK_ALWAYS_EAGER", "false")
    return external_lrs


def a_statement(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://herramienta.example", "name": f"u{n % 3}"},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {"objectType": "Activity", "id": f"https://herramienta.example/recurso/{n}"},
        "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "completion": True},
    }


def hex_ids(statements: list[dict]) -> set[str]:
    return {s["id"].replace("-", "") for s in statements}


@pytest.mark.django_db
def test_an_outage_mid_stream_loses_nothing_and_doubles_nothing(
    forwarding_to, django_capture_on_commit_callbacks
):
    external = forwarding_to
    before = set(external.statement_ids())
    sent: list[dict] = []

    def send(count: int) -> None:
        for _ in range(count):
            statement = a_statement(len(sent))
            sent.append(statement)
            with django_capture_on_commit_callbacks(execute=True):
                statements_store(statements=[statement])

    send(10)
    assert hex_ids(sent) <= set(external.statement_ids())

    external.stop()  # the external LRS goes down in the middle of the stream
    send(10)
    waiting = ForwardedStatement.objects.filter(status="pending")
    assert waiting.count() == 10
    assert waiting.order_by("id").first().attempts == 1
    assert "Connection" in waiting.order_by("id").first().last_error

    external.start()
    ForwardedStatement.objects.update(next_attempt_at=timezone.now())  # the backoff elapses
    forward_statements.delay()
    send(10)

    stored = external.statement_ids()
    ours = [i for i in stored if i not in before]
    assert len(ours) == len(set(ours)) == 30
    assert set(ours) == hex_ids(sent)
    assert set(ForwardedStatement.objects.values_list("status", flat=True)) == {"sent"}

    # Forwarding everything again (a worker crashed before marking rows sent) stores nothing new.
    ForwardedStatement.objects.update(status="pending", next_attempt_at=timezone.now())
    forward_statements.delay()
    assert sorted(external.statement_ids()) == sorted(stored)


class CeleryProcesses:
    """Real Celery worker and beat processes on a queue of their own, using the test database.

    Unlike ``celery_worker_process`` it starts as many as a test needs, lets the test SIGKILL
    one, and runs beat in its own process (a worker's embedded ``-B`` beat would outlive a
    SIGKILLed worker).
    """

    def __init__(self, env: dict[str, str], directory: Path) -> None:
        self.env = env
        self.directory = directory
        self.processes: list[subprocess.Popen] = []

    def _start(self, *args: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms", *args, "--loglevel=WARNING"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        return process

    def worker(self) -> subprocess.Popen:
        from lms.celery import app

        process = self._start(
            "worker",
            "--pool=solo",
            "-Q",
            self.env["CELERY_TASK_DEFAULT_QUEUE"],
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=fwd-{uuid.uuid4().hex[:6]}@%h",
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, "the celery worker exited"
            if app.control.ping(timeout=1.0):
                return process
        pytest.fail("celery worker did not answer a ping within 60 s")

    def beat(self) -> subprocess.Popen:
        return self._start("beat", f"--schedule={self.directory / 'beat-schedule'}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def celery_processes(forwarding_to, transactional_db, settings, tmp_path) -> Iterator[Any]:
    from django.db import connection

    from lms.celery import app

    broker = _broker_url()
    if not broker:
        skip_or_fail("CELERY_BROKER_URL is not set: no real broker for a worker")
    if connection.vendor != "postgresql":
        skip_or_fail("a worker process needs a server database (PostgreSQL)")
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER'] or ''}:{db['PASSWORD'] or ''}@{db['HOST'] or ''}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "LMS_MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    processes = CeleryProcesses(env, tmp_path)
    try:
        yield processes
    finally:
        processes.stop()
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"


def statement_2_0(n: int) -> dict:
    """xAPI 2.0: contextAgents and contextGroups (tincan's model has neither)."""
    statement = a_statement(n)
    agent = statement["actor"]
    statement["version"] = "2.0.0"
    statement["context"] = {
        "contextAgents": [
            {"objectType": "contextAgent", "agent": agent, "relevantTypes": ["https://t/r"]}
        ],
        "contextGroups": [
            {"objectType": "contextGroup", "group": {"objectType": "Group", "member": [agent]}}
        ],
    }
    return statement


def sub_statement_with_result(n: int) -> dict:
    statement = a_statement(n)
    statement["object"] = {
        "objectType": "SubStatement",
        "actor": statement["actor"],
        "verb": statement["verb"],
        "object": {"objectType": "Activity", "id": f"https://herramienta.example/plan/{n}"},
        "result": {"score": {"raw": 3, "max": 4}, "duration": "P1Y2M", "success": True},
    }
    return statement


def statement_that_tincan_changed(n: int) -> dict:
    """Durations, integer scores and null extension values that tincan's round trip rewrote."""
    statement = a_statement(n)
    statement["result"] = {
        "duration": "PT1M30S",
        "score": {"raw": 7, "min": 0, "max": 10},
        "extensions": {"https://herramienta.example/x/nada": None},
    }
    statement["context"] = {"extensions": {"https://herramienta.example/x/periodo": "P1Y2M"}}
    return statement


def without_lrs_fields(statement: dict) -> dict:
    return {k: v for k, v in statement.items() if k not in ("stored", "authority")}


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_and_an_outage_deliver_every_statement_once_unchanged(
    forwarding_to, celery_processes
):
    external = forwarding_to
    accepted: list[dict] = []

    def store(statements: list[dict]) -> None:
        with transaction.atomic():
            statements_store(statements=statements)
        accepted.extend(statements)

    def arrived() -> set[str]:
        return hex_ids(accepted) & set(external.statement_ids())

    celery_processes.beat()
    first_worker = celery_processes.worker()

    # One transaction of 60: the first worker claims them all in one batch (one nudge).
    store([a_statement(n) for n in range(60)])
    deadline = time.monotonic() + 60
    while not arrived() and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(first_worker.pid, signal.SIGKILL)  # mid-batch: some sent, the rest leased
    first_worker.wait(timeout=10)
    killed_at = time.monotonic()
    leased = ForwardedStatement.objects.filter(status="pending", attempts=0)
    assert 0 < len(arrived()) < 60 and leased.exists(), "the worker was not killed mid-batch"
    assert leased.filter(next_attempt_at__gt=timezone.now()).exists()  # held by the dead worker

    # The external LRS goes down too; a new worker takes over; the stream goes on.
    external.stop()
    celery_processes.worker()
    for n in range(60, 64):
        store([a_statement(n)])
    store([statement_2_0(64)])
    store([sub_statement_with_result(65)])
    store([statement_that_tincan_changed(66)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not ForwardedStatement.objects.filter(
        status="pending", attempts__gt=0, last_error__contains="Connection"
    ):
        time.sleep(0.2)
    assert ForwardedStatement.objects.filter(attempts__gt=0, status="pending").exists()

    external.start()
    recovered_at = time.monotonic()
    while len(arrived()) < len(accepted) and time.monotonic() - recovered_at < 90:
        time.sleep(0.25)
    drained_in = time.monotonic() - recovered_at
    assert len(arrived()) == len(accepted) == 67
    assert drained_in <= 60, f"the backlog drained {drained_in:.0f} s after the LRS came back"
    assert time.monotonic() - killed_at <= 120

    # None doubled, every one as accepted (less the fields each LRS sets for itself).
    stored_ids = external.statement_ids()
    assert len(stored_ids) == len(set(stored_ids))
    far = external.statements_by_id()
    for row in ForwardedStatement.objects.all():
        assert row.status == "sent", (row.statement_id, row.last_error)
        theirs = far[str(row.statement_id).replace("-", "")]
        ours = without_lrs_fields(row.payload)
        assert without_lrs_fields(theirs) == ours
        # == alone would take 7.0 for 7: compare the JSON text too.
        assert json.dumps(without_lrs_fields(theirs), sort_keys=True) == json.dumps(
            ours, sort_keys=True
        )
    assert set(far) >= hex_ids(accepted)
