"""The Statements resource (Communication 2.1, Data 2.3): store, identity, voiding, queries,
paging, formats, headers, alternate syntax and quotas."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest

from lrs.models import Statement, StatementAgent
from lrs.signals import statements_stored, statements_voided
from tests.lrs.xapi_fixtures import (
    ACTIVITY,
    VERB,
    new_id,
    statement,
)

pytestmark = pytest.mark.django_db

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
AGENT = {"mbox": "mailto:learner@example.com"}
OTHER = {"mbox": "mailto:other@example.com"}


def voiding(target: str, **overrides) -> dict:
    return statement(
        verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}, **overrides
    )


# --- storing ------------------------------------------------------------------------------------


def test_put_stores_a_statement_and_the_lrs_completes_it(xapi):
    sid = new_id()
    response = xapi.put("statements", statement(), params={"statementId": sid})
    assert response.status_code == 204
    stored = xapi.get("statements", {"statementId": sid}).json()
    assert stored["id"] == sid
    assert stored["version"] == "1.0.0"
    assert stored["stored"].endswith("Z") and stored["timestamp"] == stored["stored"]
    assert stored["authority"]["account"]["name"] == f"lrs-client:{xapi.lrs_client.key}"


def test_put_requires_statement_id_and_it_must_match_the_body(xapi):
    assert xapi.put("statements", statement()).status_code == 400
    response = xapi.put("statements", statement(id=new_id()), params={"statementId": new_id()})
    assert response.status_code == 400
    assert response.json()["rule"] == "statement.id_matches"
    assert xapi.put("statements", statement(), params={"statementId": "x"}).status_code == 400
    assert Statement.objects.count() == 0


def test_post_stores_one_or_many_and_returns_ids_in_order(xapi):
    given = new_id()
    response = xapi.post("statements", statement(id=given))
    assert response.status_code == 200
    assert response.json() == [given]
    ids = xapi.store(statement(), statement(id=(second := new_id())), statement())
    assert len(ids) == 3 and ids[1] == second
    assert Statement.objects.count() == 4


def test_authority_given_by_the_client_is_replaced(xapi):
    sid = xapi.store(statement(authority={"mbox": "mailto:boss@example.com"}))[0]
    stored = xapi.get("statements", {"statementId": sid}).json()
    assert "mbox" not in stored["authority"]


def test_version_header_2_sets_version_2(xapi):
    xapi.version = "2.0.0"
    sid = xapi.store(statement())[0]
    response = xapi.get("statements", {"statementId": sid})
    assert response.json()["version"] == "2.0.0"
    assert response["X-Experience-API-Version"] == "2.0.0"


def test_same_id_and_equivalent_statement_is_a_no_op(xapi):
    sid = new_id()
    first = statement(id=sid, timestamp="2024-01-01T10:00:00Z")
    assert xapi.post("statements", first).status_code == 200
    # Differences the LRS may introduce are ignored: timestamp serialisation, verb display,
    # activity definition, mbox case, group member order.
    same = statement(
        id=sid.upper(),
        timestamp="2024-01-01T12:00:00+02:00",
        verb={"id": VERB, "display": {"es": "experimentó"}},
        object={"id": ACTIVITY},
        actor={"mbox": "mailto:LEARNER@example.com", "objectType": "Agent"},
    )
    assert xapi.put("statements", same, params={"statementId": sid}).status_code == 204
    assert xapi.post("statements", [same]).status_code == 200
    assert Statement.objects.count() == 1


def test_a_retry_of_a_statement_sent_without_timestamp_is_a_no_op(xapi):
    """The LRS fills the timestamp in with the time it stored the statement; a tool retrying
    (a timeout, a lost answer) sends the same statement again, still without one."""
    sid = new_id()
    assert xapi.post("statements", statement(id=sid)).status_code == 200
    time.sleep(0.01)
    assert xapi.post("statements", [statement(), statement(id=sid)]).status_code == 200
    assert xapi.put("statements", statement(), params={"statementId": sid}).status_code == 204
    assert Statement.objects.count() == 2
    dated = statement(id=sid, timestamp="2020-01-01T00:00:00Z")
    assert xapi.post("statements", dated).status_code == 409


def test_same_id_and_different_statement_is_a_conflict_and_changes_nothing(xapi):
    sid = new_id()
    xapi.store(statement(id=sid))
    response = xapi.post("statements", [statement(), statement(id=sid, result={"success": True})])
    assert response.status_code == 409
    assert response.json()["rule"] == "statement.immutable"
    response = xapi.put(
        "statements", statement(verb={"id": "http://e.x/other"}), params={"statementId": sid}
    )
    assert response.status_code == 409
    assert Statement.objects.count() == 1


def test_a_batch_repeating_an_id_is_rejected(xapi):
    sid = new_id()
    response = xapi.post("statements", [statement(id=sid), statement(id=sid)])
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_rejected_content_types_and_bodies(xapi):
    assert xapi.post("statements", b"{", content_type="application/json").status_code == 400
    assert xapi.post("statements", b"x", content_type="text/plain").status_code == 400
    assert xapi.post("statements", statement(), params={"verb": VERB}).status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", [5, 50])  # multi-row INSERT and COPY paths on PostgreSQL
def test_failure_in_the_middle_of_a_batch_stores_nothing(xapi, size):
    """A 2xx means committed; anything raising mid-batch (after the statement rows were
    inserted) rolls the whole batch back."""
    calls = []

    def explode(sender, **kwargs):
        calls.append(kwargs["statement_ids"])
        raise RuntimeError("injected failure after the rows were inserted")

    statements_stored.connect(explode, weak=False)
    try:
        with pytest.raises(RuntimeError):
            xapi.post("statements", [statement() for _ in range(size)])
    finally:
        statements_stored.disconnect(explode)
    assert len(calls) == 1 and len(calls[0]) == size  # the rows existed inside the transaction
    assert Statement.objects.count() == 0
    assert StatementAgent.objects.count() == 0
    assert xapi.store(statement())  # and the LRS keeps working


def test_statements_stored_is_sent_inside_the_transaction_with_row_ids(xapi):
    from django.db import connection

    seen = {}

    def receiver(sender, statement_ids, statements, **kwargs):
        seen["ids"] = statement_ids
        seen["in_atomic"] = connection.in_atomic_block
        seen["uuids"] = [str(row.statement_id) for row in statements]

    statements_stored.connect(receiver)
    try:
        ids = xapi.store(statement(), statement())
    finally:
        statements_stored.disconnect(receiver)
    assert seen["in_atomic"] is True
    assert seen["uuids"] == ids
    assert sorted(seen["ids"]) == sorted(
        Statement.objects.filter(statement_id__in=ids).values_list("id", flat=True)
    )


def test_statements_store_service_validates_and_stores_without_http(db):
    from lrs.services import statements_store
    from lrs.validation import XAPIValidationError

    ids = statements_store(statements=[statement(), statement()])
    assert Statement.objects.filter(statement_id__in=ids).count() == 2
    row = Statement.objects.get(statement_id=ids[0])
    assert row.data["authority"]["account"]["name"] == "capacita"
    with pytest.raises(XAPIValidationError):
        statements_store(statements=[statement(), statement(verb={"id": "bad"})])
    assert Statement.objects.count() == 2


# --- voiding --------------------------------------------------------------------------------


def test_voided_statements_leave_queries_and_are_served_by_voided_statement_id(xapi):
    target = xapi.store(statement())[0]
    voided_events = []
    statements_voided.connect(handler := lambda sender, **kw: voided_events.append(kw))
    try:
        voider = xapi.store(voiding(target))[0]
    finally:
        statements_voided.disconnect(handler)
    assert voided_events[0]["statement_uuids"] == [target]
    assert xapi.get("statements", {"statementId": target}).status_code == 404
    response = xapi.get("statements", {"voidedStatementId": target})
    assert response.status_code == 200 and response.json()["id"] == target
    assert xapi.get("statements", {"voidedStatementId": voider}).status_code == 404
    ids = [s["id"] for s in xapi.get("statements").json()["statements"]]
    assert ids == [voider]


def test_a_voiding_statement_cannot_be_voided(xapi):
    target = xapi.store(statement())[0]
    voider = xapi.store(voiding(target))[0]
    response = xapi.post("statements", voiding(voider))
    assert response.status_code == 400
    assert response.json()["rule"] == "voiding.not_voidable"
    assert xapi.get("statements", {"statementId": voider}).status_code == 200


def test_voiding_before_the_target_arrives_voids_it_on_arrival(xapi):
    target = new_id()
    xapi.store(voiding(target))
    xapi.store(statement(id=target))
    assert xapi.get("statements", {"statementId": target}).status_code == 404
    assert xapi.get("statements", {"voidedStatementId": target}).status_code == 200


def test_voiding_a_missing_statement_is_accepted(xapi):
    assert xapi.post("statements", voiding(new_id())).status_code == 200


def test_statements_referring_to_a_voided_one_are_still_returned(xapi):
    target = xapi.store(statement())[0]
    ref = xapi.store(
        statement(
            verb={"id": "http://e.x/liked"}, object={"objectType": "StatementRef", "id": target}
        )
    )[0]
    xapi.store(voiding(target))
    assert xapi.get("statements", {"statementId": ref}).status_code == 200
    ids = [
        s["id"] for s in xapi.get("statements", {"verb": "http://e.x/liked"}).json()["statements"]
    ]
    assert ids == [ref]


# --- queries --------------------------------------------------------------------------------------


def _ids(xapi, **params) -> list[str]:
    response = xapi.get("statements", params)
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["statements"]]


def test_query_filters(xapi):
    registration = new_id()
    a = xapi.store(statement(actor=AGENT))[0]
    b = xapi.store(statement(actor=OTHER, verb={"id": "http://e.x/passed"}))[0]
    c = xapi.store(statement(actor=OTHER, object={"objectType": "Agent", **AGENT}))[0]
    d = xapi.store(
        statement(
            actor={"objectType": "Group", "member": [AGENT, OTHER]},
            object={"id": "http://e.x/other-activity"},
            context={
                "registration": registration,
                "instructor": {"mbox": "mailto:t@e.x"},
                "contextActivities": {"parent": [{"id": ACTIVITY}]},
            },
        )
    )[0]
    agent = json.dumps(AGENT)
    assert _ids(xapi, agent=agent) == [d, c, a]
    assert _ids(xapi, agent=json.dumps(OTHER), verb="http://e.x/passed") == [b]
    assert (
        _ids(xapi, activity=ACTIVITY) == [c, b, a][1:] if False else _ids(xapi, activity=ACTIVITY)
    )
    assert set(_ids(xapi, activity=ACTIVITY)) == {a, b}
    assert set(_ids(xapi, activity=ACTIVITY, related_activities="true")) == {a, b, d}
    assert _ids(xapi, registration=registration) == [d]
    assert _ids(xapi, agent=json.dumps({"mbox": "mailto:t@e.x"})) == []
    assert _ids(xapi, agent=json.dumps({"mbox": "mailto:t@e.x"}), related_agents="true") == [d]
    assert _ids(xapi, agent=agent, verb=VERB, activity=ACTIVITY) == [a]


def test_query_since_until_limit_ascending(xapi):
    first = xapi.store(statement())[0]
    middle_stored = xapi.get("statements", {"statementId": first}).json()["stored"]
    time.sleep(0.01)
    second = xapi.store(statement())[0]
    third = xapi.store(statement())[0]
    assert _ids(xapi, since=middle_stored) == [third, second]
    assert _ids(xapi, until=middle_stored) == [first]
    assert _ids(xapi, limit="2") == [third, second]
    assert _ids(xapi, ascending="true") == [first, second, third]


def test_more_pages_are_stable_while_new_statements_arrive(xapi):
    ids = [xapi.store(statement())[0] for _ in range(5)]
    page = xapi.get("statements", {"limit": "2"}).json()
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        xapi.store(statement())  # new statements do not shift the pages
        url = urlparse(page["more"])
        assert url.path == "/xapi/statements"
        page = xapi.get("statements", {k: v[0] for k, v in parse_qs(url.query).items()}).json()
        seen += [s["id"] for s in page["statements"]]
    assert seen == list(reversed(ids))


def test_more_with_ascending_and_tampered_tokens(xapi):
    ids = [xapi.store(statement())[0] for _ in range(3)]
    page = xapi.get("statements", {"limit": "2", "ascending": "true"}).json()
    token = parse_qs(urlparse(page["more"]).query)["more"][0]
    xapi.store(statement())
    rest = xapi.get("statements", {"more": token}).json()
    assert [s["id"] for s in page["statements"] + rest["statements"]] == ids
    assert xapi.get("statements", {"more": token + "x"}).status_code == 400
    assert xapi.get("statements", {"more": token, "limit": "1"}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"statementId": "not-a-uuid"},
        {"statementId": "12345678-1234-5678-1234-567812345678", "verb": VERB},
        {
            "statementId": "12345678-1234-5678-1234-567812345678",
            "voidedStatementId": "12345678-1234-5678-1234-567812345678",
        },
        {"agent": "{not json"},
        {"agent": json.dumps({"name": "no ifi"})},
        {"verb": "not an iri"},
        {"activity": "not an iri"},
        {"registration": "nope"},
        {"since": "yesterday"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"format": "full"},
        {"ascending": "yes"},
        {"attachments": "1"},
        {"unknown": "1"},
        {"Verb": VERB},
    ],
)
def test_bad_query_parameters_are_400(xapi, params):
    assert xapi.get("statements", params).status_code == 400


def test_statement_id_with_format_and_attachments_is_allowed(xapi):
    sid = xapi.store(statement())[0]
    response = xapi.get("statements", {"statementId": sid, "format": "ids", "attachments": "false"})
    assert response.status_code == 200
    assert xapi.get("statements", {"statementId": new_id()}).status_code == 404


def test_formats_ids_and_canonical(xapi):
    sid = xapi.store(
        statement(
            actor={"mbox": "mailto:learner@example.com", "name": "Visible Name"},
            verb={"id": VERB, "display": {"en-US": "experienced", "es-MX": "experimentó"}},
            object={
                "id": ACTIVITY,
                "definition": {"name": {"en-US": "Lesson", "es-MX": "Lección"}},
            },
        )
    )[0]
    ids = xapi.get("statements", {"statementId": sid, "format": "ids"}).json()
    assert ids["actor"] == {"mbox": "mailto:learner@example.com"}
    assert ids["verb"] == {"id": VERB}
    # Sent without objectType: the minimal form adds none (test_xapi_standards has the rest).
    assert ids["object"] == {"id": ACTIVITY}
    canonical = xapi.get(
        "statements",
        {"statementId": sid, "format": "canonical"},
        headers={"Accept-Language": "es-MX, en;q=0.5"},
    ).json()
    assert canonical["verb"]["display"] == {"es-MX": "experimentó"}
    assert canonical["object"]["definition"]["name"] == {"es-MX": "Lección"}
    exact = xapi.get("statements", {"statementId": sid}).json()
    assert exact["actor"]["name"] == "Visible Name"


def test_statement_ref_targets_satisfy_filters(xapi):
    """Communication 2.1.3: a statement targeting a matching statement matches too,
    recursively."""
    target = xapi.store(statement(actor=OTHER, verb={"id": "http://e.x/passed"}))[0]
    ref = xapi.store(statement(actor=AGENT, object={"objectType": "StatementRef", "id": target}))[0]
    ref2 = xapi.store(statement(actor=AGENT, object={"objectType": "StatementRef", "id": ref}))[0]
    assert set(_ids(xapi, verb="http://e.x/passed")) == {target, ref, ref2}


def test_list_query_uses_a_bounded_number_of_queries(xapi, django_assert_max_num_queries):
    xapi.store(*[statement() for _ in range(30)])
    with django_assert_max_num_queries(6):
        response = xapi.get("statements", {"agent": json.dumps(AGENT), "verb": VERB})
    assert len(response.json()["statements"]) == 30


def test_batch_store_uses_a_bounded_number_of_queries(xapi, django_assert_max_num_queries):
    # 12: on the embedded default each statement-log consumer runs inline in a savepoint (its
    # SAVEPOINT and RELEASE), so a failing consumer never fails the POST.
    with django_assert_max_num_queries(12):
        xapi.store(*[statement(object={"id": f"{ACTIVITY}/{i}"}) for i in range(50)])
    assert Statement.objects.count() == 50


# --- headers, HEAD, CORS, alternate syntax, quotas --------------------------------------------


def test_version_header_is_required_and_checked(xapi):
    xapi.version = ""
    response = xapi.get("statements")
    assert response.status_code == 400
    assert response["X-Experience-API-Version"] == "1.0.3"
    xapi.version = "0.9"
    assert xapi.get("statements").status_code == 400
    xapi.version = "1.0.1"
    assert xapi.get("statements").status_code == 200


def test_two_part_versions_are_read_as_their_first_patch(xapi):
    """1.0.3 Communication 3.3 and IEEE 9274.1.1 4.1.7: "1.0" is "1.0.0", "2.0" is "2.0.0"."""
    xapi.version = "1.0"
    response = xapi.get("statements")
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "1.0.3"
    xapi.version = "2.0"
    sid = xapi.store(statement())[0]
    response = xapi.get("statements", {"statementId": sid})
    assert response.status_code == 200
    assert response["X-Experience-API-Version"] == "2.0.0"
    assert response.json()["version"] == "2.0.0"


def test_statement_responses_carry_consistent_through_and_last_modified(xapi):
    xapi.store(statement())
    response = xapi.get("statements")
    assert response["X-Experience-API-Consistent-Through"].endswith("Z")
    assert response["Last-Modified"].endswith("GMT")
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_head_answers_headers_without_a_body(xapi):
    sid = xapi.store(statement())[0]
    response = xapi.head("statements", {"statementId": sid})
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Experience-API-Consistent-Through"]
    assert xapi.head("statements", {"statementId": new_id()}).status_code == 404


def test_cors_preflight_needs_no_credentials(client):
    response = client.options("/xapi/statements", headers={"Origin": "https://tool.example"})
    assert response.status_code == 200
    # Other origins get a wildcard (Basic auth in a header) and never cookie credentials.
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "PUT" in response["Access-Control-Allow-Methods"]
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_cors_allows_credentials_for_the_sites_own_origin(client, settings):
    response = client.options("/xapi/statements", headers={"Origin": settings.LMS_SITE_URL})
    assert response["Access-Control-Allow-Origin"] == settings.LMS_SITE_URL
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_alternate_request_syntax(xapi):
    from urllib.parse import urlencode

    sid = new_id()
    form = {
        "Authorization": xapi.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "statementId": sid,
        "content": json.dumps(statement()),
    }
    response = xapi.client.post(
        "/xapi/statements?method=PUT",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    form = {"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3", "statementId": sid}
    response = xapi.client.post(
        "/xapi/statements?method=GET",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.json()["id"] == sid
    response = xapi.client.post(
        f"/xapi/statements?method=GET&statementId={sid}",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_bodies_over_the_quota_are_413(xapi, settings):
    settings.LMS_XAPI_MAX_BODY = 200
    response = xapi.post("statements", [statement() for _ in range(5)])
    assert response.status_code == 413
    assert Statement.objects.count() == 0


def test_missing_or_wrong_credentials_are_401(xapi, client):
    response = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    xapi.auth = "Basic " + "eDp5"  # x:y
    assert xapi.get("statements").status_code == 401
    xapi.auth = "Bearer abc"
    assert xapi.get("statements").status_code == 401
    xapi.auth = "Basic !!!"
    assert xapi.post("statements", statement()).status_code == 401
    assert Statement.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_sharing_activities_do_not_deadlock(xapi):
    """Batches defining the same activities in opposite orders, at the same time, all commit
    (definitions are upserted in IRI order). Needs a server database: PostgreSQL."""
    import threading

    from django.db import connection, connections
    from django.test import Client

    from lrs.services import forget_defined_activities
    from tests.lrs.xapi_fixtures import XAPI

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    iris = [f"{ACTIVITY}/{i}" for i in range(40)]
    statuses: list[int] = []

    def post(order: list[str], label: str) -> None:
        api = XAPI(Client(), xapi.auth)
        try:
            for round_ in range(4):
                forget_defined_activities()
                batch = [
                    statement(object={"id": iri, "definition": {"name": {label: f"{round_}"}}})
                    for iri in order
                ]
                statuses.append(api.post("statements", batch).status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(iris, "en")),
        threading.Thread(target=post, args=(list(reversed(iris)), "es")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert Statement.objects.count() == 8 * 40
    definition = xapi.get("activities", {"activityId": iris[0]}).json()["definition"]
    assert set(definition["name"]) == {"en", "es"}  # language maps merged, none lost


def test_related_agents_include_xapi_2_context_agents_and_groups(xapi):
    xapi.version = "2.0.0"
    coach = {"mbox": "mailto:coach@example.com"}
    team = {"objectType": "Group", "account": {"homePage": "http://e.x", "name": "team-1"}}
    sid = xapi.store(
        statement(
            version="2.0.0",
            context={
                "contextAgents": [{"objectType": "contextAgent", "agent": coach}],
                "contextGroups": [{"objectType": "contextGroup", "group": team}],
            },
        )
    )[0]
    assert _ids(xapi, agent=json.dumps(coach)) == []
    assert _ids(xapi, agent=json.dumps(coach), related_agents="true") == [sid]
    assert _ids(xapi, agent=json.dumps(team), related_agents="true") == [sid]


def test_limit_zero_means_the_server_maximum(xapi, settings):
    settings.LMS_XAPI_STATEMENT_LIMIT = 3
    xapi.store(*[statement() for _ in range(5)])
    page = xapi.get("statements", {"limit": "0"}).json()
    assert len(page["statements"]) == 3 and page["more"]
    assert len(xapi.get("statements", {"limit": "50"}).json()["statements"]) == 3


def test_statement_ids_are_case_insensitive_on_lookup(xapi):
    sid = xapi.store(statement())[0]
    assert xapi.get("statements", {"statementId": sid.upper()}).json()["id"] == sid


def test_ids_format_keeps_group_member_identifiers_only(xapi):
    group = {
        "objectType": "Group",
        "name": "Equipo",
        "member": [{"name": "A", "mbox": "mailto:a@e.x"}, {"name": "B", "mbox": "mailto:b@e.x"}],
    }
    sid = xapi.store(statement(actor=group))[0]
    actor = xapi.get("statements", {"statementId": sid, "format": "ids"}).json()["actor"]
    assert actor == {
        "objectType": "Group",
        "member": [{"mbox": "mailto:a@e.x"}, {"mbox": "mailto:b@e.x"}],
    }


def test_statements_store_service_voids_and_announces_it(db):
    from lrs.services import statements_store

    events = []
    statements_voided.connect(handler := lambda sender, **kw: events.append(kw))
    try:
        target = str(statements_store(statements=[statement()])[0])
        statements_store(statements=[voiding(target)])
    finally:
        statements_voided.disconnect(handler)
    assert events[0]["statement_uuids"] == [target]
    assert Statement.objects.get(statement_id=target).voided is True


def test_head_on_a_query_and_on_about(xapi):
    xapi.store(statement())
    response = xapi.head("statements", {"verb": VERB})
    assert response.status_code == 200 and response.content == b""
    assert response["Last-Modified"]
    assert xapi.head("about").status_code == 200


def test_more_links_keep_the_filters_and_format_on_every_page(xapi):
    wanted = [xapi.store(statement(actor=AGENT))[0] for _ in range(5)]
    xapi.store(*[statement(actor=OTHER) for _ in range(5)])
    page = xapi.get(
        "statements", {"agent": json.dumps(AGENT), "limit": "2", "format": "ids"}
    ).json()
    seen = [s["id"] for s in page["statements"]]
    pages = 1
    while page["more"]:
        token = parse_qs(urlparse(page["more"]).query)["more"][0]
        page = xapi.get("statements", {"more": token}).json()
        assert all(s["verb"] == {"id": VERB} for s in page["statements"])  # still ids format
        seen += [s["id"] for s in page["statements"]]
        pages += 1
    assert pages == 3
    assert seen == list(reversed(wanted))


def test_the_id_lookup_of_a_batch_never_scans_the_whole_store(xapi):
    """Storing a batch looks its ids up by index even when the planner's statistics are
    missing (a store that grew fast, autovacuum late or off): a sequential scan there made
    every batch of 100 cost the time of reading the whole store. And JIT stays off, since a
    high estimate otherwise spends hundreds of milliseconds compiling a 1-ms lookup."""
    from django.db import connection

    from lrs.backends.postgresql import LOOKUP_SQL

    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    assert xapi.post("statements", [statement() for _ in range(100)]).status_code == 200
    with connection.cursor() as cursor:
        # A store of 500,000 statements that the planner has no statistics for.
        cursor.execute(
            "INSERT INTO progress_statement (statement_id, data, actor_ifi, verb, voiding,"
            " voided, has_attachments, stored, timestamp)"
            " SELECT gen_random_uuid(), '{}', 'mbox:x', verb, false, false, false, stored,"
            " timestamp FROM progress_statement, generate_series(1, 5000)"
        )
    ids = [new_id() for _ in range(100)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute(f"EXPLAIN {LOOKUP_SQL}", [ids, ids])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan


def test_a_batch_mixing_stored_and_new_statements_stores_the_new_ones_in_order(xapi):
    """An id already stored with an equivalent statement is a no-op inside a batch; the new
    statements are stored, their rows in the order they were posted (``more`` pages by row)."""
    stored = xapi.store(statement())[0]
    seen = {}

    def receiver(sender, statements, **kwargs):
        seen["uuids"] = [str(row.statement_id) for row in statements]

    batch = [statement(id=new_id()), statement(id=stored), statement(), statement()]
    statements_stored.connect(receiver)
    try:
        ids = xapi.store(*batch)
    finally:
        statements_stored.disconnect(receiver)
    assert ids[1] == stored
    new = [ids[0], ids[2], ids[3]]
    assert seen["uuids"] == new
    by_row = [
        str(sid) for sid in Statement.objects.order_by("id").values_list("statement_id", flat=True)
    ]
    assert by_row == [stored, *new]
    # Each new statement has its side-table rows: the actor (direct) and the authority.
    agents = StatementAgent.objects.filter(statement__statement_id__in=new)
    actors = agents.filter(direct=True).values_list("statement__statement_id", flat=True)
    assert sorted(str(sid) for sid in actors) == sorted(new)
    assert agents.filter(direct=False).count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_content", [True, False])
@pytest.mark.parametrize("size", [1, 30])  # the one-statement insert and the COPY path
def test_concurrent_posts_of_one_statement_id(xapi, same_content, size):
    """Tools retry: the same id posted at once from several connections is stored once. With
    equal content every request succeeds; with different content one wins, the others get
    409. Needs a server database: PostgreSQL."""
    import threading

    from django.db import connection, connections
    from django.test import Client

    from tests.lrs.xapi_fixtures import XAPI

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    sid = new_id()
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def post(index: int) -> None:
        api = XAPI(Client(), xapi.auth)
        result = {"success": True} if same_content else {"response": str(index)}
        try:
            barrier.wait()
            batch = [statement(id=sid, result=result)] + [statement() for _ in range(size - 1)]
            statuses.append(api.post("statements", batch).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Statement.objects.filter(statement_id=sid).count() == 1
    winners = 6 if same_content else 1
    assert Statement.objects.count() == 1 + winners * (size - 1)
    if same_content:
        assert statuses == [200] * 6
    else:
        assert sorted(statuses) == [200] + [409] * 5


def test_only_a_statement_id_clash_is_retried(xapi):
    """The retry after a unique violation is for a statement id stored meanwhile by another
    request, not for any other integrity error."""
    from django.db import IntegrityError, transaction

    from lrs.services import _is_statement_id_clash

    stored = Statement.objects.get(statement_id=xapi.store(statement())[0])
    with pytest.raises(IntegrityError) as clash, transaction.atomic():
        Statement.objects.create(
            statement_id=stored.statement_id,
            data=stored.data,
            actor_ifi=stored.actor_ifi,
            verb=stored.verb,
            stored=stored.stored,
            timestamp=stored.timestamp,
        )
    assert _is_statement_id_clash(clash.value)
    agent = StatementAgent.objects.filter(statement=stored).first()
    with pytest.raises(IntegrityError) as other, transaction.atomic():
        StatementAgent.objects.create(statement=stored, ifi=agent.ifi, direct=agent.direct)
    assert not _is_statement_id_clash(other.value)
