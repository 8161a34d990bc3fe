"""Aggregation over ``ReportFact``: one or two dimensions, margins, medians, suppression.

The SQL that differs between databases lives in ``reports.backends`` (``postgresql``: a whole
table with its margins in one statement; ``portable``: one statement per grouping set, medians
from histograms). Both return the same numbers: the median of an even count is the mean of the
two middle values, as ``percentile_cont(0.5)`` gives. This module holds what they share: the
fact table's SQL building blocks, the cells, suppression and the trend.
"""

# SQL text is built only from the fixed column and table names below; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

from reports import conf
from reports.backends import backend
from reports.models import ReportCourseTag, ReportFact
from reports.query import DIMENSIONS, QueryError
from reports.suppression import (
    TOTAL,
    suppress_one_dimension,
    suppress_two_dimensions,
)

FIGURES = (
    "enrolled",
    "started",
    "completed",
    "credentialed",
    "completion_rate",
    "median_days_to_complete",
    "hours_completed",
)


@dataclass(frozen=True)
class ResolvedFilters:
    """Filters translated to fact-table values (ids instead of codes)."""

    state: str | None = None
    subsystem_id: int | None = None
    school_id: int | None = None
    course_id: int | None = None
    sector: str | None = None
    topic: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(slots=True)
class Cell:
    """The figures of one group (or of a margin). ``keys`` maps each dimension to its code."""

    keys: dict[str, str]
    enrolled: int = 0
    teachers: int = 0
    started: int = 0
    completed: int = 0
    credentialed: int = 0
    hours_completed: float = 0.0
    median_days_to_complete: float | None = None
    suppressed: bool = False
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def completion_rate(self) -> float | None:
        if self.suppressed or not self.enrolled:
            return None
        return round(self.completed / self.enrolled, 4)

    def figures(self) -> dict[str, Any]:
        """The published figures: all None when the cell is suppressed."""
        if self.suppressed:
            return {name: None for name in FIGURES}
        return {
            "enrolled": self.enrolled,
            "started": self.started,
            "completed": self.completed,
            "credentialed": self.credentialed,
            "completion_rate": self.completion_rate,
            "median_days_to_complete": (
                None
                if self.median_days_to_complete is None
                else round(float(self.median_days_to_complete), 1)
            ),
            "hours_completed": round(float(self.hours_completed), 1),
        }


@dataclass
class Table:
    """A report: inner cells, margins (two dimensions only) and the grand total."""

    dimensions: tuple[str, ...]
    cells: list[Cell]
    total: Cell
    row_totals: list[Cell] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    min_cell: int = conf.DEFAULT_MIN_CELL


# --- SQL building -----------------------------------------------------------------------------

FACT_TABLE = ReportFact._meta.db_table
TAG_TABLE = ReportCourseTag._meta.db_table

DIMENSION_SQL = {
    "state": "f.state",
    "subsystem": "f.subsystem_id",
    "school": "f.school_id",
    "course": "f.course_id",
    "sector": "ts.slug",
    "topic": "tt.slug",
    "month": "f.enrolled_month",
}


def where_clauses(filters: ResolvedFilters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("f.state", filters.state),
        ("f.subsystem_id", filters.subsystem_id),
        ("f.school_id", filters.school_id),
        ("f.course_id", filters.course_id),
    ):
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    for kind, value in (("sector", filters.sector), ("topic", filters.topic)):
        if value is not None:
            clauses.append(
                f"f.course_id IN (SELECT course_id FROM {TAG_TABLE} WHERE kind = %s AND slug = %s)"
            )
            params.extend([kind, value])
    if filters.date_from is not None:
        clauses.append("f.enrolled_on >= %s")
        params.append(filters.date_from)
    if filters.date_to is not None:
        clauses.append("f.enrolled_on <= %s")
        params.append(filters.date_to)
    return clauses, params


def tag_joins(dimensions: Sequence[str]) -> str:
    joins = []
    if "sector" in dimensions:
        joins.append(f"JOIN {TAG_TABLE} ts ON ts.course_id = f.course_id AND ts.kind = 'sector'")
    if "topic" in dimensions:
        joins.append(f"JOIN {TAG_TABLE} tt ON tt.course_id = f.course_id AND tt.kind = 'topic'")
    return " ".join(joins)


