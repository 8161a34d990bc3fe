"""The reports' dialect-specific SQL, one module per dialect, chosen once per database alias.

``postgresql`` rebuilds the fact table with one ``INSERT … SELECT`` and answers a whole table
with its margins in one statement (``GROUPING SETS``, ``percentile_cont`` for the median);
``portable`` (SQLite, the embedded default, and any other database) builds facts in Python and
runs one statement per grouping set, taking medians from per-group histograms. Both give the
same rows and numbers. ``reports.refresh`` and ``reports.aggregate`` call
``backend(alias).<operation>(...)`` and never look at the database vendor themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, cast

from django.db import DEFAULT_DB_ALIAS

from common.dialects import dialect_module

if TYPE_CHECKING:
    from reports.aggregate import ResolvedFilters, Results

__all__ = ["ReportsBackend", "backend"]


class ReportsBackend(Protocol):
    """What the reports ask of a dialect."""

    def facts_rebuild(self, *, using: str) -> int:
        """Replace every ``ReportFact`` with one per counted enrolment, in one transaction;
        the number of facts."""
        ...

    def compute(
        self, dimensions: Sequence[str], filters: ResolvedFilters, *, using: str
    ) -> Results:
        """Raw figures of the fact table for every grouping set of ``dimensions``."""
        ...

    def compute_slices(
        self, fixed: Sequence[str], pair: Sequence[str], *, using: str
    ) -> dict[tuple[str, ...], Results]:
        """``compute(pair, …)`` for each value of the ``fixed`` dimensions (e.g. per state)."""
        ...


def backend(alias: str = DEFAULT_DB_ALIAS) -> ReportsBackend:
    """The reports backend for the database behind ``alias``."""
    return cast(ReportsBackend, dialect_module(__name__, alias))


if TYPE_CHECKING:  # each dialect module must implement the protocol
    from . import portable, postgresql

    _portable: ReportsBackend = portable
    _postgresql: ReportsBackend = postgresql
