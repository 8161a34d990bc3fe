"""Precomputed tables: what national and state dashboards ask for, without other filters.

Scanning two million facts takes seconds on a small machine, so Celery beat computes the
unfiltered national tables once per refresh (right after the fact rebuild) and stores their
raw cells (counts, distinct teachers, medians) as JSON. Suppression runs on read, so a
change of ``LMS_REPORT_MIN_CELL`` applies at once. Three levels: the national pairs, each
state's chunk of the (state, d) pairs (one-dimension tables of a state), and the sliced
levels (``SLICED``: two-dimension tables within a state, or a state and a subsystem). Any
other filter, date range or school reads the fact table itself.

Every one-dimension table and the summary are margins of some pair, so only pairs are
computed; a pair answers both orders (state,month and month,state).
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import combinations
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from reports import conf, published
from reports.models import ReportSnapshot
from reports.query import DIMENSIONS

# School x (course | sector | topic | month) has hundreds of thousands of groups nationally,
# beyond LMS_REPORT_MAX_GROUPS: those are never asked for without a filter, so not stored.
_SKIPPED = {frozenset({"school", other}) for other in ("course", "sector", "topic", "month")}
PAIRS: list[tuple[str, str]] = [
    pair for pair in combinations(DIMENSIONS, 2) if frozenset(pair) not in _SKIPPED
]
TREND_SHAPE = "trend"

# Sliced levels: tables of a pair within one state (or one state and subsystem), stored per
# slice. Within Estado de México (13 % of the facts) a two-dimension table costs the fact
# table half a second or more at national scale, and a state + subsystem school x course
# table tens of thousands of groups; each level costs the refresh one pass over the facts.
# Each slice stores its four grouping sets apart, so a one-dimension table (by school within
# a state and subsystem) reads only its own set and the total.
SLICED: list[tuple[tuple[str, ...], tuple[str, str]]] = [
    (("state",), ("subsystem", "course")),
    (("state",), ("course", "month")),
    (("state", "subsystem"), ("school", "course")),
]


def canonical(dimensions: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(dimensions, key=DIMENSIONS.index))


def pair_for(dimensions: tuple[str, ...]) -> tuple[str, str] | None:
    """The stored pair whose grouping sets include ``dimensions``."""
    wanted = canonical(dimensions)
    if len(wanted) == 2:
        return wanted if wanted in PAIRS else None
    for pair in PAIRS:
        if not wanted or wanted[0] in pair:
            return pair
    return None


def _encode_cells(cells: Any) -> str:
    return json.dumps(
        [
            [
                list(key),
                cell.enrolled,
                cell.teachers,
                cell.started,
                cell.completed,
                cell.credentialed,
                cell.hours_completed,
                cell.median_days_to_complete,
            ]
            for key, cell in cells.items()
        ],
        separators=(",", ":"),
    )


def _decode_cells(text: str, stored: tuple[str, ...], order: tuple[str, ...]) -> Any:
    from reports.aggregate import Cell

    positions = [stored.index(d) for d in order]
    cells = {}
    # Positional arguments and no per-cell zip: a national table by school has 20,000 cells
    # (40,000 at twice today's scale) and this loop is most of its cost.
    same_order = positions == list(range(len(stored)))
    for key, enrolled, teachers, started, completed, credentialed, hours, median in json.loads(
        text
    ):
        ordered_key = tuple(key) if same_order else tuple(key[i] for i in positions)
        cells[ordered_key] = Cell(
            dict(zip(order, ordered_key, strict=True)),
            enrolled,
            teachers,
            started,
            completed,
            credentialed,
            hours,
            median,
        )
    return cells


def read(dimensions: tuple[str, ...], *, using: str) -> Any:
    """Collected results for an unfiltered national table, or None if not stored.

    Reads only the grouping sets the table needs: a one-dimension table its own set and the
    total, a pair its four sets. Results come in the caller's order (month,state too).
    """
    pair = pair_for(dimensions)
    if pair is None:
        return None
    wanted = tuple(dimensions)
    needed = {canonical(wanted), ()}
    if len(wanted) == 2:
        needed |= {(wanted[0],), (wanted[1],)}
    rows = dict(
        ReportSnapshot.objects.using(using)
        .filter(shape=",".join(pair), grouping__in=[",".join(g) for g in needed])
        .values_list("grouping", "data")
    )
    if len(rows) != len(needed):
        return None
    results = {}
    for grouping in needed:
        order = tuple(d for d in wanted if d in grouping)
        results[order] = _decode_cells(rows[",".join(grouping)], grouping, order)
    return results


def covers(dimensions: tuple[str, ...], filters: Any) -> bool:
    """Whether a table with these dimensions and filters is answered from the snapshots."""
    from reports.aggregate import ResolvedFilters

    if filters == ResolvedFilters():
        return pair_for(tuple(dimensions)) is not None
    return len(dimensions) == 1 and filters == ResolvedFilters(state=filters.state)


def version(*, using: str) -> str | None:
    """An identifier of the current snapshots (the trend is written last by each refresh)."""
    stamp = (
        ReportSnapshot.objects.using(using)
        .filter(shape=TREND_SHAPE, grouping="")
        .values_list("computed_at", flat=True)
        .first()
    )
    return stamp.isoformat() if stamp else None


def level_shape(fixed: tuple[str, ...], pair: tuple[str, str]) -> str:
    return f"{','.join(fixed)}:{','.join(pair)}"


def _slice_grouping(grouping: tuple[str, ...], slice_key: tuple[str, ...]) -> str:
    return f"{','.join(grouping)}@{','.join(slice_key)}"


def level_for(
    dimensions: tuple[str, ...], fixed: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, str]] | None:
    """The sliced level that holds a table of ``dimensions`` cut by ``fixed``: the exact pair
    for two dimensions, any pair containing the dimension for one, any level for none."""
    wanted = canonical(dimensions)
    for level_fixed, pair in SLICED:
        if level_fixed != fixed:
            continue
        if len(wanted) == 2 and wanted == canonical(pair):
            return level_fixed, pair
        if len(wanted) < 2 and set(wanted) <= set(pair):
            return level_fixed, pair
    return None


def slice_of(filters: Any) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The fixed dimensions and slice key that ``filters`` select, if a level could hold them:
    a state alone, or a state and a subsystem, with no other filter and no dates."""
    from reports.aggregate import ResolvedFilters

    if filters.state is None or filters != ResolvedFilters(
        state=filters.state, subsystem_id=filters.subsystem_id
    ):
        return None
    if filters.subsystem_id is None:
        return ("state",), (filters.state,)
    return ("state", "subsystem"), (filters.state, str(filters.subsystem_id))


