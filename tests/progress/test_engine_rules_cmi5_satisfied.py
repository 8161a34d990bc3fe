"""The LMS's cmi5 ``satisfied`` about a lesson finishes it (packages/cmi5/status.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from progress.engine.facts import evidence_from
from progress.engine.rules import (
    COMPLETED,
    SATISFIED,
    Evidence,
    lesson_state,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ev(verb: str, minute: int, *, on_lesson: bool = True) -> Evidence:
    return Evidence(
        statement_id=f"{minute:08d}-0000-0000-0000-000000000000",
        verb=verb,
        timestamp=T0 + timedelta(minutes=minute),
        on_lesson=on_lesson,
    )


def test_satisfied_finishes_a_lesson_with_or_without_a_check():
    for has_check in (False, True):
        state = lesson_state([ev(SATISFIED, 5)], has_check=has_check)
        assert state.done and state.progress_percent == 100
        assert state.completed_at == T0 + timedelta(minutes=5)


def test_what_the_au_says_about_its_part_does_not_finish_the_lesson():
    state = lesson_state([ev(COMPLETED, 1, on_lesson=False)], has_check=False)
    assert not state.done


def test_the_earliest_of_completed_and_satisfied_completes():
    state = lesson_state([ev(SATISFIED, 9), ev(COMPLETED, 3)], has_check=False)
    assert state.completed_at == T0 + timedelta(minutes=3)


def test_a_satisfied_statement_reads_as_evidence_about_the_lesson(settings):
    lesson = f"{settings.LMS_SITE_URL}/xapi/activities/lesson/0b8f5a2e-6a43-4d1b-9f2e-5c7a9f1d2e3a"
    data = {
        "verb": {"id": "https://w3id.org/xapi/adl/verbs/satisfied"},
        "object": {"objectType": "Activity", "id": lesson},
    }
    found = evidence_from(data, statement_id="s", timestamp=T0)
    assert found is not None and found[0] == lesson and found[1].verb == SATISFIED
    au = {
        **data,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
        "object": {"id": f"{lesson}/cmi5/0b8f5a2e-6a43-4d1b-9f2e-5c7a9f1d2e3a"},
    }
    part = evidence_from(au, statement_id="t", timestamp=T0)
    assert part is not None and part[1].on_lesson is False
