"""Published tables: what the snapshot levels answer, finished once per refresh.

A table read from the snapshots used to be decoded cell by cell, suppressed, sorted and
labelled on every request: for a national table by school (20,000 rows at today's scale,
40,000 at twice it) that Python work took about a second. Celery beat now does it once per
refresh, for the minimum cell size in force (``LMS_REPORT_MIN_CELL``), and stores each table
as one JSON document of rows already in order:

    {"k": 5, "dims": ["school", "course"],
     "rows": [[raw keys…, code, name, code, name, 7 figures…, suppressed], …],
     "row_totals": […], "column_totals": […], "total": [7 figures…, suppressed]}

A request decodes the document (C speed) and builds only the dicts of the rows it returns.
A two-dimension table asked in the other order (course,school) is the same table re-sorted.
Labels (school and course names) are those of the refresh, within its staleness bound; the
label of a missing key ("Sin dato") is added on read, in the reader's language. When the
minimum cell size changed since the refresh, the table is suppressed on read as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from reports.aggregate import FIGURES, Cell, ResolvedFilters, Table
from reports.labels import LabelBook, key_parts
from reports.models import ReportSnapshot

PREFIX = "pub:"
FIELDS = (*FIGURES, "suppressed")
_WIDTH = len(FIELDS)


def _row(cell: Cell, dims: Sequence[str], labels: dict[str, dict[str, str]],
         parts: dict[tuple[str, str], tuple[Any, Any]]) -> list[Any]:  # fmt: skip
    raws = [cell.keys.get(d, "") for d in dims]
    row: list[Any] = list(raws)
    for dimension, raw in zip(dims, raws, strict=True):
        known = parts.get((dimension, raw))
        if known is None:
            label = labels.get(dimension, {}).get(raw, "")
            # A missing key's label is language-dependent: left empty here, added on read.
            known = parts[(dimension, raw)] = (
                key_parts(dimension, raw, label) if raw else (None, None)
            )
        row.extend(known)
    figures = cell.figures()
    row.extend(figures[name] for name in FIGURES)
    row.append(cell.suppressed)
    return row


def document(table: Table, book: LabelBook) -> str:
    """The JSON document of a finished (suppressed, sorted) ``table``."""
    dims = table.dimensions
    labels = book.maps(dims, [*table.cells, *table.row_totals, *table.column_totals])
    parts: dict[tuple[str, str], tuple[Any, Any]] = {}
    doc: dict[str, Any] = {
        "k": table.min_cell,
        "dims": list(dims),
        "rows": [_row(cell, dims, labels, parts) for cell in table.cells],
        "total": [*(table.total.figures()[name] for name in FIGURES), table.total.suppressed],
    }
    if len(dims) == 2:
        doc["row_totals"] = [_row(c, dims[:1], labels, parts) for c in table.row_totals]
        doc["column_totals"] = [_row(c, dims[1:], labels, parts) for c in table.column_totals]
    return json.dumps(doc, separators=(",", ":"))


def national_grouping(dims: Sequence[str]) -> str:
    return ",".join(dims)


def slice_grouping(dims: Sequence[str], slice_key: Sequence[str]) -> str:
    return f"{','.join(dims)}@{','.join(slice_key)}"


def shape(snapshot_shape: str) -> str:
    """The shape under which the tables derived from a snapshot shape are published (each
    refresh replaces them all, in the transaction that replaces the snapshot)."""
    return PREFIX + snapshot_shape


def locate(dimensions: tuple[str, ...], filters: ResolvedFilters) -> tuple[str, str] | None:
    """Where the table of ``dimensions`` under ``filters`` is published, if anywhere: the same
    choice, in the same order, as ``reports.aggregate.collect`` makes among the snapshots."""
    from reports import snapshots

    wanted = snapshots.canonical(dimensions)
    if not wanted:
        return None
    if filters == ResolvedFilters():
        pair = snapshots.pair_for(dimensions)
        if pair is None:
            return None
        return shape(",".join(pair)), national_grouping(wanted)
    if len(wanted) == 1 and filters == ResolvedFilters(state=filters.state):
        if filters.state is None or wanted == ("state",):
            return None
        return shape(f"state,{wanted[0]}"), slice_grouping(wanted, (filters.state,))
    cut = snapshots.slice_of(filters)
    if cut is None:
        return None
    fixed, slice_key = cut
    level = snapshots.level_for(dimensions, fixed)
    if level is None:
        return None
    return shape(snapshots.level_shape(*level)), slice_grouping(wanted, slice_key)


def read(dimensions: tuple[str, ...], filters: ResolvedFilters, *, using: str) -> Any:
    """The published document of this table (decoded), or None when none is stored."""
    place = locate(dimensions, filters)
    if place is None:
        return None
    text = (
        ReportSnapshot.objects.using(using)
        .filter(shape=place[0], grouping=place[1])
        .values_list("data", flat=True)
        .first()
    )
    return None if text is None else json.loads(text)


def _sortable(value: str) -> tuple[int, int, str]:
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def ordered_rows(doc: dict[str, Any], dimensions: Sequence[str]) -> list[list[Any]]:
    """The stored rows in the order of ``dimensions`` (stored in the canonical order)."""
    rows: list[list[Any]] = doc["rows"]
    if list(dimensions) == doc["dims"]:
        return rows
    return sorted(rows, key=lambda row: (_sortable(row[1]), _sortable(row[0])))


def as_dicts(rows: list[list[Any]], stored: Sequence[str], wanted: Sequence[str]) -> list[dict]:
    """The API rows of stored ``rows`` (laid out for the ``stored`` dimensions), with the
    ``wanted`` dimensions' codes and labels first, in that order."""
    n = len(stored)
    names: list[str] = []
    positions: list[int] = []
    for dimension in wanted:
        at = n + 2 * stored.index(dimension)
        names += [dimension, f"{dimension}_name"]
        positions += [at, at + 1]
    names += FIELDS
    positions += range(3 * n, 3 * n + _WIDTH)
    if positions == list(range(n, 3 * n + _WIDTH)):
        out = [dict(zip(names, row[n:], strict=True)) for row in rows]
    else:
        out = [dict(zip(names, [row[i] for i in positions], strict=True)) for row in rows]
    name_keys = [f"{dimension}_name" for dimension in wanted]
    missing = None
    for row in out:
        for key in name_keys:
            if row[key] is None:
                missing = missing or _("Sin dato")
                row[key] = missing
    return out


