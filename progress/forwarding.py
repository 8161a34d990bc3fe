"""Forwarding accepted statements to an external LRS through a transactional outbox.

When ``LMS_LRS_FORWARD_URL`` is set, the ``statements_stored`` receiver writes one
``ForwardedStatement`` row per accepted statement *in the storing transaction* (so nothing is
accepted without being queued) and, on commit, enqueues ``progress.tasks.forward_statements``.
The task sends due rows in batches, oldest first, with ``PUT`` by statement id (an external
LRS ignores an identical repeat, so a retry never doubles a statement). An unreachable LRS or
a 5xx answer puts the batch back with exponential backoff; a 4xx marks that row failed (shown
in the Wagtail admin, with a retry button). A beat schedule runs the task every minute, so
rows survive worker and web restarts: a row leased by a worker that died becomes due again
when its lease runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from integrations.lrs import get_forwarder
from integrations.lrs.base import OK, RETRY
from progress.models import ForwardedStatement

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100
DEFAULT_BACKOFF_BASE = 5.0  # seconds before the first retry
DEFAULT_BACKOFF_MAX = 3600.0  # never wait longer than an hour between tries


def forwarding_enabled() -> bool:
    return bool(getattr(settings, "LMS_LRS_FORWARD_URL", ""))


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def backoff_delay(attempts: int) -> timedelta:
    """Seconds to wait after ``attempts`` failed tries: base x 2^(attempts-1), capped."""
    base = _setting("LMS_LRS_FORWARD_BACKOFF_BASE", DEFAULT_BACKOFF_BASE)
    cap = _setting("LMS_LRS_FORWARD_BACKOFF_MAX", DEFAULT_BACKOFF_MAX)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def lease_duration() -> timedelta:
    # Long enough for a whole batch to time out statement by statement.
    timeout = _setting("LMS_LRS_FORWARD_TIMEOUT", 10.0)
    batch = int(_setting("LMS_LRS_FORWARD_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    return timedelta(seconds=60 + timeout * batch)


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


def _enqueue() -> None:
    from progress.tasks import forward_statements

    try:
        forward_statements.delay()
    except Exception:  # the broker is down: the beat sweep (or the next commit) picks them up
        logger.warning(
            "could not enqueue forward_statements; the sweep will send them", exc_info=True
        )


@dataclass
class ForwardReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    retry_in: float | None = None  # seconds until the deferred rows are due again


def _claim(batch_size: int) -> list[ForwardedStatement]:
    """Take a lease on the oldest due rows (skipping rows another worker holds)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            ForwardedStatement.objects.select_for_update(skip_locked=True)
            .filter(status=ForwardedStatement.Status.PENDING, next_attempt_at__lte=now)
            .order_by("id")[:batch_size]
        )
        if rows:
            ForwardedStatement.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=now + lease_duration()
            )
    return rows


def forward_due_statements(*, max_batches: int = 50) -> ForwardReport:
    """Send due outbox rows, oldest first, in batches, until none is due or the LRS is down.

    At-least-once by design, never doubled: a crash between the PUT and marking the row sent
    only means the same PUT is made again later, which a conformant LRS ignores.
    """
    report = ForwardReport()
    if not forwarding_enabled():
        return report
    forwarder = get_forwarder()
    batch_size = int(_setting("LMS_LRS_FORWARD_BATCH_SIZE", DEFAULT_BATCH_SIZE))
    for _ in range(max_batches):
        rows = _claim(batch_size)
        if not rows:
            break
        for index, row in enumerate(rows):
            result = forwarder.send(row.payload)
            row.attempts += 1
            row.last_status_code = result.status_code
            row.last_error = "" if result.outcome == OK else result.detail
            if result.outcome == OK:
                row.status = ForwardedStatement.Status.SENT
                row.sent_at = timezone.now()
                report.sent += 1
            elif result.outcome == RETRY:
                # The external LRS is down: this row and the rest of the batch wait, in order.
                row.next_attempt_at = timezone.now() + backoff_delay(row.attempts)
                row.save(update_fields=_FIELDS)
                rest = [r.pk for r in rows[index + 1 :]]
                ForwardedStatement.objects.filter(pk__in=rest).update(
                    next_attempt_at=row.next_attempt_at
                )
                report.deferred += 1 + len(rest)
                report.retry_in = backoff_delay(row.attempts).total_seconds()
                logger.warning(
                    "external LRS unavailable (%s); %d statements wait",
                    result.detail or result.status_code,
                    1 + len(rest),
                )
                return report
            else:
                row.status = ForwardedStatement.Status.FAILED
                report.failed += 1
                logger.error(
                    "external LRS rejected statement %s: %s %s",
                    row.statement_id,
                    result.status_code,
                    result.detail,
                )
            row.save(update_fields=_FIELDS)
    return report


_FIELDS = ["status", "attempts", "last_status_code", "last_error", "next_attempt_at", "sent_at"]


def outbox_retry(*, ids: Iterable[int] | None = None) -> int:
    """Make failed (or waiting) rows due now and enqueue the task; returns how many."""
    rows = ForwardedStatement.objects.exclude(status=ForwardedStatement.Status.SENT)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    with transaction.atomic():
        count = rows.update(
            status=ForwardedStatement.Status.PENDING, next_attempt_at=timezone.now()
        )
        if count:
            transaction.on_commit(_enqueue)
    return count


def outbox_summary() -> dict[str, Any]:
    """Counts by status, the oldest waiting row's age and when the next try is due."""
    counts = {
        row["status"]: row["n"]
        for row in ForwardedStatement.objects.values("status").annotate(n=Count("id"))
    }
    pending = ForwardedStatement.objects.filter(status=ForwardedStatement.Status.PENDING)
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    next_try = pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    return {
        "enabled": forwarding_enabled(),
        "pending": counts.get("pending", 0),
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "oldest_pending_at": oldest,
        "next_attempt_at": next_try,
    }
