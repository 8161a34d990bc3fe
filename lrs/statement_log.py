"""The durable statement log: what the LRS stored, for consumers that follow it off the request.

Writing (inside the storing transaction, nothing else runs in the POST): the receivers of
``statements_stored`` and ``statements_voided`` append one ``StatementLogEntry`` per actor of
the request and, for every active consumer, one ``StatementLogDelivery``; on PostgreSQL that is
one round trip. A failing POST rolls both back with its statements.

Consumers register by name from the app above that owns them (``register_consumer`` in its
``AppConfig.ready``): the progress engine (``"progress"``), the forwarding outbox
(``"forwarding"``). The LRS imports none of them.

Applying, two modes (``LMS_LRS_LOG_INLINE``; default: inline when Celery runs eagerly, i.e.
the embedded default):

- *worker*: on commit a Celery task is nudged (never waiting on a broker that is down) and a beat
  entry sweeps every ``LMS_LRS_LOG_SWEEP_SECONDS``. A worker takes one shard of one consumer
  with ``SELECT … FOR UPDATE SKIP LOCKED`` on its ``StatementLogCursor`` row, applies that
  shard's due deliveries oldest first, deletes them and moves the cursor, all in one
  transaction: several workers run at once on different shards, nothing is applied twice, and
  a worker killed mid-batch rolls back and leaves the deliveries to the next one.
- *inline*: the storing transaction applies its own deliveries before it ends, each batch in a
  savepoint, so progress is in the POST's answer as before the log existed; a consumer that
  fails there leaves its delivery pending with the error and never fails the POST.

Order: a learner's entries share a partition (their IFI), hence a shard, so one worker at a
time applies them, in log order. A delivery that fails is retried with backoff
(``LMS_LRS_LOG_BACKOFF_BASE`` x 2^n, capped at ``LMS_LRS_LOG_BACKOFF_MAX``); while it waits,
the later entries of the same learner wait too (their order holds), everybody else's flow.
After ``LMS_LRS_LOG_MAX_ATTEMPTS`` tries it is parked with its error: listed in the Wagtail
admin with a retry button, and no longer holding anybody back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef
from django.utils import timezone

from lrs.backends import backend
from lrs.conf import app_settings
from lrs.models import (
    Statement,
    StatementLogCursor,
    StatementLogDelivery,
    StatementLogEntry,
)

logger = logging.getLogger(__name__)

__all__ = [
    "LogEntry",
    "apply_pending",
    "consumer_freshness",
    "deliveries_retry",
    "drain",
    "log_summary",
    "partition_of_actor",
    "register_consumer",
    "statements_of",
    "sweep",
    "unregister_consumer",
]

SHARDS = 32
# Shards one drain transaction takes at once: under a steady load each shard has a few entries
# due, and a batch's fixed cost (the engine reads its learners' rows ahead) is paid per batch.
# Up to four workers still drain side by side.
SHARDS_PER_BATCH = 8

PENDING = StatementLogDelivery.Status.PENDING
PARKED = StatementLogDelivery.Status.PARKED


# --- consumers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One log entry as a consumer sees it: ``statement_ids`` are ``lrs.Statement`` keys."""

    position: int
    kind: str  # "stored" or "voided"
    partition: str
    statement_ids: list[int]
    created_at: datetime