_AGGREGATES = (
    "COUNT(*) AS enrolled, "
    "{teachers} AS teachers, "
    "COUNT(f.started_on) AS started, "
    "COUNT(f.completed_on) AS completed, "
    "COUNT(f.credentialed_on) AS credentialed, "
    "COALESCE(SUM(f.hours_completed), 0) AS hours"
)


def aggregate_columns(filters: ResolvedFilters) -> str:
    # One enrolment per teacher and course: within one course, enrolments are people, and the
    # costly COUNT(DISTINCT) (a sort of every row) is not needed.
    teachers = "COUNT(*)" if filters.course_id is not None else "COUNT(DISTINCT f.user_id)"
    return _AGGREGATES.format(teachers=teachers)


def group_key(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m")
    if isinstance(value, str) and len(value) >= 7 and value[4] == "-" and value[:4].isdigit():
        return value[:7]  # SQLite returns dates as text
    return str(value)


def cell_from_row(keys: dict[str, str], row: Sequence[Any]) -> Cell:
    enrolled, teachers, started, completed, credentialed, hours = row[:6]
    median = row[6] if len(row) > 6 else None
    return Cell(
        keys=keys,
        enrolled=int(enrolled),
        teachers=int(teachers),
        started=int(started or 0),
        completed=int(completed or 0),
        credentialed=int(credentialed or 0),
        hours_completed=float(hours or 0),
        median_days_to_complete=None if median is None else float(median),
    )


def median_from_histogram(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    lower = upper = None
    seen = 0
    for days in sorted(histogram):
        count = histogram[days]
        if lower is None and seen + count > lower_rank:
            lower = days
        if seen + count > upper_rank:
            upper = days
            break
        seen += count
    assert lower is not None and upper is not None
    return (lower + upper) / 2


def grouping_sets(dimensions: Sequence[str]) -> list[tuple[str, ...]]:
    if not dimensions:
        return [()]
    if len(dimensions) == 1:
        return [tuple(dimensions), ()]
    first, second = dimensions
    return [(first, second), (first,), (second,), ()]


Results = dict[tuple[str, ...], dict[tuple[str, ...], Cell]]

# The fact columns a sliced snapshot level is cut by (see ``reports.snapshots.SLICED``).
SLICE_SQL = {"state": "f.state", "subsystem": "f.subsystem_id"}
_SLICE_FILTER = {"state": "state", "subsystem": "subsystem_id"}


def slice_filters(fixed: Sequence[str], values: Sequence[str]) -> ResolvedFilters:
    """The filters one slice of a level answers, e.g. ``state="15", subsystem_id=3``."""
    resolved: dict[str, Any] = {}
    for dimension, value in zip(fixed, values, strict=True):
        resolved[_SLICE_FILTER[dimension]] = int(value) if dimension == "subsystem" else value
    return ResolvedFilters(**resolved)


def slice_present(fixed: Sequence[str]) -> str:
    """The SQL condition of facts that are in some slice of ``fixed``: facts without a state or
    subsystem are in none (no filter can ask for them)."""
    return " AND ".join(
        f"{SLICE_SQL[d]} <> ''" if d == "state" else f"{SLICE_SQL[d]} IS NOT NULL" for d in fixed
    )


def compute_slices(
    fixed: Sequence[str], pair: Sequence[str], *, using: str
) -> dict[tuple[str, ...], Results]:
    """Every slice's table of ``pair`` with its margins: one ``Results`` per value of the
    ``fixed`` dimensions (e.g. per state), equal to ``compute(pair, slice_filters(...))``.

    PostgreSQL answers every slice in one statement (the grouping sets prefixed with the fixed
    columns); elsewhere each slice is computed on its own. Facts without a state or subsystem
    are in no slice: no filter can ask for them.
    """
    return backend(using).compute_slices(tuple(fixed), tuple(pair), using=using)


def collect(dimensions: Sequence[str], filters: ResolvedFilters) -> Results:
    """Raw figures for every grouping set of ``dimensions`` (no suppression yet).

    Unfiltered national tables, and the tables of one state (or one state and subsystem) that
    a snapshot level stores, come from the snapshots that Celery beat refreshes (see
    ``reports.snapshots``); everything else is computed from the fact table.
    """
    from reports import snapshots

    dimensions = tuple(dimensions)
    using = conf.database()
    if filters == ResolvedFilters():
        cached = snapshots.read(dimensions, using=using)
        if cached is not None:
            return cached
    if len(dimensions) == 1 and filters == ResolvedFilters(state=filters.state):
        cached = snapshots.read_for_state(dimensions[0], filters.state, using=using)
        if cached is not None:
            return cached
    cached = snapshots.read_slice(dimensions, filters, using=using)
    if cached is not None:
        return cached
    return compute(dimensions, filters, using=using)


def compute(dimensions: Sequence[str], filters: ResolvedFilters, *, using: str) -> Results:
    """Raw figures for every grouping set, computed from the fact table of database ``using``
    (the reports database for monitors; ``default`` when the snapshots are rebuilt)."""
    return backend(using).compute(tuple(dimensions), filters, using=using)


def aggregate(
    dimensions: Sequence[str],
    filters: ResolvedFilters,
    *,
    k: int | None = None,
    paged: bool = False,
) -> Table:
    """Figures grouped by up to two ``dimensions``, with margins, suppression applied.

    ``paged``: the caller publishes a page of the rows (at most ``LMS_REPORT_MAX_GROUPS``), so
    the table itself may hold up to ``LMS_REPORT_MAX_TABLE_GROUPS`` groups.
    """
    dimensions = tuple(dimensions)
    return suppress(dimensions, collect(dimensions, filters), k=k, paged=paged)


def too_many_groups(groups: int, *, paged: bool) -> None:
    """Refuse a table of more groups than one answer may hold (``LMS_REPORT_MAX_GROUPS``;
    ``LMS_REPORT_MAX_TABLE_GROUPS`` when a page of it is asked for)."""
    most = conf.max_table_groups() if paged else conf.max_groups()
    if groups > most:
        raise QueryError(
            "group_by",
            "too_many_groups",
            _("El reporte tiene más de %(max)s grupos; agrega un filtro o pide una página (limit).")
            % {"max": most},
        )


def suppress(
    dimensions: tuple[str, ...], results: Results, *, k: int | None = None, paged: bool = False
) -> Table:
    """Apply small-cell and complementary suppression to collected results."""
    k = conf.min_cell() if k is None else k
    # ``results`` is always freshly built (from SQL or a decoded snapshot): marked in place.
    total = results.get((), {}).get(()) or Cell(keys={})
    too_many_groups(len(results.get(dimensions, {})), paged=paged)
    if not dimensions:
        total.suppressed = 0 < total.teachers < k
        return Table(dimensions=(), cells=[], total=total, min_cell=k)
    inner = results.get(dimensions, {})
    if len(dimensions) == 1:
        counts = {key[0]: cell.teachers for key, cell in inner.items()}
        hidden = suppress_one_dimension(counts, total.teachers, k)
        for key, cell in inner.items():
            cell.suppressed = key[0] in hidden
        total.suppressed = TOTAL in hidden
        cells = sorted(inner.values(), key=lambda c: _sort_key(c, dimensions))
        return Table(dimensions=dimensions, cells=cells, total=total, min_cell=k)
    first, second = dimensions
    row_totals = {key[0]: cell for key, cell in results.get((first,), {}).items()}
    column_totals = {key[0]: cell for key, cell in results.get((second,), {}).items()}
    # Suppressed in one orientation whichever order was asked: complementary suppression picks
    # its extra cells line by line, so month,state and state,month could hide different cells,
    # and the two answers together would give away what each protects.
    flip = DIMENSIONS.index(first) > DIMENSIONS.index(second)
    lines, columns = (column_totals, row_totals) if flip else (row_totals, column_totals)
    hidden2 = suppress_two_dimensions(
        {
            ((key[1], key[0]) if flip else (key[0], key[1])): cell.teachers
            for key, cell in inner.items()
        },
        {row: cell.teachers for row, cell in lines.items()},
        {column: cell.teachers for column, cell in columns.items()},
        total.teachers,
        k,
    )
    for key, cell in inner.items():
        cell.suppressed = ((key[1], key[0]) if flip else (key[0], key[1])) in hidden2
    for row, cell in lines.items():
        cell.suppressed = (row, TOTAL) in hidden2
    for column, cell in columns.items():
        cell.suppressed = (TOTAL, column) in hidden2
    total.suppressed = (TOTAL, TOTAL) in hidden2
    return Table(
        dimensions=dimensions,
        cells=sorted(inner.values(), key=lambda c: _sort_key(c, dimensions)),
        total=total,
        row_totals=sorted(row_totals.values(), key=lambda c: _sort_key(c, (first,))),
        column_totals=sorted(column_totals.values(), key=lambda c: _sort_key(c, (second,))),
        min_cell=k,
    )


def _sort_key(cell: Cell, dimensions: Sequence[str]) -> tuple[Hashable, ...]:
    parts: list[Hashable] = []
    for dimension in dimensions:
        value = cell.keys.get(dimension, "")
        parts.append((0, int(value), "") if value.isdigit() else (1, 0, value))
    return tuple(parts)


# --- trend ------------------------------------------------------------------------------------

TREND_SERIES = {
    "enrolled": ("enrolled_month", "enrolled_on"),
    "started": ("started_month", "started_on"),
    "completed": ("completed_month", "completed_on"),
    "credentialed": ("credentialed_month", "credentialed_on"),
}


@dataclass
class TrendPoint:
    month: str
    counts: dict[str, int | None]


def trend_series(
    filters: ResolvedFilters, *, using: str | None = None
) -> dict[str, dict[str, int]]:
    """Raw event counts per series and month (no suppression yet), read from database
    ``using`` (the reports database unless given)."""
    from reports import snapshots

    using = using or conf.database()
    if filters == ResolvedFilters():
        cached = snapshots.read_trend(using=using)
        if cached is not None:
            return cached
    if filters.state is not None and filters == ResolvedFilters(state=filters.state):
        cached = snapshots.read_trend(filters.state, using=using)
        if cached is not None:
            return cached
    base = ResolvedFilters(**{**filters.__dict__, "date_from": None, "date_to": None})
    clauses, params = where_clauses(base)
    parts: list[str] = []
    all_params: list[Any] = []
    for name, (month_column, date_column) in TREND_SERIES.items():
        conditions = [*clauses, f"f.{month_column} IS NOT NULL"]
        series_params = list(params)
        if filters.date_from is not None:
            conditions.append(f"f.{date_column} >= %s")
            series_params.append(filters.date_from)
        if filters.date_to is not None:
            conditions.append(f"f.{date_column} <= %s")
            series_params.append(filters.date_to)
        parts.append(
            f"SELECT '{name}' AS series, f.{month_column} AS month, COUNT(*) AS n "
            f"FROM {FACT_TABLE} f WHERE {' AND '.join(conditions)} GROUP BY f.{month_column}"
        )
        all_params.extend(series_params)
    series: dict[str, dict[str, int]] = {name: {} for name in TREND_SERIES}
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), all_params)
        for name, month, count in cursor.fetchall():
            series[name][group_key(month)] = int(count)
    return series


