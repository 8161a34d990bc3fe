"""Builders for the progress-engine tests: learners, statements about lessons, snapshots."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from lrs.identity import learner_actor
from lrs.services import statements_store
from progress.models import CourseProgress, LessonProgress, ModuleProgress

ADL = "http://adlnet.gov/expapi/verbs/"
PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_learner(username: str | None = None) -> Any:
    return get_user_model().objects.create_user(
        username=username or f"docente-{uuid.uuid4().hex[:8]}", password="x"
    )


def lesson_statement(
    user: Any,
    verb: str,
    activity_id: str,
    *,
    minute: int = 0,
    scaled: float | None = None,
    progress: int | None = None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": learner_actor(user=user),
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity_id},
        "timestamp": (T0 + timedelta(minutes=minute)).isoformat(),
    }
    result: dict[str, Any] = {}
    if verb == "completed":
        result["completion"] = True
    if verb in ("passed", "failed"):
        result["success"] = verb == "passed"
    if scaled is not None:
        result["score"] = {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100}
    if progress is not None:
        result["extensions"] = {PROGRESS: progress}
    if result:
        statement["result"] = result
    return statement


def void(statement_id: str, user: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": learner_actor(user=user),
        "verb": {"id": ADL + "voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": statement_id},
    }


def store(*statements: dict[str, Any]) -> None:
    statements_store(statements=list(statements))


def course_stream(user: Any, outline: Any, *, score: float = 0.9) -> list[dict[str, Any]]:
    """Statements that complete every lesson of a course (passing each check with ``score``)."""
    stream = []
    minute = 0
    for lesson in outline.lessons:
        minute += 10
        stream.append(lesson_statement(user, "experienced", lesson.activity_id, minute=minute))
        stream.append(
            lesson_statement(user, "progressed", lesson.activity_id, minute=minute + 1, progress=50)
        )
        if lesson.has_knowledge_check:
            stream.append(
                lesson_statement(user, "failed", lesson.activity_id, minute=minute + 2, scaled=0.3)
            )
            stream.append(
                lesson_statement(
                    user, "passed", lesson.activity_id, minute=minute + 3, scaled=score
                )
            )
        stream.append(lesson_statement(user, "completed", lesson.activity_id, minute=minute + 4))
    return stream


def snapshot(user: Any) -> dict[str, Any]:
    """Every progress row of a learner, without primary keys or the user."""

    def rows(model: Any, key: str) -> dict[str, dict[str, Any]]:
        return {
            row[key]: {k: v for k, v in row.items() if k not in ("id", "user_id")}
            for row in model.objects.filter(user=user).values()
        }

    return {
        "lessons": rows(LessonProgress, "lesson_iri"),
        "modules": rows(ModuleProgress, "module_iri"),
        "courses": rows(CourseProgress, "course_iri"),
    }
