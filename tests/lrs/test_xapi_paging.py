"""Statement pages follow ``stored``, then the row id (Communication 2.1.3): an ascending
``since`` walk starts at ``since``, and ``more`` pages neither skip nor repeat a statement,
across statements that share one ``stored`` and while new statements arrive."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lrs.models import Statement, StatementAgent
from tests.lrs.xapi_fixtures import statement

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


def _token(page: dict) -> str:
    return parse_qs(urlparse(page["more"]).query)["more"][0]


def _walk(xapi, params: dict, between_pages=None) -> list[str]:
    response = xapi.get("statements", params)
    assert response.status_code == 200, response.content
    page = response.json()
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        if between_pages:
            between_pages()
        response = xapi.get("statements", {"more": _token(page)})
        assert response.status_code == 200, response.content
        page = response.json()
        seen += [s["id"] for s in page["statements"]]
    return seen


def _store_batches(xapi, sizes: list[int], minutes: list[int]) -> list[list[str]]:
    """Batches whose statements share one ``stored`` each, set to BASE + minutes; the first
    batch gets the smallest ids whatever its time."""
    batches = []
    for size, minute in zip(sizes, minutes, strict=True):
        ids = xapi.store(*[statement() for _ in range(size)])
        at = BASE + datetime.timedelta(minutes=minute)
        Statement.objects.filter(statement_id__in=ids).update(stored=at)
        StatementAgent.objects.filter(statement__statement_id__in=ids).update(stored=at)
        batches.append(ids)
    return batches


def _in_stored_order() -> list[str]:
    return [
        str(s)
        for s in Statement.objects.order_by("stored", "id").values_list("statement_id", flat=True)
    ]


@pytest.mark.parametrize("ascending", [True, False])
@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_pages_split_statements_of_one_stored_time_without_skipping_or_repeating(
    xapi, ascending, limit
):
    # The first batch (lowest ids) is stored last: pages follow stored, not ids.
    _store_batches(xapi, [5, 3, 4], [30, 10, 20])
    expected = _in_stored_order()
    by_id = [
        str(s) for s in Statement.objects.order_by("id").values_list("statement_id", flat=True)
    ]
    assert expected != by_id
    params = {"limit": str(limit)}
    if ascending:
        params["ascending"] = "true"
    seen = _walk(xapi, params)
    assert seen == (expected if ascending else expected[::-1])


@pytest.mark.parametrize("ascending", [True, False])
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_an_agents_pages_follow_stored_through_the_agent_key(xapi, ascending, limit):
    """``agent`` pages walk the agent table's (ifi, stored, statement) key: the same order,
    bounds and ``more`` pages as every other query, and another agent's statements never
    come in."""
    _store_batches(xapi, [5, 3, 4], [30, 10, 20])
    other = xapi.store(statement(actor={"objectType": "Agent", "mbox": "mailto:otro@example.com"}))
    expected = [sid for sid in _in_stored_order() if sid not in other]
    params = {"agent": '{"mbox": "mailto:learner@example.com"}', "limit": str(limit)}
    if ascending:
        params["ascending"] = "true"
    assert _walk(xapi, params) == (expected if ascending else expected[::-1])
    since = (BASE + datetime.timedelta(minutes=10)).isoformat()
    until = (BASE + datetime.timedelta(minutes=20)).isoformat()
    bounded = _walk(xapi, {**params, "since": since, "until": until})
    assert bounded == (expected[3:7] if ascending else expected[3:7][::-1])


def test_an_agent_page_also_finds_statements_that_refer_to_the_agents(xapi):
    """A StatementRef to one of the agent's statements matches the agent filter (Data 2.4.4.3,
    Communication 2.1.3): it is not in the agent's own rows, so the page is read the other
    way, in the same order."""
    (target,) = xapi.store(statement())
    (ref,) = xapi.store(
        statement(
            actor={"objectType": "Agent", "mbox": "mailto:otro@example.com"},
            object={"objectType": "StatementRef", "id": target},
        )
    )
    xapi.store(statement(actor={"objectType": "Agent", "mbox": "mailto:tercero@example.com"}))
    seen = _walk(xapi, {"agent": '{"mbox": "mailto:learner@example.com"}', "limit": "1"})
    assert seen == [ref, target]


def test_an_agent_page_reads_its_own_rows_not_the_agents_whole_history(xapi):
    """The plan: the agent key read backwards from the newest row and stopped after the page,
    not every statement the agent ever made fetched and sorted (at 1,000,000 statements a
    cold agent page read three times the pages it needed)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    xapi.store(*[statement() for _ in range(50)])
    with connection.cursor() as cursor:
        # 200,000 older statements of 10,000 other agents and, spread among them, 4,000 more
        # of this learner (a long history, as a live store holds it); then the statistics.
        cursor.execute(
            "INSERT INTO progress_statement (statement_id, data, actor_ifi, verb, voiding,"
            " voided, has_attachments, stored, timestamp)"
            " SELECT gen_random_uuid(), '{}',"
            " CASE WHEN g % 50 = 0 THEN s.actor_ifi ELSE 'mbox:x' || (g % 10000) END,"
            " verb, false, false, false, stored - g * interval '1 second', timestamp"
            " FROM (SELECT * FROM progress_statement LIMIT 1) AS s,"
            " generate_series(1, 200000) AS g"
        )
        cursor.execute(
            "INSERT INTO progress_statementagent (statement_id, ifi, stored, direct)"
            " SELECT id, actor_ifi, stored, true FROM progress_statement"
            " WHERE data = '{}'::jsonb"
        )
        cursor.execute("ANALYZE progress_statementagent")
        cursor.execute("ANALYZE progress_statement")
    with CaptureQueriesContext(connection) as queries:
        response = xapi.get(
            "statements", {"agent": '{"mbox": "mailto:learner@example.com"}', "limit": "10"}
        )
    assert response.status_code == 200
    assert len(response.json()["statements"]) == 10
    page_sql = next(q["sql"] for q in queries.captured_queries if "LIMIT 11" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + page_sql)
        plan = cursor.fetchone()[0][0]["Plan"]

    def nodes(node: dict):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    scans = [n for n in nodes(plan) if n.get("Relation Name") == "progress_statementagent"]
    # An index-only scan once VACUUM has marked the pages all-visible; either way the key.
    assert [n["Node Type"] in ("Index Scan", "Index Only Scan") for n in scans] == [True]
    assert scans[0]["Index Name"] == "progress_statementagent_pkey"
    assert scans[0]["Actual Rows"] <= 11  # of the learner's 4,050
    assert not any(n["Node Type"] == "Sort" for n in nodes(plan))


