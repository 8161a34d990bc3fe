"""The validated shape of a report request: dimensions, filters and a date range.

A ``ReportQuery`` is what the API, the dashboard and exports all pass to the aggregation; it
holds codes as the outside world knows them (state INEGI code, subsystem code, CCT, course id,
sector and topic slugs) and is validated here once, naming the parameter and the rule broken.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from common.errors import InputError
from reports import conf

DIMENSIONS = ("state", "subsystem", "school", "course", "sector", "topic", "month")
FILTERS = ("state", "subsystem", "school", "course", "sector", "topic")
MAX_DIMENSIONS = 2

_STATE = re.compile(r"^(0[1-9]|[12]\d|3[0-2])$")
_CCT = re.compile(r"^(0[1-9]|[12]\d|3[0-2])[A-Z]{3}\d{4}[A-Z]$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")


class QueryError(InputError):
    """A report parameter broke a rule; carries the parameter name and the rule."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(field, rule, message)


@dataclass(frozen=True)
class ReportQuery:
    group_by: tuple[str, ...] = ()
    state: str | None = None
    subsystem: str | None = None
    school: str | None = None
    course: int | None = None
    sector: str | None = None
    topic: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # A page of a grouped table's rows (``limit`` rows from ``offset``); suppression and the
    # margins are still those of the whole table. Not a filter: exports take whole tables.
    limit: int | None = None
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def filters(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FILTERS if getattr(self, name) is not None}

    def with_changes(self, **changes: Any) -> ReportQuery:
        return replace(self, **changes)

    def as_params(self) -> dict[str, str]:
        """The query as URL parameters (also what an export job records for its audit)."""
        params: dict[str, str] = {}
        if self.group_by:
            params["group_by"] = ",".join(self.group_by)
        for name, value in self.filters().items():
            params[name] = str(value)
        if self.date_from:
            params["date_from"] = self.date_from.isoformat()
        if self.date_to:
            params["date_to"] = self.date_to.isoformat()
        return params

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra", None)
        data["group_by"] = list(self.group_by)
        for name in ("date_from", "date_to"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


def _date(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(
            name, "date", _("%(name)s debe ser una fecha AAAA-MM-DD.") % {"name": name}
        ) from None


def parse_query(
    params: Any,
    *,
    allow_group_by: bool = True,
    require_group_by: bool = False,
) -> ReportQuery:
    """Validate request parameters (a QueryDict or a plain dict) into a ``ReportQuery``."""

    def get(name: str) -> str | None:
        value = params.get(name)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    group_by: tuple[str, ...] = ()
    raw_group_by = get("group_by")
    if raw_group_by:
        if not allow_group_by:
            raise QueryError("group_by", "not_allowed", _("Este reporte no acepta group_by."))
        group_by = tuple(part.strip() for part in raw_group_by.split(",") if part.strip())
        unknown = [part for part in group_by if part not in DIMENSIONS]
        if unknown:
            raise QueryError(
                "group_by",
                "choice",
                _("group_by acepta %(accepted)s; se recibió %(got)s.")
                % {"accepted": ", ".join(DIMENSIONS), "got": ", ".join(unknown)},
            )
        if len(group_by) > MAX_DIMENSIONS:
            raise QueryError(
                "group_by", "max_dimensions", _("group_by lleva una o dos dimensiones.")
            )
        if len(set(group_by)) != len(group_by):
            raise QueryError(
                "group_by", "unique", _("group_by nombra cada dimensión una sola vez.")
            )
    if require_group_by and not group_by:
        raise QueryError(
            "group_by", "required", _("group_by es obligatorio (por ejemplo, group_by=state).")
        )

    state = get("state")
    if state is not None:
        state = state.zfill(2) if state.isdigit() else state
        if not _STATE.match(state):
            raise QueryError("state", "inegi_code", _("state debe ser una clave INEGI de 01 a 32."))
    school = get("school")
    if school is not None:
        school = school.upper()
        if not _CCT.match(school):
            raise QueryError("school", "cct", _("school debe ser una CCT como 14DCT0001X."))
    course_value: int | None = None
    course = get("course")
    if course is not None:
        if not course.isdigit() or int(course) <= 0:
            raise QueryError(
                "course", "integer", _("course debe ser el id de un curso (un entero positivo).")
            )
        course_value = int(course)
    slugs: dict[str, str | None] = {}
    for name in ("subsystem", "sector", "topic"):
        value = get(name)
        if value is not None and not _SLUG.match(value):
            raise QueryError(
                name,
                "slug",
                _("%(name)s debe ser una clave de letras, dígitos, - o _.") % {"name": name},
            )
        slugs[name] = value
    raw_from, raw_to = get("date_from"), get("date_to")
    date_from = _date("date_from", raw_from) if raw_from else None
    date_to = _date("date_to", raw_to) if raw_to else None
    if date_from and date_to and date_from > date_to:
        raise QueryError(
            "date_to", "after_date_from", _("date_to no puede ser anterior a date_from.")
        )
    limit = _count("limit", get("limit"), least=1, most=conf.max_groups())
    offset = _count("offset", get("offset"), least=0, most=None) or 0
    known = {"group_by", "date_from", "date_to", "format", "limit", "offset", *FILTERS}
    unknown_params = sorted(name for name in params if name not in known)
    if unknown_params:
        raise QueryError(
            unknown_params[0],
            "unknown",
            _("%(name)s no es un parámetro de los reportes.") % {"name": unknown_params[0]},
        )
    return ReportQuery(
        group_by=group_by,
        state=state,
        subsystem=slugs["subsystem"],
        school=school,
        course=course_value,
        sector=slugs["sector"],
        topic=slugs["topic"],
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        offset=offset,
    )


def _count(name: str, value: str | None, *, least: int, most: int | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or int(value) < least:
        raise QueryError(
            name,
            "integer",
            _("%(name)s debe ser un entero mayor o igual a %(least)s.")
            % {"name": name, "least": least},
        )
    if most is not None and int(value) > most:
        raise QueryError(
            name, "max", _("%(name)s no puede pasar de %(most)s.") % {"name": name, "most": most}
        )
    return int(value)
