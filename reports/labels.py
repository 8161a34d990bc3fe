"""Human labels of report keys: state names, subsystem and school codes and names, course
titles, sector and topic names. No personal data: a school is its CCT and name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from reports.aggregate import Cell
from reports.models import ReportCourseTag

# A national list of thousands of schools is faster read whole than through a huge IN.
_WHOLE_SCHOOL_LIST = 500


def _load(dimension: str, keys: set[str]) -> dict[str, str]:
    from learners.mexico import STATES_BY_INEGI
    from learners.models import School, Subsystem

    if dimension == "state":
        return {k: STATES_BY_INEGI[k].name for k in keys if k in STATES_BY_INEGI}
    if dimension == "subsystem":
        return {
            str(pk): f"{code}|{name}"
            for pk, code, name in Subsystem.objects.filter(pk__in=keys).values_list(
                "pk", "code", "name"
            )
        }
    if dimension == "school":
        schools = School.objects.all()
        if len(keys) <= _WHOLE_SCHOOL_LIST:
            schools = schools.filter(pk__in=keys)
        return {
            str(pk): f"{cct}|{name}"
            for pk, cct, name in schools.values_list("pk", "cct", "name").iterator(5000)
            if str(pk) in keys
        }
    if dimension == "course":
        from wagtail.models import Page

        return {
            str(pk): title
            for pk, title in Page.objects.filter(pk__in=keys).values_list("pk", "title")
        }
    if dimension in ("sector", "topic"):
        return dict(
            ReportCourseTag.objects.filter(kind=dimension, slug__in=keys)
            .values_list("slug", "name")
            .distinct()
        )
    return {k: k for k in keys}  # month


def label_maps(dimensions: Iterable[str], cells: list[Cell]) -> dict[str, dict[str, str]]:
    """Each dimension's labels of the keys ``cells`` hold: one query per dimension at most."""
    maps: dict[str, dict[str, str]] = {}
    for dimension in dimensions:
        keys = {cell.keys[dimension] for cell in cells if dimension in cell.keys}
        keys.discard("")
        maps[dimension] = _load(dimension, keys)
    return maps


class LabelBook:
    """Labels remembered across many tables (the snapshot refresh labels thousands): each key
    is looked up once, the first time a table holds it."""

    def __init__(self) -> None:
        self._known: dict[str, dict[str, str]] = {}
        self._asked: dict[str, set[str]] = {}

    def maps(self, dimensions: Iterable[str], cells: list[Cell]) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for dimension in dimensions:
            asked = self._asked.setdefault(dimension, set())
            known = self._known.setdefault(dimension, {})
            keys = {cell.keys[dimension] for cell in cells if dimension in cell.keys}
            keys.discard("")
            missing = keys - asked
            if missing:
                known.update(_load(dimension, missing))
                asked |= missing
            out[dimension] = known
        return out


def key_parts(dimension: str, raw: str, label: str) -> tuple[Any, str]:
    """A cell key's public code (as the API accepts it back as a filter) and its label."""
    if dimension in ("subsystem", "school") and "|" in label:
        code, name = label.split("|", 1)
        return code, name
    if not raw:
        return None, _("Sin dato")
    return (int(raw) if dimension == "course" else raw), label or raw
