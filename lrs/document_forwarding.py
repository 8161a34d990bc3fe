"""Forwarding State, Activity Profile and Agent Profile documents to an external LRS.

The same guarantees as statements (``lrs.forwarding``), through a second outbox,
``ForwardedDocument``, with one row per document:

- The transaction that writes or deletes a document writes the row (``outbox_write``): the
  document's stored content after the write (so a POST is forwarded as a PUT of the merged
  JSON), or a delete marker. A failing write rolls back its row with it.
- Coalescing: a newer write of the same document replaces the row's content and bumps its
  ``revision``; the worker marks a row sent only if the revision it sent is still the row's,
  and otherwise makes it due at once, so the newer content goes next. A write never shortens
  a worker's lease (it leaves ``next_attempt_at`` alone on a pending row), so two workers never
  send two revisions of one document at the same time: an older content cannot arrive after
  a newer one.
- Delivery by ``lrs.tasks.forward_documents`` (nudged on commit, and the beat sweep every
  ``LMS_LRS_FORWARD_SWEEP_SECONDS``), with the statements' backoff, lease and parking rules and
  settings: an outage puts the batch back with capped exponential backoff, a 4xx (or a
  document the adapter fails on) parks the row with its reason for the admin's retry button.

The log names a row by its id and kind only: an agent may be an e-mail address and a
document id or content anything a tool chose.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from integrations.lrs import DocumentWrite, Forwarder
from integrations.lrs.base import OK, RETRY
from lrs.forwarding import (
    ForwardReport,
    backoff_delay,
    configured_forwarder,
    forward_setting,
    forwarding_enabled,
    lease_duration,
    nudge,
    outbox_rows_retry,
    outbox_rows_summary,
)
from lrs.models import ForwardedDocument
from lrs.statements import agent_for_ifi

logger = logging.getLogger(__name__)

_FIELDS = ["status", "attempts", "last_status_code", "last_error", "next_attempt_at", "sent_at"]


def document_key(scope: dict[str, str], document_id: str) -> str:
    """The outbox key of a document: a digest of its kind, activity, agent, registration, id."""
    parts = (
        scope["kind"],
        scope.get("activity", ""),
        scope.get("agent_ifi", ""),
        scope.get("registration", ""),
        document_id,
    )
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def outbox_write(
    *,
    scope: dict[str, str],
    document_id: str,
    content: bytes | None,
    content_type: str = "",
    nudge_on_commit: bool = True,
) -> ForwardedDocument | None:
    """Queue the document as now stored (``content`` None: deleted); None when forwarding is
    off. Call inside the transaction that wrote it, after the write. ``nudge_on_commit=False``
    leaves the nudge to the caller (one for many rows: :func:`enqueue_on_commit`).

    A row still waiting for the same document takes the new content (a newer revision) and
    keeps its due time: a worker sending the older revision keeps its lease, and the row is
    due again as soon as it finishes. A sent or parked row becomes due now.
    """
    if not forwarding_enabled():
        return None
    now = timezone.now()
    key = document_key(scope, document_id)
    values: dict[str, Any] = {
        "content": bytes(content) if content is not None else None,
        "content_type": content_type if content is not None else "",
        "written_at": now,
    }
    row = ForwardedDocument.objects.select_for_update().filter(key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ForwardedDocument.objects.create(
                    key=key,
                    kind=scope["kind"],
                    activity=scope.get("activity", ""),
                    agent_ifi=scope.get("agent_ifi", ""),
                    agent=agent_for_ifi(scope.get("agent_ifi", "")),
                    registration=scope.get("registration", ""),
                    document_id=document_id,
                    next_attempt_at=now,
                    **values,
                )
        except IntegrityError:  # another transaction queued the same document first
            row = ForwardedDocument.objects.select_for_update().get(key=key)
        else:
            if nudge_on_commit:
                transaction.on_commit(_enqueue)
            return row
    if row.status != ForwardedDocument.Status.PENDING:
        values.update(
            status=ForwardedDocument.Status.PENDING,
            next_attempt_at=now,
            attempts=0,
            last_status_code=None,
            last_error="",
            sent_at=None,
        )
    ForwardedDocument.objects.filter(pk=row.pk).update(revision=F("revision") + 1, **values)
    if nudge_on_commit:
        transaction.on_commit(_enqueue)
    return row


def enqueue_on_commit() -> None:
    """Have a worker send the rows queued in this transaction once it commits."""
    transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from lrs.tasks import forward_documents

    nudge(forward_documents)


def as_document_write(row: ForwardedDocument) -> DocumentWrite:
    """The plain data the adapter sends for one outbox row."""
    return DocumentWrite(
        kind=row.kind,
        document_id=row.document_id,
        activity_id=row.activity,
        agent=row.agent,
        registration=row.registration,
        content=bytes(row.content) if row.content is not None else None,
        content_type=row.content_type or "application/octet-stream",
    )


def _claim(batch_size: int) -> tuple[list[ForwardedDocument], datetime]:
    """Take a lease on the oldest due rows (skipping rows another worker holds)."""
    now = timezone.now()
    lease_until = now + lease_duration()
    with transaction.atomic():
        rows = list(
            ForwardedDocument.objects.select_for_update(skip_locked=True)
            .filter(status=ForwardedDocument.Status.PENDING, next_attempt_at__lte=now)
            .order_by("id")[:batch_size]
        )
        if rows:
            ForwardedDocument.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=lease_until
            )
    return rows, lease_until


def _renew(rows: list[ForwardedDocument], lease_until: datetime) -> tuple[set[int], datetime]:
    """Extend the lease on the rows still held under ``lease_until``; return them and the end."""
    renewed_until = timezone.now() + lease_duration()
    pks = [row.pk for row in rows]
    held = set(
        ForwardedDocument.objects.filter(
            pk__in=pks, status=ForwardedDocument.Status.PENDING, next_attempt_at=lease_until
        ).values_list("pk", flat=True)
    )
    if held:
        ForwardedDocument.objects.filter(pk__in=held, next_attempt_at=lease_until).update(
            next_attempt_at=renewed_until
        )
    return held, renewed_until


def _finish(row: ForwardedDocument, lease_until: datetime, **changes: Any) -> bool:
    """Write the outcome of sending ``row`` at its revision, if the row still is that revision
    under this worker's lease. Otherwise a newer write came in while the request ran: the row
    is made due now (still this worker's, so no one else was sending it), and the newer content
    goes next. Returns whether the outcome was written."""
    mine = ForwardedDocument.objects.filter(
        pk=row.pk, status=ForwardedDocument.Status.PENDING, next_attempt_at=lease_until
    )
    if mine.filter(revision=row.revision).update(**changes):
        return True
    mine.update(next_attempt_at=timezone.now(), attempts=F("attempts") + 1)
    return False


def _send(forwarder: Forwarder, row: ForwardedDocument) -> Any:
    try:
        return forwarder.send_document(as_document_write(row))
    except Exception as exc:  # a document the adapter cannot handle must not stop the rest
        return exc


def forward_due_documents(*, max_batches: int = 50) -> ForwardReport:
    """Send due document rows, oldest first, in batches, until none is due or the LRS is down.

    At-least-once and idempotent: a PUT of the same content, or a DELETE of a document already
    gone, changes nothing at the external LRS, so a crash between sending and marking is
    harmless.
    """
    report = ForwardReport()
    if not forwarding_enabled():
        return report
    forwarder = configured_forwarder()
    batch_size = int(forward_setting("LMS_LRS_FORWARD_BATCH_SIZE"))
    renew_every = lease_duration().total_seconds() / 3
    for _ in range(max_batches):
        rows, lease_until = _claim(batch_size)
        if not rows:
            break
        renewed_at = time.monotonic()
        for index, row in enumerate(rows):
            if time.monotonic() - renewed_at > renew_every:
                held, lease_until = _renew(rows[index:], lease_until)
                renewed_at = time.monotonic()
                if row.pk not in held:
                    break
            result = _send(forwarder, row)
            attempts = row.attempts + 1
            if isinstance(result, Exception):
                kind = type(result).__name__
                reason = f"{kind}: {result}"
                if _finish(row, lease_until, **_parked(attempts, reason, None)):
                    _log_parked(row, kind)
                    report.failed += 1
                continue
            if result.outcome == OK:
                if _finish(
                    row,
                    lease_until,
                    status=ForwardedDocument.Status.SENT,
                    attempts=attempts,
                    last_status_code=result.status_code,
                    last_error="",
                    sent_at=timezone.now(),
                ):
                    report.sent += 1
            elif result.outcome == RETRY:
                # The external LRS is down: this row and the rest of the batch wait. The
                # backoff holds whatever the revision: a newer one would meet the same outage.
                delay = backoff_delay(attempts)
                due = timezone.now() + delay
                ForwardedDocument.objects.filter(
                    pk=row.pk,
                    status=ForwardedDocument.Status.PENDING,
                    next_attempt_at=lease_until,
                ).update(
                    attempts=attempts,
                    last_status_code=result.status_code,
                    last_error=result.detail[:2000],
                    next_attempt_at=due,
                )
                rest = [r.pk for r in rows[index + 1 :]]
                ForwardedDocument.objects.filter(
                    pk__in=rest,
                    status=ForwardedDocument.Status.PENDING,
                    next_attempt_at=lease_until,
                ).update(next_attempt_at=due)
                report.deferred += 1 + len(rest)
                report.retry_in = delay.total_seconds()
                logger.warning(
                    "external LRS unavailable (%s); %d documents wait %.0f s",
                    # The status or the exception's name: an answer's body could quote the document.
                    result.status_code or result.detail.partition(":")[0] or "no answer",
                    1 + len(rest),
                    report.retry_in,
                )
                return report
            else:
                reason = result.detail or "rejected"
                if _finish(row, lease_until, **_parked(attempts, reason, result.status_code)):
                    _log_parked(row, "rejected")
                    report.failed += 1
    return report


def _parked(attempts: int, reason: str, status_code: int | None) -> dict[str, Any]:
    return {
        "status": ForwardedDocument.Status.FAILED,
        "attempts": attempts,
        "last_status_code": status_code,
        "last_error": reason[:2000],
    }


def _log_parked(row: ForwardedDocument, kind: str) -> None:
    # The row id and the document's kind only: the agent, the document id and the reason (which
    # may quote the document) can be personal.
    logger.error(
        "%s document (outbox row %s) parked, not forwarded (%s); see the forwarding admin",
        row.kind,
        row.pk,
        kind,
    )


def outbox_retry(*, ids: Iterable[int] | None = None) -> int:
    """Make failed (or waiting) document rows due now and enqueue the task; returns how many."""
    return outbox_rows_retry(ForwardedDocument, ids=ids, enqueue=_enqueue)


def outbox_summary() -> dict[str, Any]:
    """Counts by status (and pending rows never tried), the oldest waiting write, the next try."""
    return outbox_rows_summary(ForwardedDocument, oldest="written_at", oldest_order="written_at")