@pytest.mark.parametrize("ascending", [True, False])
def test_statements_arriving_during_a_walk_neither_shift_nor_join_it(xapi, ascending):
    _store_batches(xapi, [3, 3], [10, 20])
    expected = _in_stored_order()
    params = {"limit": "2", "ascending": "true" if ascending else "false"}
    seen = _walk(xapi, params, between_pages=lambda: xapi.store(statement(), statement()))
    assert seen == (expected if ascending else expected[::-1])
    assert Statement.objects.count() == 6 + 2 * 2  # two more pages, two batches of two


def test_an_ascending_since_walk_starts_after_since_and_reads_to_the_end(xapi):
    batches = _store_batches(xapi, [2, 2, 2, 2], [40, 10, 30, 20])
    expected = _in_stored_order()
    since = (BASE + datetime.timedelta(minutes=20)).isoformat()  # equal stored is not after
    seen = _walk(xapi, {"since": since, "ascending": "true", "limit": "1"})
    assert seen == expected[4:]
    assert set(seen) == set(batches[2] + batches[0])
    until = (BASE + datetime.timedelta(minutes=30)).isoformat()
    assert _walk(xapi, {"since": since, "until": until, "limit": "1"}) == expected[4:6][::-1]


def test_a_more_token_from_before_stored_paging_still_continues(xapi):
    """Tokens issued before this change carry row ids: they go on from that row's place."""
    _store_batches(xapi, [2, 2], [10, 20])
    expected = _in_stored_order()
    rows = dict(Statement.objects.values_list("statement_id", "id"))
    by_uuid = {str(k): v for k, v in rows.items()}
    state = {"ascending": "true", "limit": "2", "_after": by_uuid[expected[0]]}
    state["_ceiling"] = by_uuid[expected[-1]]
    token = signing.dumps(state, salt="progress.xapi.more", compress=True)
    response = xapi.get("statements", {"more": token})
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["statements"]] == expected[1:3]
    state["_after"] = max(by_uuid.values()) + 1000  # a row that no longer exists
    token = signing.dumps(state, salt="progress.xapi.more", compress=True)
    response = xapi.get("statements", {"more": token})
    assert response.status_code == 400
    assert response.json()["rule"] == "more"


def test_the_first_page_of_a_since_walk_reads_from_since_not_from_the_oldest_row(xapi):
    """The plan: an index range scan from ``since`` in (stored, id) order, not a walk of the
    primary key from the first statement ever stored (1.3 s cold at 1,000,000 statements)."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    xapi.store(*[statement() for _ in range(10)])
    with connection.cursor() as cursor:
        # 200,000 statements a month old, then the planner's statistics.
        cursor.execute(
            "INSERT INTO progress_statement (statement_id, data, actor_ifi, verb, voiding,"
            " voided, has_attachments, stored, timestamp)"
            " SELECT gen_random_uuid(), '{}', 'mbox:x', verb, false, false, false,"
            " stored - interval '30 days' + g * interval '1 second', timestamp"
            " FROM progress_statement, generate_series(1, 20000) AS g"
        )
        cursor.execute("ANALYZE progress_statement")
    since = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).isoformat()
    with CaptureQueriesContext(connection) as queries:
        assert len(_walk(xapi, {"since": since, "ascending": "true", "limit": "100"})) == 10
    page_sql = next(q["sql"] for q in queries.captured_queries if 'stored" >' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "lrs_stmt_stored_id" in plan, plan
    assert "progress_statement_pkey" not in plan, plan
