"""The transactional outbox of statements to forward to an external LRS."""

from __future__ import annotations

from django.db import models


class ForwardedStatement(models.Model):
    """One accepted statement waiting to be (or already) forwarded.

    Written in the transaction that stores the statement, so a statement is never accepted
    without its row; the forwarding task PUTs it with its id (an external LRS ignores an
    identical repeat), so retrying after a crash never doubles it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    statement_id = models.UUIDField(unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Due time of the next try; also the lease a worker takes while sending.
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Sent rows pile up; the sweep only ever reads the unsent ones.
            models.Index(
                fields=["next_attempt_at"],
                name="progress_fwd_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["status", "id"],
                name="progress_fwd_status",
                condition=~models.Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} ({self.status})"
