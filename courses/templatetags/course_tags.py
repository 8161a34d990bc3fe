"""Template helpers of the course pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def status_of(statuses: Mapping[str, str] | None, activity_id: str) -> str:
    """The learner's status of the lesson with this activity IRI ("" when unknown)."""
    if not statuses:
        return ""
    return statuses.get(activity_id, "")