def read_slice(dimensions: tuple[str, ...], filters: Any, *, using: str) -> Any:
    """Collected results of a table within one state (or state and subsystem) from a sliced
    level, or None when no level holds it (or the slice was not stored: no facts there)."""
    cut = slice_of(filters)
    if cut is None:
        return None
    fixed, slice_key = cut
    level = level_for(tuple(dimensions), fixed)
    if level is None:
        return None
    wanted = tuple(dimensions)
    needed = {canonical(wanted), ()}
    if len(wanted) == 2:
        needed |= {(wanted[0],), (wanted[1],)}
    names = {_slice_grouping(grouping, slice_key): grouping for grouping in needed}
    rows = dict(
        ReportSnapshot.objects.using(using)
        .filter(shape=level_shape(*level), grouping__in=list(names))
        .values_list("grouping", "data")
    )
    if len(rows) != len(needed):
        return None
    results = {}
    for name, grouping in names.items():
        order = tuple(d for d in wanted if d in grouping)
        results[order] = _decode_cells(rows[name], grouping, order)
    return results


def _state_chunk(dimension: str, state: str) -> str:
    return f"state,{dimension}@{state}"


def read_for_state(dimension: str, state: str | None, *, using: str) -> Any:
    """One state's table by ``dimension`` (no other filter), from that state's chunk of the
    (state, dimension) pair, stored apart so a state's schools are read without the nation's.
    """
    if state is None:
        return None
    wanted = ["state"] if dimension == "state" else ["state", _state_chunk(dimension, state)]
    shape = "state,subsystem" if dimension == "state" else f"state,{dimension}"
    rows = dict(
        ReportSnapshot.objects.using(using)
        .filter(shape=shape, grouping__in=wanted)
        .values_list("grouping", "data")
    )
    if len(rows) != len(wanted):
        return None
    totals = _decode_cells(rows["state"], ("state",), ("state",))
    row = totals.get((state,))
    total = {(): replace(row, keys={})} if row else {}
    if dimension == "state":
        return {("state",): {(state,): row} if row else {}, (): total}
    inner = _decode_cells(rows[_state_chunk(dimension, state)], (dimension,), (dimension,))
    return {(dimension,): inner, (): total}


