"""What the engine writes outside its own tables: the LMS's statements and enrolments.

The LMS states module and course completions in the LRS itself (authority: the LMS; actor:
the learner's account agent), with ids derived from the facts (see ``rules.lms_statement_id``)
so making the same statement twice stores it once. When a void undoes a completion the LMS
voids its own statement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from .rules import CourseState, lms_statement_id

ADL = "http://adlnet.gov/expapi/"
COMPLETED_VERB = {
    "id": ADL + "verbs/completed",
    "display": {"es-MX": "completó", "en-US": "completed"},
}
VOIDED_VERB = {"id": ADL + "verbs/voided", "display": {"es-MX": "anuló", "en-US": "voided"}}
COURSE_TYPE = ADL + "activities/course"
MODULE_TYPE = ADL + "activities/module"


class Actors:
    """The learners' account agents, looked up once per unit of work."""

    def __init__(self) -> None:
        self._cache: dict[int, dict[str, Any]] = {}

    def preload(self, user_ids: list[int]) -> None:
        """Read many learners' identities in one query (those without one are made later)."""
        from lrs.models import LearnerIdentity

        for user_id, name in LearnerIdentity.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "account_name"
        ):
            self._cache[user_id] = {
                "objectType": "Agent",
                "account": {"homePage": settings.LMS_SITE_URL, "name": name},
            }

    def __call__(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._cache:
            from lrs.conf import actor_for_user

            self._cache[user_id] = actor_for_user(get_user_model().objects.get(pk=user_id))
        return self._cache[user_id]


def store(statements: list[dict[str, Any]], *, batch_size: int = 500) -> None:
    """Store the LMS's statements (authority: the LMS) in batches, in order."""
    from lrs.services import statements_store

    for start in range(0, len(statements), batch_size):
        statements_store(statements=statements[start : start + batch_size])


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def completed(
    *,
    actor: dict[str, Any],
    statement_id: str,
    activity_id: str,
    activity_type: str,
    parent_id: str | None,
    completed_at: datetime,
    score: float | None = None,
) -> dict[str, Any]:
    """The LMS's ``completed`` statement about a module or course of a learner."""
    result: dict[str, Any] = {"completion": True}
    if score is not None:
        result["success"] = True
        result["score"] = {"scaled": score, "raw": round(score * 100, 2), "min": 0, "max": 100}
    statement: dict[str, Any] = {
        "id": statement_id,
        "actor": actor,
        "verb": COMPLETED_VERB,
        "object": {
            "objectType": "Activity",
            "id": activity_id,
            "definition": {"type": activity_type},
        },
        "result": result,
        "timestamp": _iso(completed_at),
    }
    if parent_id:
        statement["context"] = {"contextActivities": {"parent": [{"id": parent_id}]}}
    return statement


def voided(*, actor: dict[str, Any], target_id: str) -> dict[str, Any]:
    """The statement voiding one of the LMS's own completion statements."""
    return {
        "id": lms_statement_id(
            kind="void", actor_name=actor["account"]["name"], activity_id=target_id, basis=()
        ),
        "actor": actor,
        "verb": VOIDED_VERB,
        "object": {"objectType": "StatementRef", "id": target_id},
    }


def enrollments_sync(
    *, user_id: int, course_iri: str, state: CourseState, enrollments: list[Any] | None = None
) -> list[tuple[int, int]]:
    """Copy the course figures onto the learner's enrolments in this course (any translation).

    Returns ``(enrollment id, course page id)`` of each enrolment touched.
    """
    from learners.models import Enrollment

    from .structure import translation_key_of

    key = translation_key_of(course_iri)
    if key is None:
        return []
    touched = []
    # Cancelled enrolments keep the figures they had when the teacher left.
    if enrollments is None:
        enrolments = list(
            Enrollment.objects.filter(user_id=user_id, course__translation_key=key, status="active")
        )
    else:  # read ahead for many learners: keep this course's
        enrolments = [e for e in enrollments if str(e.course.translation_key) == key]
    for enrollment in enrolments:
        wanted = {
            "completed_at": state.completed_at,
            "score": state.score,
            "hours_completed": state.hours,
        }
        if enrollment.started_at is None and state.started_at is not None:
            wanted["started_at"] = state.started_at
        changed = [name for name, value in wanted.items() if getattr(enrollment, name) != value]
        # Most statements change nothing an enrolment shows (a second "progressed", an answer):
        # no write, and no report fact to re-sync.
        if changed:
            for name in changed:
                setattr(enrollment, name, wanted[name])
            enrollment.save(update_fields=changed)
        touched.append((enrollment.pk, enrollment.course_id))
    return touched
