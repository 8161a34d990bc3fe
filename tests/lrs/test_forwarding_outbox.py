"""The forwarding outbox against the in-memory LRS: order, backoff, rejection, retry, no doubles."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from integrations.lrs.fake import InMemoryForwarder
from lrs import forwarding
from lrs.models import ForwardedStatement

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
    assert isinstance(forwarding.configured_forwarder(), InMemoryForwarder)


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
    claimed, _lease = forwarding._claim(10)  # a worker took it and died before sending
    assert len(claimed) == 1
    assert forwarding.forward_due_statements().sent == 0
    ForwardedStatement.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert forwarding.forward_due_statements().sent == 1


# --- hardening (issue 11): parking, lease, retry policy, the nudge ---------------------------


def test_a_statement_the_adapter_fails_on_is_parked_and_the_batch_goes_on(fake_lrs):
    items = [statement(i) for i in range(50)]
    broken = items[7].statement_id
    fake_lrs.crash_ids = {broken}
    forwarding.outbox_add(statements=items)
    report = forwarding.forward_due_statements()
    assert (report.sent, report.failed, report.deferred) == (49, 1, 0)
    assert sorted(fake_lrs.statements) == sorted(s.statement_id for s in items if s is not items[7])
    parked = ForwardedStatement.objects.get(status="failed")
    assert str(parked.statement_id) == broken
    assert parked.attempts == 1 and parked.last_status_code is None
    assert parked.last_error.startswith("TypeError: ")  # the reason, shown in the admin
    summary = forwarding.outbox_summary()
    assert (summary["sent"], summary["failed"], summary["pending"]) == (49, 1, 0)
    # Parked means parked: sweeps leave it alone until someone retries it.
    assert forwarding.forward_due_statements().failed == 0
    fake_lrs.crash_ids = set()
    assert forwarding.outbox_retry(ids=[parked.pk]) == 1
    assert forwarding.forward_due_statements().sent == 1
    assert len(fake_lrs.statements) == 50


def test_what_the_external_lrs_version_cannot_carry_is_parked_with_the_reason(settings):
    from tests.support.recording_lrs import RecordingLRS

    server = RecordingLRS(["1.0.3"])
    try:
        settings.LMS_LRS_FORWARD_URL = server.endpoint
        settings.LMS_LRS_FORWARDER = ""
        from django.core.cache import cache

        cache.delete(forwarding.configured_forwarder()._version_cache_key())
        plain, two_oh = statement(1), statement(2)
        two_oh.data["version"] = "2.0.0"
        two_oh.data["context"] = {
            "contextAgents": [{"objectType": "contextAgent", "agent": two_oh.data["actor"]}]
        }
        forwarding.outbox_add(statements=[two_oh, plain])
        report = forwarding.forward_due_statements()
        assert (report.sent, report.failed) == (1, 1)
        parked = ForwardedStatement.objects.get(status="failed")
        assert str(parked.statement_id) == two_oh.statement_id
        assert "statement.context.contextAgents" in parked.last_error
        assert "1.0.3" in parked.last_error
        assert [r["path"].split("=")[-1] for r in server.puts()] == [plain.statement_id]
    finally:
        server.close()


def test_a_dead_workers_rows_are_due_again_within_a_minute(fake_lrs):
    forwarding.outbox_add(statements=[statement(i) for i in range(3)])
    before = timezone.now()
    rows, lease_until = forwarding._claim(10)  # a worker took them, then was SIGKILLed
    assert len(rows) == 3
    assert timedelta(seconds=0) < lease_until - before <= timedelta(seconds=60)
    due = set(ForwardedStatement.objects.values_list("next_attempt_at", flat=True))
    assert due == {lease_until}
    assert forwarding.forward_due_statements().sent == 0  # still leased
    ForwardedStatement.objects.update(next_attempt_at=lease_until - timedelta(seconds=60))
    assert forwarding.forward_due_statements().sent == 3


def test_the_lease_outlasts_one_request_whatever_the_settings(settings):
    settings.LMS_LRS_FORWARD_LEASE = 1
    settings.LMS_LRS_FORWARD_TIMEOUT = 20
    assert forwarding.lease_duration() == timedelta(seconds=45)
    settings.LMS_LRS_FORWARD_LEASE = 30
    settings.LMS_LRS_FORWARD_TIMEOUT = 10
    assert forwarding.lease_duration() == timedelta(seconds=30)


def test_a_live_worker_renews_its_lease_and_stops_where_another_took_over(fake_lrs, monkeypatch):
    items = [statement(i) for i in range(4)]
    forwarding.outbox_add(statements=items)
    # A lease of zero: every row's lease has run out by the next statement, as if each request
    # had hung for the whole lease. Another worker claims them while the first one works.
    monkeypatch.setattr(forwarding, "lease_duration", lambda: timedelta(0))
    taken: list[int] = []

    def another_worker(statement_id: str) -> None:
        if not taken:
            rows, _lease = forwarding._claim(10)
            taken.extend(r.pk for r in rows)

    fake_lrs.on_send = another_worker
    report = forwarding.forward_due_statements(max_batches=1)
    # The other worker took all four (the first one's lease had run out too: it re-sends it,
    # which a PUT by id makes harmless); the first worker sends no row it no longer holds.
    assert report.sent == 1
    assert len(taken) == 4
    assert fake_lrs.puts == [items[0].statement_id]


def test_a_renewal_keeps_the_batch_away_from_other_workers(fake_lrs):
    forwarding.outbox_add(statements=[statement(i) for i in range(3)])
    rows, lease_until = forwarding._claim(10)
    ForwardedStatement.objects.filter(pk=rows[0].pk).update(next_attempt_at=timezone.now())
    held, renewed_until = forwarding._renew(rows, lease_until)
    assert held == {rows[1].pk, rows[2].pk}  # the first one was taken over: not ours any more
    assert renewed_until >= lease_until
    assert set(
        ForwardedStatement.objects.filter(pk__in=held).values_list("next_attempt_at", flat=True)
    ) == {renewed_until}


@pytest.mark.capacita
def test_the_default_backoff_lets_a_recovering_lrs_drain_within_a_minute(settings):
    from lrs.conf import app_settings

    cap = forwarding.backoff_delay(1000).total_seconds()
    sweep = settings.CELERY_BEAT_SCHEDULE["lrs-forward-statements"]["schedule"]
    assert cap == app_settings.defaults["LMS_LRS_FORWARD_BACKOFF_MAX"] == 30
    assert sweep == app_settings.defaults["LMS_LRS_FORWARD_SWEEP_SECONDS"] == 15
    # A row waits at most the cap, then at most one sweep: well inside 60 s of the LRS's return.
    assert cap + sweep <= 60
    assert forwarding.lease_duration().total_seconds() + sweep <= 60


def test_retrying_never_stops_while_the_lrs_is_down(fake_lrs):
    from lrs.tasks import forward_statements

    forwarding.outbox_add(statements=[statement()])
    fake_lrs.down = True
    for _ in range(12):  # far past Celery's default max_retries of 3
        ForwardedStatement.objects.update(next_attempt_at=timezone.now())
        # As a worker runs it (not eager). No self.retry, whose max_retries=None meant "the
        # default 3": the task ends normally and the row keeps its due time for the next sweep.
        assert forward_statements.run()["deferred"] == 1
    row = ForwardedStatement.objects.get()
    assert row.status == "pending" and row.attempts == 12
    assert row.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    fake_lrs.down = False
    ForwardedStatement.objects.update(next_attempt_at=timezone.now())
    assert forward_statements.run()["sent"] == 1


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.mark.django_db(transaction=True)
def test_a_dead_broker_does_not_hold_up_the_request_that_stored_statements(
    fake_lrs, monkeypatch, request, settings
):
    import time

    # The outbox written in the storing transaction, as on the embedded default, so this
    # measures the outbox's own nudge (the statement log's is tested in test_statement_log).
    settings.LMS_LRS_LOG_INLINE = True

    from django.test import Client

    from lrs.tasks import forward_statements
    from tests.lrs.xapi_fixtures import make_client
    from tests.lrs.xapi_fixtures import statement as xapi_statement

    app = forward_statements.app
    dead_broker = f"redis://127.0.0.1:{closed_port()}/0"
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = dead_broker
    monkeypatch.setattr(forwarding._nudge, "connection", None, raising=False)
    request.addfinalizer(
        lambda: (
            setattr(app.conf, "task_always_eager", saved[0])
            or setattr(app.conf, "broker_url", saved[1])
        )
    )

    # What the request used to do: Celery's default publish, with its connection retries (on a
    # connection of its own, so the app's pool never sees the dead broker).
    started = time.perf_counter()
    with pytest.raises(Exception), app.connection_for_write(dead_broker) as connection:
        forward_statements.apply_async(connection=connection)
    default_publish = time.perf_counter() - started

    nudges: list[float] = []
    real_enqueue = forwarding._enqueue

    def timed_enqueue() -> None:
        started = time.perf_counter()
        real_enqueue()
        nudges.append(time.perf_counter() - started)

    monkeypatch.setattr(forwarding, "_enqueue", timed_enqueue)
    _client, auth = make_client()
    http = Client()
    for n in range(3):
        response = http.post(
            "/xapi/statements",
            data=xapi_statement(object={"objectType": "Activity", "id": f"http://t/a/{n}"}),
            content_type="application/json",
            headers={"X-Experience-API-Version": "1.0.3", "Authorization": auth},
        )
        assert response.status_code == 200, response.content
    assert len(nudges) == 3
    # Kombu retried the connect for about 0.6 s; the nudge gives up at once (the first call
    # also builds its connection).
    # Compared with the default publish measured in the same run, so a loaded machine slows
    # both sides alike (0.004 s against 0.6 s on an idle one).
    assert default_publish > 0.3
    assert max(nudges[1:]) < default_publish / 4, (nudges, default_publish)
    # Nothing is lost: the rows wait for the beat sweep.
    assert ForwardedStatement.objects.filter(status="pending").count() == 3