Handler = Callable[[list[LogEntry]], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: Handler
    enabled: Callable[[], bool]
    accepts: Callable[[str], bool]


_consumers: dict[str, Consumer] = {}


def register_consumer(
    name: str,
    handler: Handler,
    *,
    enabled: Callable[[], bool] | None = None,
    accepts: Callable[[str], bool] | None = None,
) -> None:
    """Register ``handler`` as consumer ``name`` (call from ``AppConfig.ready``).

    ``handler(entries)`` gets a learner's entries in log order (several learners' in one call,
    each learner's in order) and runs inside the transaction that marks them applied: it must
    write only to this database, and raising undoes its writes and retries the entries.
    ``enabled`` says whether new entries are delivered to it (checked in every storing
    transaction; default: always). ``accepts(partition)`` says whether entries of an actor
    (its IFI, as in ``Statement.actor_ifi``) concern it at all (default: all): an entry no
    consumer accepts is not written, so statements nobody follows cost the log nothing.
    """
    _consumers[name] = Consumer(
        name, handler, enabled or (lambda: True), accepts or (lambda partition: True)
    )


def unregister_consumer(name: str) -> None:
    """Stop delivering new entries to ``name`` (its pending deliveries stay, unapplied)."""
    _consumers.pop(name, None)


def _active_consumers() -> list[str]:
    return [c.name for c in _consumers.values() if c.enabled()]


def shard_of(partition: str) -> int:
    return zlib.crc32(partition.encode()) % SHARDS


def partition_of_actor(actor: dict[str, Any]) -> str:
    """The partition of an xAPI actor: its IFI, as stored in ``Statement.actor_ifi``."""
    from lrs.statements import agent_ifi

    return agent_ifi(actor) or ""


def statements_of(entries: Iterable[LogEntry]) -> list[Statement]:
    """The ``Statement`` rows of entries, in entry order then storing order, in one query."""
    entries = list(entries)
    wanted = [pk for entry in entries for pk in entry.statement_ids]
    memo: dict[int, Statement] = getattr(_inline, "rows", None) or {}
    if memo and all(pk in memo for pk in wanted):
        return [memo[pk] for pk in wanted]
    rows = {row.pk: row for row in Statement.objects.filter(pk__in=wanted)}
    return [rows[pk] for pk in wanted if pk in rows]


# --- settings ----------------------------------------------------------------------------------


def _setting(name: str) -> float:
    """A numeric setting of the log; its default is in lrs/conf.py."""
    return float(app_settings.get(name))


def inline() -> bool:
    """Whether consumers run inside the storing transaction (``LMS_LRS_LOG_INLINE``; default:
    when Celery is eager, so the embedded default shows progress in the POST's answer)."""
    value = app_settings.LMS_LRS_LOG_INLINE
    if isinstance(value, str):
        value = {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
    if value is not None:
        return bool(value)
    from lrs.tasks import drain_statement_log

    return bool(drain_statement_log.app.conf.task_always_eager)


def backoff_delay(attempts: int) -> timedelta:
    base = _setting("LMS_LRS_LOG_BACKOFF_BASE")
    cap = _setting("LMS_LRS_LOG_BACKOFF_MAX")
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# --- writing (in the storing transaction) --------------------------------------------------------


def on_statements_stored(sender: Any, statements: list[Statement], **kwargs: Any) -> None:
    """Receiver of ``statements_stored``: one entry per actor, deliveries for every consumer."""
    groups: dict[str, list[int]] = {}
    for row in statements:
        groups.setdefault(row.actor_ifi, []).append(row.pk)
    _append(StatementLogEntry.Kind.STORED, groups, statements)


def on_statements_voided(sender: Any, statement_ids: list[int], **kwargs: Any) -> None:
    """Receiver of ``statements_voided``: the voiding goes to the voided statements' actors'
    partitions, so it is applied after what it undoes, by the same ordered stream."""
    actors = dict(Statement.objects.filter(pk__in=statement_ids).values_list("pk", "actor_ifi"))
    groups: dict[str, list[int]] = {}
    for pk in statement_ids:
        if pk in actors:
            groups.setdefault(actors[pk], []).append(pk)
    _append(StatementLogEntry.Kind.VOIDED, groups)


def _append(kind: str, groups: dict[str, list[int]], rows: Sequence[Statement] = ()) -> None:
    consumers = _active_consumers()
    if not groups or not consumers:
        return
    # Entries go to the consumers that accept their actor; groups with the same consumers are
    # written together (usually all of them in one set).
    by_consumers: dict[tuple[str, ...], dict[str, list[int]]] = {}
    for partition, pks in groups.items():
        names = tuple(name for name in consumers if _consumers[name].accepts(partition))
        if names:
            by_consumers.setdefault(names, {})[partition] = pks
    if not by_consumers:
        return
    now = timezone.now()
    if inline():
        for names, accepted in by_consumers.items():
            _apply_inline(kind, accepted, list(names), now, rows)
        return
    for names, accepted in by_consumers.items():
        _write(kind, accepted, list(names), now)
    _nudge_on_commit()


def _write(
    kind: str, groups: dict[str, list[int]], consumers: list[str], now: datetime
) -> list[int]:
    entries = [(partition, shard_of(partition), pks) for partition, pks in groups.items()]
    return backend().log_append(kind, entries, consumers, now)


# --- applying ----------------------------------------------------------------------------------


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
    size = batch_size or int(_setting("LMS_LRS_LOG_BATCH_SIZE"))
    names = [name for name in (consumers or list(_consumers)) if name in _consumers]
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
    if consumer not in _consumers or not partition:
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


def _apply_inline(
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
                    _consumers[name].handler(entries)
            except Exception as exc:
                failed.append((name, exc))
    finally:
        if outermost:
            _inline.rows = {}
    if not failed:
        return
    entry_ids = _write(kind, groups, [name for name, _ in failed], now)
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
    handler = _consumers[consumer].handler
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
    if delivery.attempts >= int(_setting("LMS_LRS_LOG_MAX_ATTEMPTS")):
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


# --- nudging -----------------------------------------------------------------------------------

_local = threading.local()
NUDGE_CONNECT_TIMEOUT = 0.5  # seconds; the broker is on the local network


def _nudge_on_commit() -> None:
    # One nudge per transaction, however many entries it wrote.
    if any(callback[1] is _nudge for callback in connection.run_on_commit):
        return
    transaction.on_commit(_nudge)


NUDGE_INTERVAL = 0.25  # seconds: under load, one nudge per process per interval is enough
_nudges = {"last": 0.0, "delayed_until": 0.0}
_nudges_lock = threading.Lock()


def _nudge_countdown() -> float | None:
    """None: publish a nudge now; a number: publish one that runs after so many seconds; -1:
    a delayed nudge already pending runs after this commit, nothing to publish.

    Every commit is followed by a drain that starts after it, but a process storing hundreds
    of statements a second sends a few nudges a second, not one per POST (each would be a task
    the workers dequeue, only to find the shards taken)."""
    now = time.monotonic()
    with _nudges_lock:
        if now - _nudges["last"] >= NUDGE_INTERVAL:
            _nudges["last"] = now
            return None
        if _nudges["delayed_until"] > now:
            return -1.0
        _nudges["delayed_until"] = _nudges["last"] + NUDGE_INTERVAL
        return _nudges["delayed_until"] - now


def _nudge() -> None:
    """Ask a worker to drain now, never delaying the caller long: no publish retries and a
    short connect timeout. Entries are durable and the beat sweep drains them anyway."""
    from lrs.tasks import drain_statement_log

    app = drain_statement_log.app
    try:
        if app.conf.task_always_eager:
            drain_statement_log.apply()
            return
        countdown = _nudge_countdown()
        if countdown is not None and countdown < 0:
            return
        connection_ = getattr(_local, "connection", None)
        if connection_ is None:
            options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
            connection_ = app.connection_for_write(
                connect_timeout=NUDGE_CONNECT_TIMEOUT, transport_options=options
            )
            _local.connection = connection_
        # Celery passes the connection on among its options; celery-types does not list it.
        drain_statement_log.apply_async(  # type: ignore[call-arg]
            retry=False, connection=connection_, countdown=countdown or 0.0
        )
    except Exception:  # the broker is down: the beat sweep drains the log
        stale = getattr(_local, "connection", None)
        _local.connection = None
        if stale is not None:
            with contextlib.suppress(Exception):
                stale.release()
        logger.warning("could not enqueue drain_statement_log; the sweep will", exc_info=True)


# --- operations ----------------------------------------------------------------------------------


def sweep() -> DrainReport:
    """The beat entry: drain whatever is due, then forget entries every consumer applied that
    are older than ``LMS_LRS_LOG_RETENTION_DAYS``."""
    report = drain()
    cutoff = timezone.now() - timedelta(days=_setting("LMS_LRS_LOG_RETENTION_DAYS"))
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
                _nudge_on_commit()
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
    names = sorted(set(_consumers) | {consumer for consumer, _ in rows})
    return [
        {
            "consumer": name,
            "registered": name in _consumers,
            "pending": rows.get((name, PENDING), {}).get("n", 0),
            "parked": rows.get((name, PARKED), {}).get("n", 0),
            "oldest_pending_at": rows.get((name, PENDING), {}).get("oldest"),
            "last_applied_at": applied.get(name),
        }
        for name in names
    ]
