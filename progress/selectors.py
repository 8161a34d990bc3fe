"""Reads of the progress app that other code may use: querysets and small data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrs.conf import actor_for_user
from lrs.models import Statement
from lrs.selectors import statements_by_actor_q
from lrs.statements import agent_ifi

if TYPE_CHECKING:
    from django.contrib.auth.models import User


ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def knowledge_check_last_results(
    *, user: User, lesson_iri: str, block_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """The learner's last graded attempt at each knowledge check of a lesson, by block id.

    Read from the LRS: the ``answered`` statements about ``<lesson IRI>/checks/<block id>``
    whose actor is the learner (voided ones excluded). Each value has ``raw``, ``max``,
    ``percent`` and ``passed``; checks never answered are absent.
    """
    if not block_ids:
        return {}
    by_iri = {f"{lesson_iri}/checks/{block_id}": block_id for block_id in block_ids}
    ifi = agent_ifi(actor_for_user(user))
    rows = (
        Statement.objects.filter(statements_by_actor_q(ifi or ""))
        .filter(verb=ANSWERED, activity__in=list(by_iri), voided=False)
        .order_by("-id")
        .values_list("activity", "data")
    )
    results: dict[str, dict[str, Any]] = {}
    for activity, data in rows:
        if activity is None:  # not among the filtered activities: never the case
            continue
        block_id = by_iri[activity]
        if block_id in results:
            continue
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict):
            continue
        score = result.get("score")
        if not isinstance(score, dict) or not isinstance(score.get("scaled"), int | float):
            continue
        results[block_id] = {
            "raw": score.get("raw"),
            "max": score.get("max"),
            "percent": round(score["scaled"] * 100),
            "passed": result.get("success") is True,
        }
        if len(results) == len(by_iri):
            break
    return results


def knowledge_check_outcomes(
    *, user: User, lesson_iri: str, block_ids: list[str]
) -> dict[str, dict[str, Any]]:
    """Each answered check's outcome for the lesson's passed/failed, by block id, with the rule
    tracking.js applies: attempts in order, a later attempt replaces a failed one, and once
    passed only a higher passing score replaces it. Values: ``passed`` and ``scaled``."""
    if not block_ids:
        return {}
    by_iri = {f"{lesson_iri}/checks/{block_id}": block_id for block_id in block_ids}
    ifi = agent_ifi(actor_for_user(user))
    rows = (
        Statement.objects.filter(statements_by_actor_q(ifi or ""))
        .filter(verb=ANSWERED, activity__in=list(by_iri), voided=False)
        .order_by("timestamp", "id")
        .values_list("activity", "data")
    )
    outcomes: dict[str, dict[str, Any]] = {}
    for activity, data in rows:
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict) or activity not in by_iri:
            continue
        raw_score = result.get("score")
        score: dict[str, Any] = raw_score if isinstance(raw_score, dict) else {}
        passed = result.get("success") is True
        given = score.get("scaled")
        scaled = float(given) if isinstance(given, int | float) else (1.0 if passed else 0.0)
        block_id = by_iri[activity]
        best = outcomes.get(block_id)
        if best is None or not best["passed"] or (passed and scaled > best["scaled"]):
            outcomes[block_id] = {"passed": passed, "scaled": scaled}
    return outcomes
