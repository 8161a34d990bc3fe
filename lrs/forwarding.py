"""Forwarding accepted statements to an external LRS through a transactional outbox.

When ``LMS_LRS_FORWARD_URL`` is set, the storing transaction writes a statement log delivery for
consumer ``"forwarding"`` (``lrs.statement_log``), so nothing is accepted without being queued;
applying it writes one ``ForwardedStatement`` row per accepted statement and, on commit,
nudges ``lrs.tasks.forward_statements`` (without waiting on a broker that is down: the beat
sweep delivers anyway). The task sends due
rows in batches, oldest first, with ``PUT`` by statement id (an external LRS ignores an
identical repeat, so a retry never doubles a statement), each exactly as stored.

- An unreachable LRS or a 5xx answer puts the batch back with exponential backoff, capped at
  ``LMS_LRS_FORWARD_BACKOFF_MAX`` (30 s) so a recovering LRS is tried again soon; rows stay
  pending for as long as it takes (no retry count runs out).
- A 4xx, a statement the external LRS's xAPI version cannot carry, or a statement the adapter
  fails on is *parked* (status ``failed``, with the reason) without holding back the others;
  the Wagtail admin lists it with a retry button.
- A worker claims a batch with a short lease (``LMS_LRS_FORWARD_LEASE``, 30 s) that it renews
  while it works, so the rows of a worker that died are due again within the lease; the beat
  sweep (every ``LMS_LRS_FORWARD_SWEEP_SECONDS``, 15 s) picks them up.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from integrations.lrs import Forwarder, get_forwarder
from integrations.lrs.base import OK, RETRY
from lrs.conf import app_settings
from lrs.models import ForwardedStatement

logger = logging.getLogger(__name__)

# Defaults in lrs/conf.py: a recovering LRS is tried again within LMS_LRS_FORWARD_BACKOFF_MAX
# (plus one sweep), so a backlog drains soon after; a dead worker's claimed rows are due again
# after LMS_LRS_FORWARD_LEASE, which a live worker renews as it sends.


def forwarding_enabled() -> bool:
    return bool(app_settings.LMS_LRS_FORWARD_URL)


def forward_setting(name: str) -> float:
    return float(app_settings.get(name))


def backoff_delay(attempts: int) -> timedelta:
    """Seconds to wait after ``attempts`` failed tries: base x 2^(attempts-1), capped."""
    base = forward_setting("LMS_LRS_FORWARD_BACKOFF_BASE")
    cap = forward_setting("LMS_LRS_FORWARD_BACKOFF_MAX")
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def lease_duration() -> timedelta:
    """How long a claim holds: ``LMS_LRS_FORWARD_LEASE``, but always longer than one request.

    The worker renews it before each statement, so it only has to outlast a single request
    (which gives up after ``LMS_LRS_FORWARD_TIMEOUT``), not a whole batch.
    """
    timeout = forward_setting("LMS_LRS_FORWARD_TIMEOUT")
    lease = forward_setting("LMS_LRS_FORWARD_LEASE")
    return timedelta(seconds=max(lease, 2 * timeout + 5))


def outbox_add(*, statements: Iterable[Any]) -> int:
    """Queue stored statements (``progress.Statement`` rows) for forwarding; returns how many.

    Call inside the storing transaction. A statement already queued is not queued again.
    """
    now = timezone.now()
    rows = [
        ForwardedStatement(
            statement_id=statement.statement_id,
            payload=statement.data,
            next_attempt_at=now,
        )
        for statement in statements
    ]
    if not rows:
        return 0
    ForwardedStatement.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(_enqueue)
    return len(rows)


# The nudge's broker connection, one per thread (kombu connections are not thread-safe).
_nudge = threading.local()
NUDGE_CONNECT_TIMEOUT = 0.5  # seconds; the broker is on the local network


def _nudge_connection(app: Any) -> Any:
    """A broker connection that fails at once when the broker is down.

    Celery's pooled connections retry the connect for up to ``broker_connection_timeout``
    (kombu's ``ensure_connection``); a request that stored statements must not wait on that.
    """
    connection = getattr(_nudge, "connection", None)
    if connection is None:
        options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
        connection = app.connection_for_write(
            connect_timeout=NUDGE_CONNECT_TIMEOUT, transport_options=options
        )
        _nudge.connection = connection
    return connection


def _enqueue() -> None:
    """Nudge a worker to send the new statement rows now (see :func:`nudge`)."""
    from lrs.tasks import forward_statements

    nudge(forward_statements)


def nudge(task: Any) -> None:
    """Enqueue ``task`` (no arguments) now, without ever delaying the caller long.

    No publish retries and a short connect timeout: with the broker down a retry would run
    inside the request that stored the statements or documents. The rows are durable and the
    beat sweep sends them whether or not this nudge arrives.
    """
    app = task.app
    try:
        if app.conf.task_always_eager:
            task.apply()
        else:
            # Celery passes the connection on among its options; celery-types does not list it.
            task.apply_async(retry=False, connection=_nudge_connection(app))
    except Exception:  # the broker is down: the beat sweep (or the next commit) picks them up
        connection = getattr(_nudge, "connection", None)
        _nudge.connection = None
        if connection is not None:
            # A half-open connection may fail to close; it is dropped either way.
            with contextlib.suppress(Exception):
                connection.release()
        logger.warning("could not enqueue %s; the sweep will send them", task.name, exc_info=True)


@dataclass
class ForwardReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    retry_in: float | None = None  # seconds until the deferred rows are due again


def _claim(batch_size: int) -> tuple[list[ForwardedStatement], datetime]:
    """Take a lease on the oldest due rows (skipping rows another worker holds).

    Returns the rows and the lease's end, which marks them as this worker's: a renewal only
    touches rows whose due time is still exactly that value.
    """
    now = timezone.now()
    lease_until = now + lease_duration()
    with transaction.atomic():
        rows = list(
            ForwardedStatement.objects.select_for_update(skip_locked=True)
            .filter(status=ForwardedStatement.Status.PENDING, next_attempt_at__lte=now)
            .order_by("id")[:batch_size]
        )
        if rows:
            ForwardedStatement.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=lease_until
            )
    return rows, lease_until


def _renew(rows: list[ForwardedStatement], lease_until: datetime) -> tuple[set[int], datetime]:
    """Extend the lease on the rows still held under ``lease_until``; return them and the end.

    A row whose lease ran out and that another worker claimed no longer matches, so it is
    left to that worker.
    """
    renewed_until = timezone.now() + lease_duration()
    pks = [row.pk for row in rows]
    held = set(
        ForwardedStatement.objects.filter(
            pk__in=pks, status=ForwardedStatement.Status.PENDING, next_attempt_at=lease_until
        ).values_list("pk", flat=True)
    )
    if held:
        ForwardedStatement.objects.filter(pk__in=held, next_attempt_at=lease_until).update(
            next_attempt_at=renewed_until
        )
    return held, renewed_until


def _park(row: ForwardedStatement, reason: str, status_code: int | None, kind: str) -> None:
    """Set a statement aside with its reason: shown in the admin, sent again only on retry.

    The log names the statement and the kind of problem only: a reason may quote the
    statement, and statements from other tools can carry an e-mail address.
    """
    row.status = ForwardedStatement.Status.FAILED
    row.last_status_code = status_code
    row.last_error = reason[:2000]
    logger.error(
        "statement %s parked, not forwarded (%s); see the forwarding admin", row.statement_id, kind
    )


def configured_forwarder() -> Forwarder:
    """The adapter named by ``LMS_LRS_FORWARDER`` for ``LMS_LRS_FORWARD_URL`` and its
    credentials."""
    return get_forwarder(
        path=str(app_settings.LMS_LRS_FORWARDER),
        endpoint=str(app_settings.LMS_LRS_FORWARD_URL),
        username=str(app_settings.LMS_LRS_FORWARD_USERNAME),
        password=str(app_settings.LMS_LRS_FORWARD_PASSWORD),
        timeout=float(app_settings.LMS_LRS_FORWARD_TIMEOUT),
        version_cache_seconds=float(app_settings.LMS_LRS_FORWARD_VERSION_CACHE_SECONDS),
    )


def forward_due_statements(*, max_batches: int = 50) -> ForwardReport:
    """Send due outbox rows, oldest first, in batches, until none is due or the LRS is down.

    At-least-once by design, never doubled: a crash between the PUT and marking the row sent
    only means the same PUT is made again later, which a conformant LRS ignores.
    """
    report = ForwardReport()
    if not forwarding_enabled():
        return report
    forwarder = configured_forwarder()
    batch_size = int(forward_setting("LMS_LRS_FORWARD_BATCH_SIZE"))
    # Renewing before each statement would cost two queries each; a third of the lease leaves
    # room for one more request (the lease outlasts two) before it could run out.
    renew_every = lease_duration().total_seconds() / 3
    for _ in range(max_batches):
        rows, lease_until = _claim(batch_size)
        if not rows:
            break
        renewed_at = time.monotonic()
        for index, row in enumerate(rows):
            if time.monotonic() - renewed_at > renew_every:
                # Keep the rest of the batch ours while we work; stop where another worker took
                # over rows whose lease ran out (a request that hung the whole lease).
                held, lease_until = _renew(rows[index:], lease_until)
                renewed_at = time.monotonic()
                if row.pk not in held:
                    break
            try:
                result = forwarder.send(row.payload)
            except Exception as exc:  # a statement the adapter cannot handle must not stop the rest
                row.attempts += 1
                _park(row, f"{type(exc).__name__}: {exc}", None, type(exc).__name__)
                report.failed += 1
                row.save(update_fields=_FIELDS)
                continue
            row.attempts += 1
            row.last_status_code = result.status_code
            row.last_error = "" if result.outcome == OK else result.detail
            if result.outcome == OK:
                row.status = ForwardedStatement.Status.SENT
                row.sent_at = timezone.now()
                report.sent += 1
            elif result.outcome == RETRY:
                # The external LRS is down: this row and the rest of the batch wait, in order.
                delay = backoff_delay(row.attempts)
                row.next_attempt_at = timezone.now() + delay
                row.save(update_fields=_FIELDS)
                rest = [r.pk for r in rows[index + 1 :]]
                ForwardedStatement.objects.filter(
                    pk__in=rest,
                    status=ForwardedStatement.Status.PENDING,
                    next_attempt_at=lease_until,
                ).update(next_attempt_at=row.next_attempt_at)
                report.deferred += 1 + len(rest)
                report.retry_in = delay.total_seconds()
                logger.warning(
                    "external LRS unavailable (%s); %d statements wait %.0f s",
                    result.detail or result.status_code,
                    1 + len(rest),
                    report.retry_in,
                )
                return report
            else:
                _park(row, result.detail or "rejected", result.status_code, "rejected")
                report.failed += 1
            row.save(update_fields=_FIELDS)
    return report


_FIELDS = ["status", "attempts", "last_status_code", "last_error", "next_attempt_at", "sent_at"]


def outbox_rows_retry(model: Any, *, ids: Iterable[int] | None, enqueue: Callable[[], None]) -> int:
    """Make an outbox's failed (or waiting) rows due now and ``enqueue`` its task after
    commit; returns how many (shared by the statement and document outboxes)."""
    rows = model.objects.exclude(status=model.Status.SENT)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    with transaction.atomic():
        count = rows.update(status=model.Status.PENDING, next_attempt_at=timezone.now())
        if count:
            transaction.on_commit(enqueue)
    return count


def outbox_rows_summary(model: Any, *, oldest: str, oldest_order: str) -> dict[str, Any]:
    """An outbox's counts by status (and pending rows never tried), when its oldest waiting
    row was written (``oldest``, ordered by ``oldest_order``), and its next try."""
    counts = {
        row["status"]: row["n"] for row in model.objects.values("status").annotate(n=Count("id"))
    }
    pending = model.objects.filter(status=model.Status.PENDING)
    return {
        "enabled": forwarding_enabled(),
        "pending": counts.get("pending", 0),
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        # Claimed by a worker that died or failed before its first request, or not reached yet.
        "never_tried": pending.filter(attempts=0).count(),
        "oldest_pending_at": pending.order_by(oldest_order).values_list(oldest, flat=True).first(),
        "next_attempt_at": pending.order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first(),
    }


def outbox_retry(*, ids: Iterable[int] | None = None) -> int:
    """Make failed (or waiting) rows due now and enqueue the task; returns how many."""
    return outbox_rows_retry(ForwardedStatement, ids=ids, enqueue=_enqueue)


def outbox_summary() -> dict[str, Any]:
    """Counts by status (and pending rows never tried), the oldest waiting row, the next try."""
    return outbox_rows_summary(ForwardedStatement, oldest="created_at", oldest_order="id")


def on_log_entries(entries: list[Any]) -> None:
    """Consumer ``"forwarding"`` of the statement log (``lrs.statement_log``): queue the stored
    statements of the entries in the outbox. It runs in the transaction that marks the entries
    applied, so a statement is never dropped between the log and the outbox."""
    from lrs.statement_log import statements_of

    stored = [entry for entry in entries if entry.kind == "stored"]
    if stored:
        outbox_add(statements=statements_of(stored))
