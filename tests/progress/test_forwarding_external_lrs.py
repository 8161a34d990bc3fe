"""Forwarding to a second running Capacita LRS, with an outage in the middle of the stream:
nothing lost, nothing doubled; in process and through a real Celery worker."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from progress.models import ForwardedStatement
from progress.services import statements_store
from progress.tasks import forward_statements

from .external_lrs import ExternalLRS

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


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_forwards_across_an_outage(forwarding_to, celery_worker_process):
    external = forwarding_to
    sent = []

    def send(count: int) -> None:
        for _ in range(count):
            statement = a_statement(len(sent))
            sent.append(statement)
            with transaction.atomic():
                statements_store(statements=[statement])

    def arrived() -> set[str]:
        return hex_ids(sent) & set(external.statement_ids())

    def wait_for(count: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while len(arrived()) < count and time.monotonic() < deadline:
            time.sleep(0.5)

    send(5)
    wait_for(5, 60)
    assert len(arrived()) == 5
    external.stop()
    send(5)
    time.sleep(2)  # the worker tries, fails and schedules a retry with backoff
    assert ForwardedStatement.objects.filter(status="pending").count() == 5
    external.start()
    wait_for(10, 120)  # the worker's own retry (5 s, then 10 s, ...) delivers the backlog
    ids = [i for i in external.statement_ids() if i in hex_ids(sent)]
    assert len(ids) == len(set(ids)) == 10
