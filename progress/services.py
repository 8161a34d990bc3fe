"""Writes of the progress app. Keyword-only, typed, atomic where several rows change."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from learners.models import Enrollment
from lrs.auth import lms_authority
from lrs.conf import actor_for_user
from lrs.services import StoreContext, statements_store_checked
from lrs.validation import validate_statements
from progress.selectors import knowledge_check_outcomes

if TYPE_CHECKING:
    from django.contrib.auth.models import User


ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
LESSON_TYPE = "http://adlnet.gov/expapi/activities/lesson"


def knowledge_check_answer_record(
    *,
    user: User,
    lesson_page: Any,
    block_id: str,
    raw: int,
    max_score: int,
    scaled: float,
    passed: bool,
) -> uuid.UUID | None:
    """Record a knowledge check graded on the server (the lesson page's plain form, no
    JavaScript) as the ``answered`` statement tracking.js sends after grading through the API.

    Same shape: the learner's opaque account agent, the check ``<lesson IRI>/checks/<block
    id>`` as an assessment, the module and course as context, ``result.success`` and
    ``result.score``. No ``result.duration``: without the script nobody timed the attempt.
    Stored through the LRS's own storage as the learner's session would (authority: Capacita,
    owned by the user), so the statement log feeds the engine exactly as for the browser's.
    Once every check of the lesson has an outcome it also records the lesson ``passed`` or
    ``failed`` with the mean score, as tracking.js does (what completes a checked lesson).
    Only for a learner enrolled in the lesson's course; returns the ``answered`` statement's
    id, or None when nothing was recorded.
    """
    module = lesson_page.get_parent().specific
    course = module.get_parent().specific
    if not Enrollment.objects.filter(
        user=user, course__translation_key=course.translation_key, status="active"
    ).exists():
        return None
    language = lesson_page.locale.language_code or settings.LANGUAGE_CODE
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor_for_user(user),
        "verb": {"id": ADL_VERBS + "answered", "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": f"{lesson_page.activity_id}/checks/{block_id}",
            "definition": {"type": ASSESSMENT_TYPE},
        },
        "context": {
            "platform": "Capacita",
            "language": language,
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": module.activity_id}],
                "grouping": [{"objectType": "Activity", "id": course.activity_id}],
            },
        },
        "result": {
            "success": passed,
            "score": {"scaled": scaled, "raw": raw, "min": 0, "max": max_score},
        },
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
    }
    ctx = StoreContext(authority=lms_authority(), user_id=user.pk)
    stored = uuid.UUID(statements_store_checked(validate_statements([statement]), ctx)[0])
    # Like tracking.js: once every check of the lesson has an outcome, the lesson is passed
    # (all passed) or failed, scored with the mean, which is what completes a checked lesson.
    block_ids = list(lesson_page.knowledge_check_ids)
    outcomes = knowledge_check_outcomes(
        user=user, lesson_iri=lesson_page.activity_id, block_ids=block_ids
    )
    if len(outcomes) == len(block_ids):
        lesson_passed = all(outcome["passed"] for outcome in outcomes.values())
        mean = round(sum(outcome["scaled"] for outcome in outcomes.values()) / len(outcomes), 4)
        verb = "passed" if lesson_passed else "failed"
        outcome_statement = {
            **statement,
            "id": str(uuid.uuid4()),
            "verb": {"id": ADL_VERBS + verb, "display": {"en-US": verb}},
            "object": {
                "objectType": "Activity",
                "id": lesson_page.activity_id,
                "definition": {
                    "type": LESSON_TYPE,
                    "name": {language: lesson_page.title},
                },
            },
            "result": {
                "success": lesson_passed,
                "score": {"scaled": mean, "raw": round(mean * 100), "min": 0, "max": 100},
            },
        }
        statements_store_checked(validate_statements([outcome_statement]), ctx)
    return stored
