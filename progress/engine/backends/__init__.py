"""The engine's dialect-specific SQL, one module per dialect, chosen once per database alias.

``postgresql`` loads a recompute's evidence with ``COPY``; ``portable`` (SQLite and any other
database) with ``bulk_create``. The engine calls ``backend(alias).insert_evidence(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from django.db import DEFAULT_DB_ALIAS

from common.dialects import dialect_module

if TYPE_CHECKING:
    from progress.models import ProgressEvidence

__all__ = ["EngineBackend", "backend"]


class EngineBackend(Protocol):
    """What the engine asks of a dialect."""

    def insert_evidence(self, batch: list[ProgressEvidence], *, using: str) -> int:
        """Insert ``batch`` into a table a recompute emptied in this transaction; the number
        of rows inserted (a row whose statement id is already there is skipped)."""
        ...


def backend(alias: str = DEFAULT_DB_ALIAS) -> EngineBackend:
    """The engine backend for the database behind ``alias``."""
    return cast(EngineBackend, dialect_module(__name__, alias))


if TYPE_CHECKING:  # each dialect module must implement the protocol
    from . import portable, postgresql

    _portable: EngineBackend = portable
    _postgresql: EngineBackend = postgresql
