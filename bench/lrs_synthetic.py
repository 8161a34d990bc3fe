"""Synthetic xAPI statements shaped like Capacita's traffic (learner account agents, ADL verbs,
lesson activities inside course/module context, registrations, results)."""

from __future__ import annotations

import random
import uuid

HOME = "http://127.0.0.1:8000"
VERBS = [
    f"http://adlnet.gov/expapi/verbs/{name}"
    for name in [
        "registered",
        "launched",
        "initialized",
        "progressed",
        "completed",
        "passed",
        "failed",
        "terminated",
        "experienced",
        "answered",
        "attempted",
    ]
]
N_AGENTS = 10_000
N_COURSES = 50
LESSONS_PER_COURSE = 40


def agent(index: int) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": HOME, "name": str(uuid.UUID(int=index + 1))},
    }


def lesson_iri(course: int, lesson: int) -> str:
    return f"{HOME}/xapi/activities/course/{course}/lesson/{lesson}"


def statement(rng: random.Random, *, with_id: bool = True) -> dict:
    """One statement with random learner, verb, lesson and result."""
    learner = rng.randrange(N_AGENTS)
    course = rng.randrange(N_COURSES)
    lesson = rng.randrange(LESSONS_PER_COURSE)
    verb = rng.choice(VERBS)
    data = {
        "actor": agent(learner),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[1]}},
        "object": {
            "objectType": "Activity",
            "id": lesson_iri(course, lesson),
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/lesson",
                "name": {"es-MX": f"Lección {lesson}", "en-US": f"Lesson {lesson}"},
            },
        },
        "context": {
            "registration": str(uuid.UUID(int=(learner << 16) + course + 1)),
            "platform": "Capacita",
            "language": "es-MX",
            "contextActivities": {
                "parent": [
                    {"objectType": "Activity", "id": f"{HOME}/xapi/activities/course/{course}"}
                ],
                "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}],
            },
        },
        "result": {
            "completion": verb.endswith("completed"),
            "duration": f"PT{rng.randrange(1, 3600)}S",
            "score": {"scaled": round(rng.random(), 2), "raw": 5, "min": 0, "max": 10},
        },
        "timestamp": "2026-11-27T10:00:00.000Z",
    }
    if with_id:
        data["id"] = str(uuid.uuid4())
    return data