def read_trend(state: str | None = None, *, using: str) -> dict[str, dict[str, int]] | None:
    """The national trend series, or one state's."""
    rows = ReportSnapshot.objects.using(using).filter(shape=TREND_SHAPE, grouping=state or "")
    text = rows.values_list("data", flat=True).first()
    return None if text is None else json.loads(text)


def _publish(shape: str, docs: dict[str, str], now: Any) -> None:
    """Replace the tables published under ``shape`` (inside the caller's transaction)."""
    ReportSnapshot.objects.filter(shape=shape).delete()
    ReportSnapshot.objects.bulk_create(
        (
            ReportSnapshot(shape=shape, grouping=grouping, data=doc, computed_at=now)
            for grouping, doc in docs.items()
        ),
        batch_size=200,
    )


def report_snapshots_refresh() -> int:
    """Recompute every stored national table from the fact table; returns how many.

    Reads and writes the primary (``default``), never the reports replica, which may lag.
    """
    from reports.aggregate import ResolvedFilters, compute, compute_slices
    from reports.aggregate import trend_series as compute_trend

    primary = DEFAULT_DB_ALIAS
    stored = 0
    publisher = published.Publisher(conf.min_cell())
    for pair in PAIRS:
        with transaction.atomic(using=primary):
            results = compute(pair, ResolvedFilters(), using=primary)
            now = timezone.now()
            ReportSnapshot.objects.filter(shape=",".join(pair)).delete()
            ReportSnapshot.objects.bulk_create(
                ReportSnapshot(
                    shape=",".join(pair),
                    grouping=",".join(grouping),
                    data=_encode_cells(cells),
                    computed_at=now,
                )
                for grouping, cells in results.items()
            )
            if pair[0] == "state":
                by_state: dict[str, dict[tuple[str, ...], Any]] = {}
                for key, cell in results.get(pair, {}).items():
                    by_state.setdefault(key[0], {})[(key[1],)] = cell
                ReportSnapshot.objects.bulk_create(
                    ReportSnapshot(
                        shape=",".join(pair),
                        grouping=_state_chunk(pair[1], state),
                        data=_encode_cells(cells),
                        computed_at=now,
                    )
                    for state, cells in by_state.items()
                )
            if () not in results:  # no facts at all: store the empty total
                ReportSnapshot.objects.create(
                    shape=",".join(pair), grouping="", data="[]", computed_at=now
                )
            for grouping in ((pair[0],), (pair[1],)):
                if grouping not in results:
                    ReportSnapshot.objects.create(
                        shape=",".join(pair), grouping=grouping[0], data="[]", computed_at=now
                    )
            _publish(published.shape(",".join(pair)), publisher.pair(pair, results), now)
        stored += 1
    for fixed, pair in SLICED:
        slices = compute_slices(fixed, pair, using=primary)
        with transaction.atomic(using=primary):
            now = timezone.now()
            shape = level_shape(fixed, pair)
            ReportSnapshot.objects.filter(shape=shape).delete()
            ReportSnapshot.objects.bulk_create(
                (
                    ReportSnapshot(
                        shape=shape,
                        grouping=_slice_grouping(grouping, slice_key),
                        data=_encode_cells(results.get(grouping, {})),
                        computed_at=now,
                    )
                    for slice_key, results in slices.items()
                    for grouping in (pair, pair[:1], pair[1:], ())
                ),
                batch_size=500,
            )
            docs: dict[str, str] = {}
            for slice_key, results in slices.items():
                docs.update(publisher.slice(fixed, pair, slice_key, results))
            _publish(published.shape(shape), docs, now)
        stored += 1
    with transaction.atomic(using=primary):
        ReportSnapshot.objects.filter(shape=TREND_SHAPE).delete()  # compute from the facts
        from reports.aggregate import trend_series_by_state

        now = timezone.now()
        trend_by_state = trend_series_by_state(using=primary)
        ReportSnapshot.objects.bulk_create(
            ReportSnapshot(shape=TREND_SHAPE, grouping=state, data=json.dumps(series),
                           computed_at=now)
            for state, series in trend_by_state.items()
            if state
        )  # fmt: skip
        # The national row last: its time is the version of the whole refresh.
        series = compute_trend(ResolvedFilters(), using=primary)
        ReportSnapshot.objects.create(
            shape=TREND_SHAPE, grouping="", data=json.dumps(series), computed_at=now
        )
    return stored + 1
