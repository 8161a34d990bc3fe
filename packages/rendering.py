"""The HTML of a "Contenido empaquetado" block.

Phase 1 shows the unit's launch page in a frame of the lesson (same origin). The cmi5 launch
(LaunchData, fetch token) and the SCORM run-time API replace the plain frame in the next
phases; the markup keeps the unit's id, kind and launch method for them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from packages import selectors


def unit_frame(request: HttpRequest | None, lesson_page: Any, unit_uuid: str) -> str:
    unit = selectors.unit_by_uuid(unit_uuid=unit_uuid)
    if unit is None:
        return ""
    lesson_id = getattr(lesson_page, "pk", None)
    context = {
        "unit": unit,
        "launch_url": selectors.unit_launch_path(unit),
        # What the unit's statements are about in this lesson (its AU's or SCO's activity id).
        "activity_id": selectors.unit_activity_id(unit, lesson_page if lesson_id else None),
        # SCOs run with the SCORM API of packages/static/packages/scorm-runtime.js.
        "scorm_version": unit.package.format if unit.kind == unit.Kind.SCO else "",
        "lesson_id": lesson_id,
    }
    if unit.kind == unit.Kind.AU and lesson_id:
        # cmi5: the AU starts through a POST that opens its session (packages/cmi5/views.py).
        from django.urls import reverse

        from packages.cmi5.selectors import launch_modes

        context["cmi5_launch_url"] = reverse(
            "packages:cmi5-launch", kwargs={"unit_uuid": unit.uuid, "lesson_id": lesson_page.pk}
        )
        # The launchModes offered (packages/cmi5/selectors.py), the default first.
        user = getattr(request, "user", None)
        context["cmi5_modes"] = (
            launch_modes(user=user, unit=unit, lesson=lesson_page)
            if user is not None and user.is_authenticated
            else ["Normal"]
        )
    return render_to_string("packages/unit_frame.html", context, request=request)
