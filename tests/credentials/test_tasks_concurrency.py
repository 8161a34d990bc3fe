"""Concurrent issuing tasks on PostgreSQL produce exactly one award."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from credentials import services, tasks, verification
from credentials.models import AuditEvent, Award
from tests.conftest import skip_or_fail
from tests.credentials.factories import AchievementFactory, IssuerFactory, UserFactory

pytestmark = pytest.mark.services


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issue_tasks_produce_one_award_on_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent issuing needs PostgreSQL (DATABASE_URL)")
    issuer = IssuerFactory(slug="sep")
    achievement = AchievementFactory(issuer=issuer)
    learner = UserFactory()
    services.issuer_keys_ensure(issuer=issuer)  # key creation is tested separately
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            result = tasks.issue_award.apply(
                kwargs={
                    "achievement_id": achievement.pk,
                    "user_id": learner.pk,
                    "source": "completion",
                },
                throw=True,
            )
            assert result.successful()
            results.append(result.result)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert Award.objects.filter(achievement=achievement, recipient=learner).count() == 1
    award = Award.objects.get(achievement=achievement, recipient=learner)
    assert results == [award.pk] * workers
    assert AuditEvent.objects.filter(award=award, action="issued").count() == 1
    assert verification.verify_json(award.ob3_credential).valid


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_key_creation_leaves_one_active_key_on_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("concurrent key creation needs PostgreSQL (DATABASE_URL)")
    issuer = IssuerFactory(slug="sep")
    barrier = threading.Barrier(4)
    kids: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            kids.append(services.signing_key_ensure(issuer=issuer, algorithm="ed25519").kid)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(set(kids)) == 1
    assert issuer.signing_keys.filter(algorithm="ed25519", active=True).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_issuing_through_a_real_celery_worker(celery_worker_process):
    issuer = IssuerFactory(slug="sep")
    achievement = AchievementFactory(issuer=issuer)
    learner = UserFactory()
    result = tasks.issue_award.delay(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    import time

    deadline = time.monotonic() + 60
    while not Award.objects.filter(achievement=achievement).exists():
        assert time.monotonic() < deadline, "the worker did not issue the award"
        time.sleep(0.2)
    award = Award.objects.get(achievement=achievement)
    assert result.id
    assert verification.verify_json(award.ob3_credential).valid
