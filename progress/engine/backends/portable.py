"""The engine's SQL for any database Django supports (SQLite, the embedded default)."""

from __future__ import annotations

from progress.models import ProgressEvidence


def insert_evidence(batch: list[ProgressEvidence], *, using: str) -> int:
    """``bulk_create``, skipping statement ids already stored."""
    return len(ProgressEvidence.objects.using(using).bulk_create(batch, ignore_conflicts=True))
