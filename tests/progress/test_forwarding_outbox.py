"""The forwarding outbox against the in-memory LRS: order, backoff, rejection, retry, no doubles."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from integrations.lrs import get_forwarder
from integrations.lrs.fake import InMemoryForwarder
from progress import forwarding
from progress.models import ForwardedStatement

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_lrs(settings):
    settings.LMS_LRS_FORWARD_URL = "http://external.invalid/xapi/"
    settings.LMS_LRS_FORWARDER = "integrations.lrs.fake.InMemoryForwarder"
    InMemoryForwarder.reset()
    yield InMemoryForwarder
    InMemoryForwarder.reset()


def statement(n: int = 0) -> SimpleNamespace:
    statement_id = str(uuid.uuid4())
    return SimpleNamespace(
        statement_id=statement_id,
        data={
            "id": statement_id,
            "actor": {"objectType": "Agent", "account": {"homePage": "http://t", "name": "a"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"objectType": "Activity", "id": f"http://t/activity/{n}"},
            "timestamp": "2026-01-05T10:00:00Z",
            "stored": "2026-01-05T10:00:01Z",
            "authority": {
                "objectType": "Agent",
                "account": {"homePage": "http://t", "name": "lms"},
            },
        },
    )


def test_the_factory_builds_the_configured_adapter(fake_lrs):
    assert isinstance(get_forwarder(), InMemoryForwarder)


def test_queued_statements_are_sent_once_in_order_on_commit(
    fake_lrs, django_capture_on_commit_callbacks
):
    items = [statement(i) for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        assert forwarding.outbox_add(statements=items) == 5
    assert fake_lrs.puts == [s.statement_id for s in items]
    assert set(ForwardedStatement.objects.values_list("status", flat=True)) == {"sent"}
    # The LRS's own fields are not forwarded; the id is.
    sent = fake_lrs.statements[items[0].statement_id]["statement"]
    assert "stored" not in fake_lrs.statements[items[0].statement_id]["json"]
    assert sent["id"] == items[0].statement_id
    # Queuing the same statements again queues nothing new and sends nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        forwarding.outbox_add(statements=items)
    assert ForwardedStatement.objects.count() == 5
    assert len(fake_lrs.puts) == 5


def test_nothing_is_forwarded_when_forwarding_is_off(settings, django_capture_on_commit_callbacks):
    settings.LMS_LRS_FORWARD_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        forwarding.outbox_add(statements=[statement()])
    assert forwarding.forward_due_statements().sent == 0
    assert ForwardedStatement.objects.get().status == "pending"


def test_an_outage_defers_the_batch_with_exponential_backoff(fake_lrs, settings):
    settings.LMS_LRS_FORWARD_BACKOFF_BASE = 5
    items = [statement(i) for i in range(3)]
    forwarding.outbox_add(statements=items)
    fake_lrs.down = True
    report = forwarding.forward_due_statements()
    assert (report.sent, report.deferred, report.retry_in) == (0, 3, 5.0)
    first = ForwardedStatement.objects.order_by("id").first()
    assert first.status == "pending" and first.attempts == 1
    assert "down" in first.last_error
    assert first.next_attempt_at > timezone.now()
    # Not due yet: nothing is tried.
    assert forwarding.forward_due_statements().deferred == 0
    ForwardedStatement.objects.update(next_attempt_at=timezone.now())
    assert forwarding.forward_due_statements().retry_in == 10.0  # second failure: 2 x base
    fake_lrs.down = False
    ForwardedStatement.objects.update(next_attempt_at=timezone.now())
    assert forwarding.forward_due_statements().sent == 3
    assert sorted(fake_lrs.statements) == sorted(s.statement_id for s in items)


def test_backoff_is_capped(settings):
    settings.LMS_LRS_FORWARD_BACKOFF_BASE = 5
    settings.LMS_LRS_FORWARD_BACKOFF_MAX = 60
    assert [forwarding.backoff_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [
        5,
        10,
        20,
        40,
        60,
        60,
    ]


def test_a_rejected_statement_is_marked_failed_and_the_rest_go_on(fake_lrs):
    items = [statement(i) for i in range(3)]
    fake_lrs.reject_ids = {items[1].statement_id}
    forwarding.outbox_add(statements=items)
    report = forwarding.forward_due_statements()
    assert (report.sent, report.failed) == (2, 1)
    failed = ForwardedStatement.objects.get(status="failed")
    assert str(failed.statement_id) == items[1].statement_id
    assert failed.last_status_code == 400 and "rejected" in failed.last_error
    summary = forwarding.outbox_summary()
    assert (summary["sent"], summary["failed"], summary["pending"]) == (2, 1, 0)

    fake_lrs.reject_ids = set()
    assert forwarding.outbox_retry(ids=[failed.pk]) == 1
    assert forwarding.forward_due_statements().sent == 1
    assert len(fake_lrs.statements) == 3


def test_a_row_leased_by_a_dead_worker_is_sent_after_the_lease(fake_lrs):
    forwarding.outbox_add(statements=[statement()])
    claimed = forwarding._claim(10)  # a worker took it and died before sending
    assert len(claimed) == 1
    assert forwarding.forward_due_statements().sent == 0
    ForwardedStatement.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert forwarding.forward_due_statements().sent == 1
