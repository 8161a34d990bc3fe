"""Who may see which reports: national monitors everything, a state coordinator one state, a
school director one school. Enforced by narrowing every query before it reaches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from reports.query import ReportQuery

MONITOR_GROUP = "Monitores SEP"

NATIONAL = "national"
STATE = "state"
SCHOOL = "school"


class ScopeError(PermissionError):
    """The request reaches outside the monitor's scope (answered with 403)."""

    def __init__(self, field: str, message: str, rule: str = "scope") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.rule = rule


@dataclass(frozen=True)
class Scope:
    level: str
    state: str | None = None
    school_id: int | None = None
    school_cct: str | None = None

    @property
    def label(self) -> str:
        if self.level == SCHOOL:
            return f"escuela {self.school_cct}"
        if self.level == STATE:
            return f"entidad {self.state}"
        return "nacional"

    def as_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "state": self.state,
            "school": self.school_cct,
        }

    def narrow(self, query: ReportQuery) -> ReportQuery:
        """Return ``query`` restricted to this scope; asking beyond it raises ``ScopeError``."""
        if self.level == NATIONAL:
            return query
        if query.state is not None and query.state != self.state:
            raise ScopeError(
                "state", _("state está fuera de tu alcance de monitoreo."), "scope.state"
            )
        if (
            self.level == STATE
            and query.school is not None
            and _school_state(query.school) != self.state
        ):
            # Narrowing alone would answer an empty 200, which tells the caller nothing true.
            raise ScopeError(
                "school",
                _("school está fuera de tu alcance de monitoreo (es de otra entidad)."),
                "scope.school",
            )
        query = query.with_changes(state=self.state)
        if self.level == SCHOOL:
            if query.school is not None and query.school != self.school_cct:
                raise ScopeError(
                    "school", _("school está fuera de tu alcance de monitoreo."), "scope.school"
                )
            query = query.with_changes(school=self.school_cct)
        return query


def _school_state(cct: str) -> str:
    """The INEGI state of the school with this CCT; for a CCT no school has, the state its
    first two digits name (a CCT's state agrees with its school's)."""
    from learners.models import School

    state = School.objects.filter(cct=cct).values_list("state", flat=True).first()
    return state or cct[:2]


def scope_for_user(user: Any) -> Scope | None:
    """The user's report scope, or None when the user may not see reports at all.

    Superusers are national monitors. Otherwise a ``MonitorScope`` row decides; a member of the
    "Monitores SEP" group without a row is a national monitor (the group is granted by an
    administrator, and the demo's ``monitor_sep`` user relies on it).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Scope(level=NATIONAL)
    from reports.models import MonitorScope

    row = (
        MonitorScope.objects.filter(user_id=user.pk)
        .select_related("school")
        .only("level", "state", "school__id", "school__cct", "school__state")
        .first()
    )
    if row is not None:
        if row.level == SCHOOL and row.school is not None:
            return Scope(
                level=SCHOOL,
                state=row.school.state,
                school_id=row.school.pk,
                school_cct=row.school.cct,
            )
        if row.level == STATE and row.state:
            return Scope(level=STATE, state=row.state)
        if row.level == NATIONAL:
            return Scope(level=NATIONAL)
        return None
    if user.groups.filter(name=MONITOR_GROUP).exists():
        return Scope(level=NATIONAL)
    return None


def scope_covers(outer: Scope, inner: dict[str, Any]) -> bool:
    """Whether a monitor with scope ``outer`` may see what was made under ``inner``.

    ``inner`` is a scope as recorded on an export (``level``, ``state``, ``school_id``): a
    national monitor sees everything, a state coordinator what was made for her state or one of
    its schools, a school director only what was made for her school.
    """
    level = inner.get("level")
    if outer.level == NATIONAL:
        return True
    if outer.level == STATE:
        return level in (STATE, SCHOOL) and inner.get("state") == outer.state
    if outer.level == SCHOOL:
        return level == SCHOOL and inner.get("school_id") == outer.school_id
    return False