def total(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(FIELDS, doc["total"], strict=True))


# --- writing (Celery beat, right after the snapshots) -----------------------------------------


class Publisher:
    """Finishes the tables of one refresh: suppression at the minimum cell size in force, the
    rows in order, labels looked up once per key for the whole refresh."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.book = LabelBook()

    def _table(self, dims: tuple[str, ...], results: Any) -> str | None:
        from reports.aggregate import grouping_sets, suppress
        from reports.query import QueryError

        # Only the grouping sets the table uses; suppression marks their cells in place.
        wanted = {grouping: results.get(grouping, {}) for grouping in grouping_sets(dims)}
        try:
            table = suppress(dims, wanted, k=self.k, paged=True)
        except QueryError:  # beyond LMS_REPORT_MAX_TABLE_GROUPS: asked for, it is refused
            return None
        return document(table, self.book)

    def pair(self, pair: tuple[str, str], results: Any) -> dict[str, str]:
        """The national tables a pair's snapshot answers (the pair, and the one-dimension
        tables it is the first to hold) and, for (state, d), each state's table by d."""
        from dataclasses import replace

        from reports import snapshots

        docs: dict[str, str | None] = {national_grouping(pair): self._table(pair, results)}
        for dimension in pair:
            if snapshots.pair_for((dimension,)) == pair:
                docs[dimension] = self._table((dimension,), results)
        if pair[0] == "state":
            chunks: dict[str, dict[tuple[str, ...], Cell]] = {}
            for key, cell in results.get(pair, {}).items():
                chunks.setdefault(key[0], {})[(key[1],)] = cell
            states = results.get(("state",), {})
            for state, cells in chunks.items():
                row = states.get((state,))
                totals = {(): replace(row, keys={})} if row else {}
                docs[slice_grouping(pair[1:], (state,))] = self._table(
                    pair[1:], {pair[1:]: cells, (): totals}
                )
        return {grouping: doc for grouping, doc in docs.items() if doc is not None}

    def slice(
        self, fixed: tuple[str, ...], pair: tuple[str, str], slice_key: tuple[str, ...],
        results: Any,
    ) -> dict[str, str]:  # fmt: skip
        """The tables one slice of a level answers: the pair, and with a state and a
        subsystem fixed its one-dimension tables (a state's alone come from its chunks)."""
        docs = {slice_grouping(pair, slice_key): self._table(pair, results)}
        if len(fixed) > 1:
            for dimension in pair:
                docs[slice_grouping((dimension,), slice_key)] = self._table((dimension,), results)
        return {grouping: doc for grouping, doc in docs.items() if doc is not None}
