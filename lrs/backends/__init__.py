"""The LRS's dialect-specific SQL, one module per dialect, chosen once per database alias.

``postgresql`` reserves ids and looks a batch up in one round trip, writes statements and their
index rows with multi-row ``INSERT``s or ``COPY``, merges activity definitions in one
``INSERT … ON CONFLICT`` and appends to the statement log in one ``WITH … INSERT``;
``portable`` (SQLite and any other database) does the same with the ORM. The store and the log
call ``backend().<operation>(...)``; nothing else in the LRS looks at the database vendor.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

from django.db import DEFAULT_DB_ALIAS

from common.dialects import dialect_module

if TYPE_CHECKING:
    from lrs.models import Statement

__all__ = ["StoreBackend", "backend"]


class StoreBackend(Protocol):
    """What the statement store and the statement log ask of a dialect."""

    def lookup_and_reserve(
        self, lookup_ids: list[str], new_ids: list[str], count: int
    ) -> tuple[list[tuple], list[int]]:
        """Rows ``(id, statement_id, data, voiding, ref_target)`` of stored statements with
        these ids or voiding one of ``new_ids``, and ``count`` reserved row ids (or none, when
        the database assigns them on insert)."""
        ...

    def insert_statements(self, rows: list[Statement]) -> None:
        """Insert statement rows (or leave them for ``insert_index_rows`` to insert with theirs);
        afterwards every row has its id."""
        ...

    def insert_index_rows(
        self,
        rows: list[Statement],
        agents: list[tuple[int, str, bool]],
        activities: list[tuple[int, str]],
    ) -> None:
        """Insert the agent and activity index rows of ``rows``."""
        ...

    def activities_define(self, definitions: dict[str, dict]) -> None:
        """Create activities not yet known and merge these definitions into the known ones
        (language maps joined, other properties replaced)."""
        ...

    def log_append(
        self,
        kind: str,
        entries: list[tuple[str, int, list[int]]],
        consumers: list[str],
        now: datetime,
    ) -> list[int]:
        """Write statement-log entries ``(partition, shard, statement ids)`` with a delivery per
        consumer each; the new entries' ids."""
        ...


def backend(alias: str = DEFAULT_DB_ALIAS) -> StoreBackend:
    """The LRS backend for the database behind ``alias``."""
    return cast(StoreBackend, dialect_module(__name__, alias))


if TYPE_CHECKING:  # each dialect module must implement the protocol
    from . import portable, postgresql

    _portable: StoreBackend = portable
    _postgresql: StoreBackend = postgresql
