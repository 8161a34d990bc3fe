"""Report entry points used by the API, the dashboard and exports.

Each takes a validated ``ReportQuery`` and the caller's ``Scope``, narrows the query to the
scope, resolves codes to ids, aggregates and attaches human labels (state, subsystem and
course names, school CCT and name: no personal data). Query count is bounded: one or a few
aggregate statements, plus at most one label lookup per dimension.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import conf, published, snapshots
from reports.aggregate import Cell, ResolvedFilters, Table, aggregate, too_many_groups, trend
from reports.labels import key_parts, label_maps
from reports.models import ReportRefresh
from reports.query import QueryError, ReportQuery
from reports.scopes import Scope

# Lazy: the dashboard shows them in the monitor's language, exports in the default one.
DIMENSION_LABELS = {
    "state": gettext_lazy("Entidad"),
    "subsystem": gettext_lazy("Subsistema"),
    "school": gettext_lazy("Escuela (CCT)"),
    "course": gettext_lazy("Curso"),
    "sector": gettext_lazy("Sector"),
    "topic": gettext_lazy("Tema"),
    "month": gettext_lazy("Mes de inscripción"),
}


def resolve(query: ReportQuery, scope: Scope) -> ResolvedFilters:
    """Narrow ``query`` to ``scope`` and translate its codes to fact-table values."""
    from learners.models import School, Subsystem

    query = scope.narrow(query)
    subsystem_id = None
    if query.subsystem is not None:
        subsystem_id = (
            Subsystem.objects.filter(code=query.subsystem).values_list("pk", flat=True).first()
        )
        if subsystem_id is None:
            raise QueryError(
                "subsystem", "unknown", _("subsystem no es la clave de un subsistema conocido.")
            )
    school_id = scope.school_id
    if query.school is not None and school_id is None:
        school_id = School.objects.filter(cct=query.school).values_list("pk", flat=True).first()
        if school_id is None:
            raise QueryError("school", "unknown", _("school no es una CCT conocida."))
    return ResolvedFilters(
        state=query.state,
        subsystem_id=subsystem_id,
        school_id=school_id,
        course_id=query.course,
        sector=query.sector,
        topic=query.topic,
        date_from=query.date_from,
        date_to=query.date_to,
    )


class _Rows:
    """Builds the published rows of cells; each key's code and label is worked out once per
    table, not once per row (a national table by school has tens of thousands of rows)."""

    def __init__(self, labels: dict[str, dict[str, str]]) -> None:
        self.labels = labels
        self.parts: dict[str, dict[str, tuple[Any, str]]] = {}

    def row(self, cell: Cell, dimensions: Iterable[str]) -> dict[str, Any]:
        group: dict[str, Any] = {}
        for dimension in dimensions:
            raw = cell.keys.get(dimension, "")
            known = self.parts.setdefault(dimension, {})
            parts = known.get(raw)
            if parts is None:
                label = self.labels.get(dimension, {}).get(raw, "")
                parts = known[raw] = key_parts(dimension, raw, label)
            group[dimension], group[f"{dimension}_name"] = parts
        group.update(cell.figures())
        group["suppressed"] = cell.suppressed
        return group


def freshness() -> dict[str, Any]:
    """When the fact table was last fully refreshed, and the promised staleness bound."""
    last = (
        ReportRefresh.objects.using(conf.database())
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
    )
    finished = last.first()
    return {
        "refreshed_at": finished.isoformat() if finished else None,
        "staleness_bound_minutes": conf.refresh_minutes(),
    }


def completion_report(query: ReportQuery, scope: Scope) -> dict[str, Any]:
    """Figures grouped by ``query.group_by`` (one or two dimensions) with totals."""
    if not query.group_by:
        raise QueryError(
            "group_by", "required", _("group_by es obligatorio (por ejemplo, group_by=state).")
        )
    filters = resolve(query, scope)
    paged = query.limit is not None
    doc = published.read(query.group_by, filters, using=conf.database())
    if doc is not None and doc["k"] == conf.min_cell():
        return _published_payload(doc, query, scope)
    covered = snapshots.covers(query.group_by, filters)
    version = snapshots.version(using=conf.database()) if covered else None
    if version is None:
        return _table_payload(aggregate(query.group_by, filters, paged=paged), query, scope)
    # A table read from the snapshots changes only when beat refreshes them: keep the finished
    # payload (suppressed and labelled) in the cache until then, keyed by that refresh.
    key = "reports:{}:{}:{}:{}:{}".format(
        version, conf.min_cell(), ",".join(query.group_by), filters.state or "-", scope.level
    )
    if paged:
        key += f":{query.limit}:{query.offset}"
    key = key.replace(" ", "_")  # the ISO time has no spaces, but keep keys portable
    payload = cache.get(key)
    if payload is None:
        payload = _table_payload(aggregate(query.group_by, filters, paged=paged), query, scope)
        cache.set(key, payload, timeout=conf.refresh_minutes() * 60 * 2)
    return {**payload, "generated_at": timezone.now().isoformat()}


def _table_payload(table: Table, query: ReportQuery, scope: Scope) -> dict[str, Any]:
    dims = table.dimensions
    cells = table.cells
    if query.limit is not None:
        cells = cells[query.offset : query.offset + query.limit]
    elif query.offset:
        cells = cells[query.offset :]
    everything = [*cells, *table.row_totals, *table.column_totals]
    rows = _Rows(label_maps(dims, everything))
    payload: dict[str, Any] = {
        "group_by": list(dims),
        "filters": scope.narrow(query).as_params(),
        "scope": scope.as_json(),
        "min_cell": table.min_cell,
        "generated_at": timezone.now().isoformat(),
        **freshness(),
        "count": len(table.cells),
        "results": [rows.row(cell, dims) for cell in cells],
        "total": {**table.total.figures(), "suppressed": table.total.suppressed},
    }
    if query.limit is not None or query.offset:
        payload["limit"], payload["offset"] = query.limit, query.offset
    if len(dims) == 2:
        payload["row_totals"] = [rows.row(cell, dims[:1]) for cell in table.row_totals]
        payload["column_totals"] = [rows.row(cell, dims[1:]) for cell in table.column_totals]
    return payload


def _published_payload(doc: dict[str, Any], query: ReportQuery, scope: Scope) -> dict[str, Any]:
    """The payload of a published table: the same as ``_table_payload`` gives for it, with
    dicts built only for the rows returned."""
    dims = query.group_by
    stored = doc["dims"]
    rows = published.ordered_rows(doc, dims)
    too_many_groups(len(rows), paged=query.limit is not None)
    if query.limit is not None:
        page = rows[query.offset : query.offset + query.limit]
    else:
        page = rows[query.offset :] if query.offset else rows
    payload: dict[str, Any] = {
        "group_by": list(dims),
        "filters": scope.narrow(query).as_params(),
        "scope": scope.as_json(),
        "min_cell": doc["k"],
        "generated_at": timezone.now().isoformat(),
        **freshness(),
        "count": len(rows),
        "results": published.as_dicts(page, stored, dims),
        "total": published.total(doc),
    }
    if query.limit is not None or query.offset:
        payload["limit"], payload["offset"] = query.limit, query.offset
    if len(dims) == 2:
        same = list(dims) == stored
        firsts, seconds = doc["row_totals"], doc["column_totals"]
        if not same:
            firsts, seconds = seconds, firsts
        payload["row_totals"] = published.as_dicts(firsts, dims[:1], dims[:1])
        payload["column_totals"] = published.as_dicts(seconds, dims[1:], dims[1:])
    return payload


def summary_report(query: ReportQuery, scope: Scope) -> dict[str, Any]:
    """The figures of everything the query and scope select, as one cell."""
    table = aggregate((), resolve(query.with_changes(group_by=()), scope))
    return {
        "filters": scope.narrow(query).as_params(),
        "scope": scope.as_json(),
        "min_cell": table.min_cell,
        "generated_at": timezone.now().isoformat(),
        **freshness(),
        "total": {**table.total.figures(), "suppressed": table.total.suppressed},
    }


def trend_report(query: ReportQuery, scope: Scope) -> dict[str, Any]:
    """Enrolments, starts, completions and credentials per calendar month."""
    points = trend(resolve(query.with_changes(group_by=()), scope))
    return {
        "filters": scope.narrow(query).as_params(),
        "scope": scope.as_json(),
        "min_cell": conf.min_cell(),
        "generated_at": timezone.now().isoformat(),
        **freshness(),
        "results": [{"month": point.month, **point.counts} for point in points],
    }
