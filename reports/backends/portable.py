"""The reports' SQL for any database Django supports (SQLite, the embedded default)."""

# SQL text is built only from fixed column and table names; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import connections, transaction

from reports.aggregate import (
    DIMENSION_SQL,
    FACT_TABLE,
    SLICE_SQL,
    ResolvedFilters,
    Results,
    aggregate_columns,
    cell_from_row,
    group_key,
    grouping_sets,
    median_from_histogram,
    slice_filters,
    slice_present,
    tag_joins,
    where_clauses,
)
from reports.models import ReportFact
from reports.refresh import enrollment_chunks, fact_from_values, original_courses


def facts_rebuild(*, using: str) -> int:
    """Every fact built in Python from the enrolments, a chunk at a time."""
    rows = 0
    with transaction.atomic(using=using):
        ReportFact.objects.using(using).all().delete()
        for chunk in enrollment_chunks():
            originals = original_courses(row["course_id"] for row in chunk)
            ReportFact.objects.using(using).bulk_create(
                [fact_from_values(row, originals) for row in chunk]
            )
            rows += len(chunk)
    return rows


def compute(dimensions: Sequence[str], filters: ResolvedFilters, *, using: str) -> Results:
    """One statement per grouping set; medians from per-group histograms of days-to-complete
    (the mean of the two middle values for an even count, as ``percentile_cont(0.5)``)."""
    clauses, params = where_clauses(filters)
    results: Results = defaultdict(dict)
    joins = tag_joins(dimensions)
    aggregates = aggregate_columns(filters)
    with connections[using].cursor() as cursor:
        for grouping in grouping_sets(dimensions):
            expressions = [DIMENSION_SQL[d] for d in grouping]
            select_keys = "".join(f"{expr}, " for expr in expressions)
            group = f"GROUP BY {', '.join(expressions)}" if expressions else ""
            where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            cursor.execute(
                f"SELECT {select_keys}{aggregates} FROM {FACT_TABLE} f {joins} {where} {group}",
                params,
            )
            n = len(grouping)
            for row in cursor.fetchall():
                key_values = tuple(group_key(value) for value in row[:n])
                if not n and not row[n]:
                    continue  # an aggregate over no rows
                results[grouping][key_values] = cell_from_row(
                    dict(zip(grouping, key_values, strict=True)), row[n:]
                )
            histogram_where = " AND ".join([*clauses, "f.days_to_complete IS NOT NULL"])
            cursor.execute(
                f"SELECT {select_keys}f.days_to_complete, COUNT(*) FROM {FACT_TABLE} f {joins} "
                f"WHERE {histogram_where} GROUP BY {select_keys}f.days_to_complete",
                params,
            )
            histograms: dict[tuple[str, ...], dict[int, int]] = defaultdict(dict)
            for row in cursor.fetchall():
                histograms[tuple(group_key(v) for v in row[:n])][int(row[n])] = int(row[n + 1])
            for key_values, histogram in histograms.items():
                cell = results[grouping].get(key_values)
                if cell is not None:
                    cell.median_days_to_complete = median_from_histogram(histogram)
    return results


def compute_slices(
    fixed: Sequence[str], pair: Sequence[str], *, using: str
) -> dict[tuple[str, ...], Results]:
    """Each slice computed on its own, after one statement that lists the slices."""
    with connections[using].cursor() as cursor:
        columns = ", ".join(SLICE_SQL[d] for d in fixed)
        cursor.execute(
            f"SELECT DISTINCT {columns} FROM {FACT_TABLE} f WHERE {slice_present(fixed)}"
        )
        keys = [tuple(group_key(v) for v in row) for row in cursor.fetchall()]
    return {key: compute(pair, slice_filters(fixed, key), using=using) for key in sorted(keys)}
