"""The statement log: written with the statements, drained in order, once, by any number of
workers; failures retried with backoff, then parked and retryable; inline on the default."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from lrs import statement_log
from lrs.models import LRSActivity, Statement, StatementLogDelivery, StatementLogEntry
from lrs.statement_log import LogEntry, deliveries_retry, drain
from tests.conftest import skip_or_fail
from tests.lrs.xapi_fixtures import new_id, statement

CONSUMER = "test-recorder"


def actor(name: str) -> dict:
    return {"objectType": "Agent", "mbox": f"mailto:{name}@example.com"}


def ifi(name: str) -> str:
    return f"mbox:{name}@example.com"


class Recorder:
    """A consumer that notes what it applied, in memory and as a row per statement (rolled back
    with the transaction that applies it, like a real consumer's writes)."""

    def __init__(self) -> None:
        self.calls: list[list[LogEntry]] = []
        self.fail_on: set[int] = set()  # statement pks whose entries raise
        self.fail_all = False
        self.delay = 0.0
        self.lock = threading.Lock()

    def __call__(self, entries: list[LogEntry]) -> None:
        for entry in entries:
            if self.fail_all or self.fail_on.intersection(entry.statement_ids):
                raise ValueError(f"cannot apply entry {entry.position}")
        if self.delay:
            time.sleep(self.delay)
        LRSActivity.objects.bulk_create(
            [
                LRSActivity(iri=f"urn:applied:{entry.kind}:{pk}", definition={})
                for entry in entries
                for pk in entry.statement_ids
            ]
        )
        with self.lock:
            self.calls.append(entries)

    def applied(self) -> list[int]:
        return [entry.position for call in self.calls for entry in call]


@pytest.fixture
def recorder(settings):
    settings.LMS_LRS_LOG_INLINE = False  # the workers' mode: entries wait for a drain
    consumer = Recorder()
    statement_log.register_consumer(CONSUMER, consumer)
    yield consumer
    statement_log.unregister_consumer(CONSUMER)


def applied_rows() -> list[str]:
    return sorted(
        LRSActivity.objects.filter(iri__startswith="urn:applied:").values_list("iri", flat=True)
    )


def mine(**filters) -> object:
    return StatementLogDelivery.objects.filter(consumer=CONSUMER, **filters)


@pytest.mark.django_db
def test_one_entry_per_actor_and_a_delivery_per_consumer_written_with_the_statements(
    xapi, recorder
):
    xapi.store(
        statement(id=new_id(), actor=actor("ana")),
        statement(id=new_id(), actor=actor("beto")),
        statement(id=new_id(), actor=actor("ana")),
    )
    entries = {e.partition: e for e in StatementLogEntry.objects.all()}
    assert set(entries) == {ifi("ana"), ifi("beto")}
    pks = list(Statement.objects.order_by("id").values_list("pk", flat=True))
    assert entries[ifi("ana")].statement_ids == [pks[0], pks[2]]
    assert entries[ifi("beto")].statement_ids == [pks[1]]
    assert mine().count() == 2
    assert recorder.calls == []  # nothing applied in the POST


@pytest.mark.django_db
def test_a_failing_post_writes_no_entry(xapi, recorder):
    stored = statement(id=new_id(), actor=actor("ana"))
    xapi.store(stored)
    before = StatementLogEntry.objects.count()
    changed = {**stored, "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}}
    response = xapi.post("statements", [statement(id=new_id(), actor=actor("beto")), changed])
    assert response.status_code == 409
    assert StatementLogEntry.objects.count() == before
    assert not Statement.objects.filter(actor_ifi=ifi("beto")).exists()


@pytest.mark.django_db
def test_a_drain_applies_each_learners_entries_once_in_log_order(xapi, recorder):
    for _round in range(3):
        for name in ("ana", "beto", "carla"):
            xapi.store(statement(id=new_id(), actor=actor(name)))
    report = drain(consumers=[CONSUMER])
    assert report.applied == 9
    assert sorted(recorder.applied()) == list(
        StatementLogEntry.objects.order_by("id").values_list("id", flat=True)
    )
    for name in ("ana", "beto", "carla"):
        positions = [
            e.position for call in recorder.calls for e in call if e.partition == ifi(name)
        ]
        assert positions == sorted(positions) and len(positions) == 3
    assert not mine().exists()
    assert drain(consumers=[CONSUMER]).applied == 0  # nothing twice
    assert len(applied_rows()) == 9


@pytest.mark.django_db
def test_a_worker_killed_mid_batch_loses_nothing(xapi, recorder):
    for name in ("ana", "beto", "ana"):
        xapi.store(statement(id=new_id(), actor=actor(name)))

    class Killed(BaseException):  # not an Exception: nothing in the drain catches it
        pass

    def dies(entries):
        LRSActivity.objects.create(iri="urn:applied:half-done", definition={})
        raise Killed

    statement_log.register_consumer(CONSUMER, dies)
    with pytest.raises(Killed):
        drain(consumers=[CONSUMER])
    assert mine(status="pending", attempts=0).count() == 3  # the transaction rolled back
    assert applied_rows() == []
    statement_log.register_consumer(CONSUMER, recorder)
    assert drain(consumers=[CONSUMER]).applied == 3
    assert len(applied_rows()) == 3 and not mine().exists()


@pytest.mark.django_db
def test_a_poison_entry_is_retried_then_parked_and_the_rest_flows(xapi, recorder, settings):
    settings.LMS_LRS_LOG_MAX_ATTEMPTS = 3
    settings.LMS_LRS_LOG_BACKOFF_BASE = 60
    xapi.store(statement(id=new_id(), actor=actor("ana")))
    poison = Statement.objects.get().pk
    xapi.store(statement(id=new_id(), actor=actor("beto")))
    xapi.store(statement(id=new_id(), actor=actor("ana")))  # after the poison, same learner
    recorder.fail_on = {poison}

    drain(consumers=[CONSUMER])
    bad = mine().get(entry__statement_ids=[poison])
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert "ValueError" in bad.last_error
    assert bad.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # Beto's entry flowed; Ana's second waits behind her first, in order.
    assert [e.partition for call in recorder.calls for e in call] == [ifi("beto")]
    assert mine().count() == 2

    for attempt in (2, 3):
        mine(pk=bad.pk).update(next_attempt_at=timezone.now())
        drain(consumers=[CONSUMER])
        bad.refresh_from_db()
        assert bad.attempts == attempt
    assert bad.status == "parked"
    # Parked, it no longer holds Ana's later entry back.
    assert [e.partition for call in recorder.calls for e in call] == [ifi("beto"), ifi("ana")]
    assert mine().count() == 1

    recorder.fail_on = set()
    assert deliveries_retry(ids=[bad.pk]) == 1
    assert drain(consumers=[CONSUMER]).applied == 1
    assert not mine().exists()


@pytest.mark.django_db
@pytest.mark.wagtail_admin
def test_parked_entries_are_listed_in_the_admin_and_retried_from_it(xapi, recorder, settings):
    settings.LMS_LRS_LOG_MAX_ATTEMPTS = 1
    xapi.store(statement(id=new_id(), actor=actor("ana")))
    recorder.fail_on = {Statement.objects.get().pk}
    drain(consumers=[CONSUMER])
    parked = mine().get()
    assert parked.status == "parked"
    user = get_user_model().objects.create_superuser("operadora", password="x")
    from django.test import Client

    admin = Client()
    admin.force_login(user)
    html = admin.get(reverse("lrs_statement_log")).content.decode()
    assert f'data-delivery="{parked.pk}"' in html and "ValueError" in html
    recorder.fail_on = set()
    response = admin.post(reverse("lrs_statement_log_retry"), {"id": parked.pk})
    assert response.status_code == 302
    parked.refresh_from_db()
    assert (parked.status, parked.attempts) == ("pending", 0)
    nobody = Client()
    nobody.force_login(get_user_model().objects.create_user("docente", password="x"))
    assert nobody.get(reverse("lrs_statement_log")).status_code in (302, 403)


@pytest.mark.django_db
def test_inline_on_the_embedded_default_applies_before_the_post_answers(xapi, settings):
    settings.LMS_LRS_LOG_INLINE = None  # the default: inline when Celery is eager
    consumer = Recorder()
    statement_log.register_consumer(CONSUMER, consumer)
    try:
        assert statement_log.inline()
        xapi.store(statement(id=new_id(), actor=actor("ana")))
        assert len(consumer.calls) == 1
        assert not mine().exists()
        # A consumer failing inline leaves its delivery for later and never fails the POST.
        consumer.fail_all = True
        xapi.store(statement(id=new_id(), actor=actor("ana")))
        waiting = mine().get()
        assert waiting.attempts == 1 and waiting.status == "pending"
    finally:
        statement_log.unregister_consumer(CONSUMER)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_drain_at_once_with_skip_locked_nothing_twice_in_order(recorder, monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("SKIP LOCKED needs PostgreSQL")
    from lrs.services import statements_store

    # No nudge on commit (with eager Celery it would drain in this thread): the two workers do.
    monkeypatch.setattr(statement_log.nudge, "nudge", lambda: None)

    names = [f"docente{i}" for i in range(12)]
    for _round in range(5):
        statements_store(statements=[statement(id=new_id(), actor=actor(name)) for name in names])
    total = StatementLogEntry.objects.count()
    assert total == 60
    recorder.delay = 0.02  # long enough for the two workers to overlap
    by_thread: dict[str, int] = {}

    def worker(label: str) -> None:
        try:
            by_thread[label] = drain(consumers=[CONSUMER], batch_size=4).applied
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(label,)) for label in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(by_thread.values()) == total
    assert by_thread["a"] and by_thread["b"]  # both took shards
    assert sorted(recorder.applied()) == sorted(
        StatementLogEntry.objects.values_list("id", flat=True)
    )
    assert len(applied_rows()) == total
    for name in names:
        positions = [
            e.position for call in recorder.calls for e in call if e.partition == ifi(name)
        ]
        assert positions == sorted(positions) and len(positions) == 5
    assert not mine().exists()
    with transaction.atomic():
        assert drain(consumers=[CONSUMER]).applied == 0


@pytest.mark.django_db
def test_entries_go_only_to_the_consumers_that_accept_their_actor(xapi, settings):
    """An entry is written only for consumers that accept its actor; an actor nobody follows
    costs the log nothing (the LRS's batch path for other tools' statements stays lean)."""
    settings.LMS_LRS_LOG_INLINE = False
    ana, beto = Recorder(), Recorder()
    statement_log.register_consumer("only-ana", ana, accepts=lambda p: p == ifi("ana"))
    statement_log.register_consumer("nobody", beto, accepts=lambda p: False)
    others = [name for name in statement_log.registry if name not in ("only-ana", "nobody")]
    saved = {name: statement_log.registry.pop(name) for name in others}
    try:
        xapi.store(
            statement(id=new_id(), actor=actor("ana")),
            statement(id=new_id(), actor=actor("carla")),
        )
        assert list(StatementLogEntry.objects.values_list("partition", flat=True)) == [ifi("ana")]
        assert list(StatementLogDelivery.objects.values_list("consumer", flat=True)) == ["only-ana"]
        statement_log.drain(consumers=["only-ana", "nobody"])
        assert [e.partition for call in ana.calls for e in call] == [ifi("ana")]
        assert beto.calls == []
    finally:
        statement_log.unregister_consumer("only-ana")
        statement_log.unregister_consumer("nobody")
        statement_log.registry.update(saved)
