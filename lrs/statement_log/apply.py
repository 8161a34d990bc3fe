"""Applying the log: workers drain due deliveries shard by shard; inline mode applies a
transaction's own deliveries before it ends."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from lrs.backends import backend
from lrs.models import (
    Statement,
    StatementLogCursor,
    StatementLogDelivery,
)
from lrs.statement_log.consumers import (
    PARKED,
    PENDING,
    SHARDS,
    SHARDS_PER_BATCH,
    LogEntry,
    backoff_delay,
    registry,
    setting,
    shard_of,
)

logger = logging.getLogger(__name__)


@dataclass
class DrainReport:
    applied: int = 0
    failed: int = 0
    parked: int = 0
    batches: int = 0

    def add(self, other: DrainReport) -> None:
        self.applied += other.applied
        self.failed += other.failed
        self.parked += other.parked
        self.batches += other.batches


def _due(consumer: str, now: datetime) -> Any:
    """Deliveries of ``consumer`` that may be applied now: pending, due, and not behind an
    earlier delivery of the same learner that is waiting for its retry."""
    waiting_before = StatementLogDelivery.objects.filter(
        consumer=consumer,
        partition=OuterRef("partition"),
        status=PENDING,
        next_attempt_at__gt=now,
        entry_id__lt=OuterRef("entry_id"),
    )
    return StatementLogDelivery.objects.filter(
        consumer=consumer, status=PENDING, next_attempt_at__lte=now
    ).exclude(Exists(waiting_before))


def _ensure_cursors(consumer: str) -> None:
    # Checked on every drain, not remembered by the process: a restored or flushed database
    # would otherwise leave a worker believing in rows that are gone.
    if StatementLogCursor.objects.filter(consumer=consumer).count() >= SHARDS:
        return
    StatementLogCursor.objects.bulk_create(
        [StatementLogCursor(consumer=consumer, shard=shard) for shard in range(SHARDS)],
        ignore_conflicts=True,
    )


def drain(
    *, consumers: Sequence[str] | None = None, max_batches: int = 1000, batch_size: int = 0
) -> DrainReport:
    """Apply due deliveries, one shard of one consumer per transaction, until none is due that
    another worker does not hold (or ``max_batches`` transactions ran). Safe to run in any
    number of workers at once."""
    report = DrainReport()
    size = batch_size or int(setting("LMS_LRS_LOG_BATCH_SIZE"))
    names = [name for name in (consumers or list(registry)) if name in registry]
    for name in names:
        _ensure_cursors(name)
    idle: set[str] = set()
    while report.batches < max_batches and len(idle) < len(names):
        for name in names:
            if name in idle:
                continue
            batch = _drain_one_shard(name, size)
            if batch is None:
                idle.add(name)
            else:
                report.add(batch)
    return report


def _drain_one_shard(consumer: str, size: int) -> DrainReport | None:
    """Apply the due deliveries of up to ``SHARDS_PER_BATCH`` shards that no other worker
    holds, in one transaction (a learner's entries all sit in one shard, so her order holds)."""
    now = timezone.now()
    with transaction.atomic():
        due = _due(consumer, now)
        cursors = list(
            StatementLogCursor.objects.select_for_update(skip_locked=True)
            .filter(consumer=consumer)
            .filter(Exists(due.filter(shard=OuterRef("shard"))))
            .order_by(F("applied_at").asc(nulls_first=True), "shard")[:SHARDS_PER_BATCH]
        )
        if not cursors:
            return None
        deliveries = list(
            due.filter(shard__in=[cursor.shard for cursor in cursors])
            .select_related("entry")
            .order_by("entry_id")[:size]
        )
        report = _apply(consumer, deliveries, now)
        report.batches = 1
        for cursor in cursors:
            _advance(cursor, [d for d in deliveries if d.shard == cursor.shard], report, now)
    return report


def _advance(
    cursor: StatementLogCursor,
    deliveries: list[StatementLogDelivery],
    report: DrainReport,
    now: datetime,
) -> None:
    cursor.applied_at = now
    if deliveries:
        cursor.position = max(cursor.position, max(d.entry_id for d in deliveries))
    cursor.save(update_fields=["applied_at", "position"])


def apply_pending(*, consumer: str, partition: str) -> int:
    """Apply one learner's due deliveries to ``consumer`` now, in order (read-your-writes).

    Waits for a worker holding the learner's shard to finish its batch, then applies what is
    left. Cheap when nothing is pending (one indexed query). Returns how many entries applied.
    """
    if consumer not in registry or not partition:
        return 0
    pending = StatementLogDelivery.objects.filter(
        consumer=consumer, partition=partition, status=PENDING
    )
    if not pending.exists():
        return 0
    _ensure_cursors(consumer)
    now = timezone.now()
    with transaction.atomic():
        cursor = (
            StatementLogCursor.objects.select_for_update()
            .filter(consumer=consumer, shard=shard_of(partition))
            .first()
        )
        deliveries = list(
            _due(consumer, now)
            .filter(partition=partition)
            .select_related("entry")
            .order_by("entry_id")
        )
        report = _apply(consumer, deliveries, now)
        if cursor is not None and report.applied:
            _advance(cursor, deliveries, report, now)
    return report.applied


# Statement rows of the storing transaction being applied inline, so consumers need no query.
_inline = threading.local()


def apply_inline(
    kind: str,
    groups: dict[str, list[int]],
    consumers: list[str],
    now: datetime,
    rows: Sequence[Statement],
) -> None:
    """Apply new entries before the storing transaction ends, each consumer in a savepoint.

    Nothing is written to the log when every consumer succeeds (the embedded default pays two
    round trips per consumer, the savepoint's); a consumer that fails gets the entries written
    with its delivery, one try counted, for the sweep or the admin to retry."""
    entries = [
        LogEntry(position=0, kind=kind, partition=partition, statement_ids=pks, created_at=now)
        for partition, pks in groups.items()
    ]
    memo: dict[int, Statement] = getattr(_inline, "rows", None) or {}
    outermost = not memo
    memo.update((row.pk, row) for row in rows)
    _inline.rows = memo
    failed: list[tuple[str, Exception]] = []
    try:
        for name in consumers:
            try:
                with transaction.atomic():
                    registry[name].handler(entries)
            except Exception as exc:
                failed.append((name, exc))
    finally:
        if outermost:
            _inline.rows = {}
    if not failed:
        return
    entry_ids = write_entries(kind, groups, [name for name, _ in failed], now)
    for name, error in failed:
        logger.warning(
            "statement log: %s failed inline (%s); left for a retry", name, type(error).__name__
        )
        StatementLogDelivery.objects.filter(consumer=name, entry_id__in=entry_ids).update(
            attempts=1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=now + backoff_delay(1),
        )


def _entry(delivery: StatementLogDelivery) -> LogEntry:
    entry = delivery.entry
    return LogEntry(
        position=entry.pk,
        kind=entry.kind,
        partition=entry.partition,
        statement_ids=list(entry.statement_ids),
        created_at=entry.created_at,
    )


def _apply(consumer: str, deliveries: list[StatementLogDelivery], now: datetime) -> DrainReport:
    """Run the handler on the deliveries (inside the caller's transaction) and delete those
    applied. A failing batch is retried one entry at a time, each in a savepoint, to find the
    entries that fail: each is given its backoff (or parked), and the later entries of the
    same learner are left for after it, so a learner's order holds."""
    report = DrainReport()
    if not deliveries:
        return report
    handler = registry[consumer].handler
    try:
        with transaction.atomic():
            handler([_entry(d) for d in deliveries])
    except Exception:
        logger.warning("statement log: a batch of %s failed; applying one by one", consumer)
    else:
        StatementLogDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).delete()
        report.applied = len(deliveries)
        return report
    done: list[int] = []
    held: set[str] = set()
    for delivery in deliveries:
        if delivery.partition in held:
            continue
        try:
            with transaction.atomic():
                handler([_entry(delivery)])
        except Exception as exc:
            held.add(delivery.partition)
            _failed(delivery, exc, now)
            report.failed += 1
            report.parked += delivery.status == PARKED
            continue
        done.append(delivery.pk)
    StatementLogDelivery.objects.filter(pk__in=done).delete()
    report.applied = len(done)
    return report


