"""The engine's view of stored rows: learners resolved in one query, only when a statement
can be evidence (the LRS runs this inside every statement POST)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.conf import settings

from lrs.identity import learner_actor
from progress.engine.source import stored_statements
from tests.progress.engine_support import make_learner

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"


def _row(actor: dict, verb: str, activity: str) -> SimpleNamespace:
    return SimpleNamespace(
        statement_id=uuid.uuid4(),
        data={
            "actor": actor,
            "verb": {"id": ADL + verb},
            "object": {"objectType": "Activity", "id": activity},
        },
        timestamp=datetime(2026, 3, 1, tzinfo=UTC),
    )


def _lesson_iri() -> str:
    return f"{settings.LMS_SITE_URL}/xapi/activities/lesson/{uuid.uuid4()}"


def test_statements_about_lessons_resolve_their_learners_in_one_query(
    django_assert_num_queries,
):
    ana, beto = make_learner(), make_learner()
    rows = [
        _row(learner_actor(user=ana), "completed", _lesson_iri()),
        _row(learner_actor(user=beto), "experienced", _lesson_iri() + "/checks/b1"),
        _row(learner_actor(user=ana), "passed", _lesson_iri()),
    ]
    with django_assert_num_queries(1):
        result = stored_statements(rows)
    assert [s.user_id for s in result] == [ana.pk, beto.pk, ana.pk]
    assert [s.statement_id for s in result] == [str(r.statement_id) for r in rows]


def test_statements_that_cannot_be_evidence_cost_no_query(django_assert_num_queries):
    ana = make_learner()
    actor = learner_actor(user=ana)
    rows = [
        # An external tool's own activity, an untracked verb on a lesson, a stranger's agent.
        _row(actor, "completed", "https://herramienta.example/actividad/1"),
        _row(actor, "registered", _lesson_iri()),
        _row({"mbox": "mailto:alguien@example.org"}, "completed", _lesson_iri()),
    ]
    with django_assert_num_queries(0):
        result = stored_statements(rows)
    assert [s.user_id for s in result] == [None, None, None]


def test_an_unknown_account_on_our_site_resolves_to_no_learner():
    actor = {"account": {"homePage": settings.LMS_SITE_URL, "name": str(uuid.uuid4())}}
    [result] = stored_statements([_row(actor, "completed", _lesson_iri())])
    assert result.user_id is None
