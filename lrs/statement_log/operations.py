"""Operating the log: the beat sweep, retries of parked deliveries, freshness, the admin
summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.utils import timezone

from lrs.models import (
    StatementLogCursor,
    StatementLogDelivery,
    StatementLogEntry,
)
from lrs.statement_log.apply import DrainReport, drain
from lrs.statement_log.consumers import PARKED, PENDING, inline, registry, setting, shard_of
from lrs.statement_log.nudge import nudge_on_commit


def sweep() -> DrainReport:
    """The beat entry: drain whatever is due, then forget entries every consumer applied that
    are older than ``LMS_LRS_LOG_RETENTION_DAYS``."""
    report = drain()
    cutoff = timezone.now() - timedelta(days=setting("LMS_LRS_LOG_RETENTION_DAYS"))
    undelivered = StatementLogDelivery.objects.filter(entry_id=OuterRef("pk"))
    old = StatementLogEntry.objects.filter(created_at__lt=cutoff).exclude(Exists(undelivered))
    ids = list(old.values_list("pk", flat=True)[:10000])
    if ids:
        StatementLogEntry.objects.filter(pk__in=ids).delete()
    return report


def deliveries_retry(*, ids: Iterable[int] | None = None) -> int:
    """Make parked (or waiting) deliveries due now, with a fresh count of tries; returns how
    many. The drain is nudged on commit."""
    everything = StatementLogDelivery.objects.all()
    # Without ids: every delivery that failed at least once (parked or waiting).
    rows = (
        everything.filter(pk__in=list(ids))
        if ids is not None
        else everything.filter(attempts__gt=0)
    )
    with transaction.atomic():
        count = rows.update(status=PENDING, attempts=0, next_attempt_at=timezone.now())
        if count:
            if inline():
                transaction.on_commit(lambda: drain())
            else:
                nudge_on_commit()
    return count


@dataclass(frozen=True)
class Freshness:
    """How up to date a consumer is for one learner: the last log position applied in their
    shard and when, and how many of their entries still wait."""

    position: int | None
    applied_at: datetime | None
    pending: int


def consumer_freshness(*, consumer: str, partition: str) -> Freshness:
    cursor = (
        StatementLogCursor.objects.filter(consumer=consumer, shard=shard_of(partition))
        .values_list("position", "applied_at")
        .first()
    )
    pending = StatementLogDelivery.objects.filter(
        consumer=consumer, partition=partition, status=PENDING
    ).count()
    if cursor is None:
        return Freshness(position=None, applied_at=None, pending=pending)
    return Freshness(position=cursor[0] or None, applied_at=cursor[1], pending=pending)


def log_summary() -> list[dict[str, Any]]:
    """Per consumer: pending and parked deliveries, the oldest waiting, the last applied."""
    rows = {
        (row["consumer"], row["status"]): row
        for row in StatementLogDelivery.objects.values("consumer", "status").annotate(
            n=Count("id"), oldest=Min("entry__created_at")
        )
    }
    applied = dict(
        StatementLogCursor.objects.values("consumer")
        .annotate(last=Max("applied_at"))
        .values_list("consumer", "last")
    )
    names = sorted(set(registry) | {consumer for consumer, _ in rows})
    return [
        {
            "consumer": name,
            "registered": name in registry,
            "pending": rows.get((name, PENDING), {}).get("n", 0),
            "parked": rows.get((name, PARKED), {}).get("n", 0),
            "oldest_pending_at": rows.get((name, PENDING), {}).get("oldest"),
            "last_applied_at": applied.get(name),
        }
        for name in names
    ]