def _failed(delivery: StatementLogDelivery, exc: Exception, now: datetime) -> None:
    """Record a failed try: backoff, or parked after the last allowed attempt.

    The log names the entry and the kind of error only: a message may quote a statement, and
    statements from other tools can carry an e-mail address."""
    delivery.attempts += 1
    delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    delivery.next_attempt_at = now + backoff_delay(delivery.attempts)
    if delivery.attempts >= int(setting("LMS_LRS_LOG_MAX_ATTEMPTS")):
        delivery.status = PARKED
        logger.error(
            "statement log entry %s parked for %s after %d tries (%s); see the admin",
            delivery.entry_id,
            delivery.consumer,
            delivery.attempts,
            type(exc).__name__,
        )
    else:
        logger.warning(
            "statement log entry %s failed for %s (%s); try %d again later",
            delivery.entry_id,
            delivery.consumer,
            type(exc).__name__,
            delivery.attempts + 1,
        )
    delivery.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])


def statements_of(entries: Iterable[LogEntry]) -> list[Statement]:
    """The ``Statement`` rows of entries, in entry order then storing order, in one query."""
    entries = list(entries)
    wanted = [pk for entry in entries for pk in entry.statement_ids]
    memo: dict[int, Statement] = getattr(_inline, "rows", None) or {}
    if memo and all(pk in memo for pk in wanted):
        return [memo[pk] for pk in wanted]
    rows = {row.pk: row for row in Statement.objects.filter(pk__in=wanted)}
    return [rows[pk] for pk in wanted if pk in rows]


def write_entries(
    kind: str, groups: dict[str, list[int]], consumers: list[str], now: datetime
) -> list[int]:
    """Append entries of ``groups`` (partition: statement keys) with a delivery for each of
    ``consumers``; returns the entry ids."""
    entries = [(partition, shard_of(partition), pks) for partition, pks in groups.items()]
    return backend().log_append(kind, entries, consumers, now)
