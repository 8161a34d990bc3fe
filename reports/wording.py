"""What the dashboard and export pages say in words: times, places, filters.

Monitors read "hace 5 minutos (4 de diciembre de 2026, 10:42)" and "DGETI en Nuevo León", not
ISO timestamps and ids. Times are shown in the configured ``TIME_ZONE``
(America/Mexico_City by default), in the active language's date format.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from learners.mexico import STATES_BY_INEGI
from reports.query import ReportQuery
from reports.scopes import SCHOOL, Scope


def _date(value: dt.date | dt.datetime) -> str:
    text = formats.date_format(value, "DATE_FORMAT")
    # Django's es-MX catalogue capitalises month names; Spanish writes them in lower case
    # ("4 de diciembre de 2026"), and the format holds nothing else that could be upper case.
    return text.lower() if (get_language() or "").startswith("es") else text


def local_time(value: dt.datetime) -> str:
    """``HH:MM`` in the configured time zone."""
    return formats.time_format(timezone.localtime(value), "H:i")


def local_date(value: dt.datetime) -> str:
    """ "4 de diciembre de 2026" in local time."""
    return _date(timezone.localtime(value))


def local_datetime(value: dt.datetime) -> str:
    """ "4 de diciembre de 2026, 10:42" (the active language's date format) in local time."""
    local = timezone.localtime(value)
    return f"{_date(local)}, {formats.time_format(local, 'H:i')}"


def time_ago(value: dt.datetime, *, now: dt.datetime | None = None) -> str:
    """ "hace 5 minutos"; "hace un momento" under a minute."""
    now = now or timezone.now()
    if now - value < dt.timedelta(minutes=1):
        return _("hace un momento")
    # timesince joins number and unit with a no-break space; plain words read (and copy) better.
    span = timesince(value, now, depth=1).replace("\xa0", " ")
    return _("hace %(span)s") % {"span": span}


def computed_at(value: dt.datetime | None, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The dashboard's "figures computed" line: relative and absolute, and the ISO value."""
    if value is None:
        return {"known": False}
    return {
        "known": True,
        "ago": time_ago(value, now=now),
        "when": local_datetime(value),
        "iso": timezone.localtime(value).isoformat(),
    }


def state_name(code: str | None) -> str:
    state = STATES_BY_INEGI.get(code or "")
    return state.name if state else (code or "")


def _subsystem_name(code: str) -> str:
    from learners.models import Subsystem

    return Subsystem.objects.filter(code=code).values_list("name", flat=True).first() or code


def _school_label(cct: str) -> str:
    from learners.models import School

    name = School.objects.filter(cct=cct).values_list("name", flat=True).first()
    return f"{name} ({cct})" if name else cct


def place_title(query: ReportQuery, scope: Scope) -> str:
    """The dashboard's title for the level shown: "Nacional", "Nuevo León", "DGETI en Nuevo
    León", a school's name and CCT."""
    school = query.school or (scope.school_cct if scope.level == SCHOOL else None)
    if school:
        return _school_label(school)
    state = query.state or scope.state
    if query.subsystem:
        subsystem = _subsystem_name(query.subsystem)
        if state:
            return _("%(subsystem)s en %(state)s") % {
                "subsystem": subsystem,
                "state": state_name(state),
            }
        return _("%(subsystem)s en todo el país") % {"subsystem": subsystem}
    if state:
        return state_name(state)
    return _("Nacional")


def _course_title(value: Any) -> str:
    from wagtail.models import Page

    try:
        title = Page.objects.filter(pk=int(value)).values_list("title", flat=True).first()
    except (TypeError, ValueError):
        title = None
    return title or str(value)


def _tag_name(kind: str, slug: str) -> str:
    from reports.models import ReportCourseTag

    name = (
        ReportCourseTag.objects.filter(kind=kind, slug=slug).values_list("name", flat=True).first()
    )
    return name or slug


def _day(value: Any) -> str:
    try:
        return _date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _dimensions(value: Any) -> str:
    from reports.reports import DIMENSION_LABELS

    names = value if isinstance(value, list | tuple) else str(value).split(",")
    return ", ".join(str(DIMENSION_LABELS.get(name, name)) for name in names if name)


REPORT_NAMES = {
    "completion": gettext_noop("Inscripción y conclusión"),
    "trend": gettext_noop("Tendencia mensual"),
    "summary": gettext_noop("Resumen"),
}


def report_name(report: str) -> str:
    return _(REPORT_NAMES[report]) if report in REPORT_NAMES else report


def describe_params(params: dict[str, Any]) -> list[tuple[str, str]]:
    """An export's filters as (label, value) in words: names and dates, not ids and codes."""
    describers = (
        ("group_by", _("Agrupado por"), _dimensions),
        ("state", _("Entidad"), state_name),
        ("subsystem", _("Subsistema"), _subsystem_name),
        ("school", _("Escuela"), _school_label),
        ("course", _("Curso"), _course_title),
        ("sector", _("Sector"), lambda slug: _tag_name("sector", slug)),
        ("topic", _("Tema"), lambda slug: _tag_name("topic", slug)),
        ("date_from", _("Inscritos desde"), _day),
        ("date_to", _("Inscritos hasta"), _day),
    )
    described = []
    for key, label, describe in describers:
        value = params.get(key)
        if value is not None and value not in ("", [], ()):
            described.append((label, describe(value)))
    return described