def trend_series_by_state(*, using: str) -> dict[str, dict[str, dict[str, int]]]:
    """Every state's raw trend series, in one statement (for the snapshots)."""
    parts = [
        f"SELECT '{name}', f.state, f.{month_column}, COUNT(*) FROM {FACT_TABLE} f "
        f"WHERE f.{month_column} IS NOT NULL GROUP BY f.state, f.{month_column}"
        for name, (month_column, _date) in TREND_SERIES.items()
    ]
    states: dict[str, dict[str, dict[str, int]]] = {}
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        for name, state, month, count in cursor.fetchall():
            series = states.setdefault(state, {key: {} for key in TREND_SERIES})
            series[name][group_key(month)] = int(count)
    return states


def trend(filters: ResolvedFilters, *, k: int | None = None) -> list[TrendPoint]:
    """Events per calendar month (enrolments, starts, completions, credentials), suppressed.

    The date range applies to each event's own date. Each series is a one-dimension table
    whose total is the series sum, protected like any other.
    """
    k = conf.min_cell() if k is None else k
    series = trend_series(filters)
    months = sorted({month for counts in series.values() for month in counts})
    hidden = {
        name: suppress_one_dimension(counts, sum(counts.values()), k)
        for name, counts in series.items()
    }
    return [
        TrendPoint(
            month=month,
            counts={
                name: (None if month in hidden[name] else series[name].get(month, 0))
                for name in TREND_SERIES
            },
        )
        for month in months
    ]
