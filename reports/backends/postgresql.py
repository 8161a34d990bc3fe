"""The reports' SQL for PostgreSQL."""

# SQL text is built only from model metadata and fixed column names; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connections, transaction

from reports import conf
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
    slice_present,
    tag_joins,
    where_clauses,
)
from reports.models import ReportFact
from reports.refresh import UNENROLLED, default_locale_id


def facts_rebuild(*, using: str) -> int:
    """One INSERT … SELECT in the database: minutes in Python become seconds at national scale."""
    from wagtail.models import Page

    from learners.models import Enrollment, School, TeacherProfile

    fact = ReportFact._meta.db_table
    enrollment = Enrollment._meta
    profile = TeacherProfile._meta.db_table
    school = School._meta.db_table
    page = Page._meta.db_table

    def column(model_meta: Any, name: str) -> str:
        return model_meta.get_field(name).column

    e = {name: column(enrollment, name) for name in (
        "user", "course", "status", "enrolled_at", "started_at", "completed_at",
        "credentialed_at", "hours_completed",
    )}  # fmt: skip
    day = "(({}) AT TIME ZONE 'UTC')::date"
    enrolled = day.format(f"e.{e['enrolled_at']}")
    completed = day.format(f"e.{e['completed_at']}")
    started_raw = day.format(f"e.{e['started_at']}")
    started = f"COALESCE({started_raw}, {completed})"
    credentialed = day.format(f"e.{e['credentialed_at']}")
    month = "date_trunc('month', {})::date"
    sql = f"""
        INSERT INTO {fact} (
            enrollment_id, user_id, course_id, state, subsystem_id, school_id,
            enrolled_on, enrolled_month, started_on, started_month, completed_on,
            completed_month, credentialed_on, credentialed_month, days_to_complete,
            hours_completed
        )
        SELECT e.id, e.{e["user"]}, COALESCE(op.id, e.{e["course"]}),
            COALESCE(CASE WHEN s.id IS NOT NULL THEN s.state ELSE p.state END, ''),
            COALESCE(s.subsystem_id, p.subsystem_id), s.id,
            {enrolled}, {month.format(enrolled)},
            {started}, {month.format(started)},
            {completed}, {month.format(completed)},
            {credentialed}, {month.format(credentialed)},
            {completed} - {enrolled},
            COALESCE(e.{e["hours_completed"]}, 0)
        FROM {enrollment.db_table} e
        LEFT JOIN {profile} p ON p.user_id = e.{e["user"]}
        LEFT JOIN {school} s ON s.id = p.school_id
        LEFT JOIN {page} cp ON cp.id = e.{e["course"]}
        LEFT JOIN {page} op ON op.translation_key = cp.translation_key AND op.locale_id = %s
        WHERE e.{e["status"]} <> %s AND e.{e["enrolled_at"]} IS NOT NULL
        ORDER BY 4, 5, 6, 3
    """
    # ORDER BY state, subsystem, school, course: a state's (or a school's) facts land on
    # neighbouring pages, so a report scoped to one state reads that state's share of the
    # table instead of touching nearly every page. Each rebuild restores the order.
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {fact}")
        cursor.execute(sql, [default_locale_id() or 0, UNENROLLED])
        rows = cursor.rowcount
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {fact}")
        else:
            # Reclaim the rows the rebuild replaced (the table would double each refresh
            # where autovacuum is late or off), mark pages all-visible for index-only scans,
            # and give the planner statistics of the new facts.
            cursor.execute(f"VACUUM (ANALYZE) {fact}")
    return rows


def compute(dimensions: Sequence[str], filters: ResolvedFilters, *, using: str) -> Results:
    """A whole table with its margins in one statement: ``GROUPING SETS``, and
    ``percentile_cont`` for the median."""
    clauses, params = where_clauses(filters)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    expressions = [DIMENSION_SQL[d] for d in dimensions]
    select_keys = "".join(f"{expr} AS k{i}, " for i, expr in enumerate(expressions))
    flags = "".join(f"GROUPING({expr}) AS g{i}, " for i, expr in enumerate(expressions))
    sets = ", ".join(
        "(" + ", ".join(DIMENSION_SQL[d] for d in grouping) + ")"
        for grouping in grouping_sets(dimensions)
    )
    group = f"GROUP BY GROUPING SETS ({sets})" if dimensions else ""
    sql = (
        f"SELECT {select_keys}{flags}{aggregate_columns(filters)}, "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_complete) AS median "
        f"FROM {FACT_TABLE} f {tag_joins(dimensions)} {where} {group}"
    )
    results: Results = defaultdict(dict)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Room for hash aggregation and sorts of the larger national tables in memory.
        cursor.execute("SET LOCAL work_mem = %s", [conf.work_mem()])
        cursor.execute(sql, params)
        n = len(dimensions)
        for row in cursor.fetchall():
            keys = row[:n]
            grouping_flags = row[n : 2 * n]
            present = tuple(
                d for d, flag in zip(dimensions, grouping_flags, strict=True) if not flag
            )
            key_values = tuple(
                group_key(value)
                for value, flag in zip(keys, grouping_flags, strict=True)
                if not flag
            )
            results[present][key_values] = cell_from_row(
                dict(zip(present, key_values, strict=True)), row[2 * n :]
            )
    return results


def compute_slices(
    fixed: Sequence[str], pair: Sequence[str], *, using: str
) -> dict[tuple[str, ...], Results]:
    """Every slice in one statement: the grouping sets prefixed with the fixed columns."""
    prefix = [SLICE_SQL[d] for d in fixed]
    expressions = [DIMENSION_SQL[d] for d in pair]
    sets = ", ".join(
        "(" + ", ".join([*prefix, *(DIMENSION_SQL[d] for d in grouping)]) + ")"
        for grouping in grouping_sets(pair)
    )
    sql = (
        "SELECT "
        + "".join(f"{expr} AS s{i}, " for i, expr in enumerate(prefix))
        + "".join(f"{expr} AS k{i}, " for i, expr in enumerate(expressions))
        + "".join(f"GROUPING({expr}) AS g{i}, " for i, expr in enumerate(expressions))
        + f"{aggregate_columns(ResolvedFilters())}, "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days_to_complete) AS median "
        f"FROM {FACT_TABLE} f {tag_joins(pair)} WHERE {slice_present(fixed)} "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    slices: dict[tuple[str, ...], Results] = {}
    width, n = len(fixed), len(pair)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", [conf.work_mem()])
        cursor.execute(sql)
        for row in cursor.fetchall():
            slice_key = tuple(group_key(value) for value in row[:width])
            keys, flags = row[width : width + n], row[width + n : width + 2 * n]
            grouping = tuple(d for d, flag in zip(pair, flags, strict=True) if not flag)
            key_values = tuple(
                group_key(value) for value, flag in zip(keys, flags, strict=True) if not flag
            )
            results = slices.setdefault(slice_key, defaultdict(dict))
            results[grouping][key_values] = cell_from_row(
                dict(zip(grouping, key_values, strict=True)), row[width + 2 * n :]
            )
    return slices
