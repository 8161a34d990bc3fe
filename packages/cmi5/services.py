"""Launching a cmi5 AU (cmi5 section 8) and what the LMS states afterwards (section 9.3).

The AU's activityId is generated from the lesson that shows it: ``<lesson IRI>/cmi5/<unit
uuid>``. It is never the AU's publisher id (which goes into the contextTemplate's grouping),
it stays the same across launches and registrations, and the progress engine reads it as a
part of the lesson: what the AU says (completed, passed) does not finish the lesson by itself;
the LMS's ``satisfied`` about the lesson IRI does, once the AU's moveOn is met.

The registration is one per learner and course, derived (UUIDv5) from the learner's opaque
xAPI account name and the course IRI: kept across launches with no table to hold it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from lrs import cmi5 as lrs_cmi5
from lrs.conf import actor_for_user
from lrs.models import Cmi5Session
from packages.models import Package, PackageUnit

REGISTRATION_NAMESPACE = uuid.UUID("5b0d7c0e-3f7a-4f43-9a55-8a8e2f4e9c11")
AU_SEGMENT = "/cmi5/"


def au_activity_id(unit: PackageUnit, lesson: Any) -> str:
    """The LMS-generated activity id of ``unit`` shown in ``lesson``."""
    return f"{lesson.activity_id}{AU_SEGMENT}{unit.uuid}"


def split_au_activity_id(activity_id: str) -> tuple[str, str] | None:
    """``(lesson IRI, unit uuid)`` of an activity id made by :func:`au_activity_id`."""
    lesson_iri, sep, unit_uuid = activity_id.rpartition(AU_SEGMENT)
    if not sep:
        return None
    try:
        uuid.UUID(unit_uuid)
    except ValueError:
        return None
    return lesson_iri, unit_uuid


def registration_for(*, actor: dict, course_iri: str) -> uuid.UUID:
    """The learner's cmi5 registration in a course (the same at every launch)."""
    account = actor.get("account") or {}
    return uuid.uuid5(REGISTRATION_NAMESPACE, f"{account.get('name', '')}|{course_iri}")


def learner_language(language: str | None) -> str:
    """The ``languagePreference`` list: the learner's language first, es-MX by default."""
    return "en-US,es-MX" if (language or "").startswith("en") else "es-MX,en-US"


@dataclass(frozen=True)
class Launch:
    url: str
    session_id: str
    registration: uuid.UUID
    activity_id: str
    launch_method: str


def course_of(lesson: Any) -> Any:
    """The course page of a lesson (lesson → module → course)."""
    module = lesson.get_parent().specific
    return module.get_parent().specific


def launch_au(
    *,
    unit: PackageUnit,
    lesson: Any,
    actor: dict,
    endpoint: str,
    fetch_base: str,
    content_base: str,
    return_url: str = "",
    launch_mode: str = Cmi5Session.Mode.NORMAL,
    language: str | None = None,
    registration: uuid.UUID | None = None,
) -> Launch:
    """Open a session for ``unit`` and build its launch URL (cmi5 section 8.1).

    Writes, through the LRS, ``LMS.LaunchData`` and ``launched`` (``lrs.cmi5.cmi5_session_open``)
    and the learner's ``cmi5LearnerPreferences`` when she has none. ``endpoint`` is the LRS's
    absolute URL, ``fetch_base`` the absolute URL of the fetch view without its token,
    ``content_base`` the site's origin for AUs inside the package.
    """
    from packages.selectors import unit_launch_path

    course = course_of(lesson)
    registration = registration or registration_for(actor=actor, course_iri=course.activity_id)
    activity_id = au_activity_id(unit, lesson)
    path = unit_launch_path(unit)
    au_url = path if unit.is_absolute else content_base.rstrip("/") + path
    base, _hash, fragment = au_url.partition("#")
    session = lrs_cmi5.cmi5_session_open(
        registration=registration,
        actor=actor,
        activity_id=activity_id,
        publisher_id=unit.identifier,
        move_on=unit.move_on or "NotApplicable",
        launch_url=base.partition("?")[0],
        launch_mode=launch_mode,
        mastery_score=unit.mastery_score,
        return_url=return_url,
        launch_parameters=unit.parameters,
        entitlement_key=unit.entitlement_key,
        context_template={
            "contextActivities": {"parent": [{"id": lesson.activity_id, "objectType": "Activity"}]}
        },
    )
    lrs_cmi5.cmi5_learner_preferences_ensure(actor=actor, language=learner_language(language))
    token = lrs_cmi5.cmi5_fetch_token_issue(session)
    query = urlencode(
        {
            "endpoint": endpoint,
            "fetch": fetch_base.rstrip("/") + f"/{token}/",
            "actor": json.dumps(actor, separators=(",", ":")),
            "registration": str(registration),
            "activityId": activity_id,
        }
    )
    url = f"{base}{'&' if '?' in base else '?'}{query}" + (f"#{fragment}" if fragment else "")
    return Launch(
        url=url,
        session_id=session.session_id,
        registration=registration,
        activity_id=activity_id,
        launch_method=unit.launch_method or "AnyWindow",
    )


def launch_for_user(
    *, user: Any, unit: PackageUnit, lesson: Any, request: Any, **kw: Any
) -> Launch:
    """:func:`launch_au` for a signed-in learner, with the request's origin."""
    return launch_au(
        unit=unit,
        lesson=lesson,
        actor=actor_for_user(user),
        endpoint=lrs_endpoint(request),
        fetch_base=request.build_absolute_uri(reverse("packages:cmi5-fetch-base")),
        content_base=request.build_absolute_uri("/"),
        **kw,
    )


def lrs_endpoint(request: Any) -> str:
    """The LRS's base URL, absolute, with its trailing slash."""
    statements = reverse("xapi:statements").rstrip("/")
    return request.build_absolute_uri(statements[: -len("statements")])


def package_aus(package: Package) -> list[PackageUnit]:
    return list(
        package.units.filter(kind=PackageUnit.Kind.AU, retired=False)
        .select_related("lesson")
        .order_by("order", "pk")
    )


def waive_au(
    *,
    unit: PackageUnit,
    lesson: Any,
    actor: dict,
    reason: str,
    registration: uuid.UUID | None = None,
) -> Cmi5Session:
    """Waive ``unit`` for a learner (``waived`` in a session of its own; ``satisfied`` follows
    once the transaction commits, see packages/cmi5/status.py)."""
    course = course_of(lesson)
    return lrs_cmi5.cmi5_au_waive(
        registration=registration or registration_for(actor=actor, course_iri=course.activity_id),
        actor=actor,
        activity_id=au_activity_id(unit, lesson),
        publisher_id=unit.identifier,
        move_on=unit.move_on or "NotApplicable",
        reason=reason,
    )
