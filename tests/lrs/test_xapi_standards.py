"""Issue 11, "standards to the letter": the Consistent-Through header on every Statements
response, the ``ids`` format, duration comparison under xAPI 2.0 (IEEE 9274.1.1 §4.2.7)
against 1.0.3 (Data 2.3.1), and the 2.0 concurrency rule for State documents (§4.1.4)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lrs import statements as lrs_statements
from lrs.models import LRSDocument, Statement
from lrs.statements import agent_ifi, format_statement, parse_timestamp
from tests.lrs.test_xapi_attachments import make_rsa_key_and_cert, sign, signed_request
from tests.lrs.xapi_fixtures import ACTIVITY, VERB, XAPI, make_client, new_id, statement

pytestmark = pytest.mark.django_db

CONSISTENT = "X-Experience-API-Consistent-Through"
AGENT = {"objectType": "Agent", "mbox": "mailto:learner@example.com"}


@pytest.fixture(scope="module")
def rsa_key_and_cert() -> tuple[bytes, str]:
    return make_rsa_key_and_cert()


def _consistent_through(response) -> datetime:
    value = response[CONSISTENT]  # KeyError = the header is missing
    assert value.endswith("Z")
    return parse_timestamp(value)


# --- X-Experience-API-Consistent-Through on every Statements response -------------------------


def _get_list(xapi):
    return xapi.get("statements")


def _get_one(xapi):
    return xapi.get("statements", {"statementId": xapi.store(statement())[0]})


def _get_missing(xapi):
    return xapi.get("statements", {"statementId": new_id()})


def _head(xapi):
    return xapi.head("statements", {"statementId": xapi.store(statement())[0]})


def _head_missing(xapi):
    return xapi.head("statements", {"statementId": new_id()})


def _put(xapi):
    return xapi.put("statements", statement(), params={"statementId": new_id()})


def _post(xapi):
    return xapi.post("statements", [statement()])


def _bad_statement(xapi):
    return xapi.post("statements", statement(result={"success": "yes"}))


def _unknown_parameter(xapi):
    return xapi.get("statements", {"Agent": json.dumps(AGENT)})


def _no_version(xapi):
    xapi.version = ""
    return xapi.get("statements")


def _no_credentials(xapi):
    xapi.auth = None
    return xapi.post("statements", statement())


def _wrong_scope(xapi):
    _, xapi.auth = make_client("state only", ["state"])
    return xapi.get("statements")


def _conflict(xapi):
    sid = new_id()
    xapi.put("statements", statement(), params={"statementId": sid})
    return xapi.put(
        "statements", statement(verb={"id": VERB + "/other"}), params={"statementId": sid}
    )


def _too_large(xapi):
    return xapi.post("statements", [statement(result={"response": "x" * 1024})])


def _method_not_allowed(xapi):
    return xapi.delete("statements")


def _alternate_syntax(xapi):
    return xapi.client.post(
        "/xapi/statements?method=GET",
        f"X-Experience-API-Version=1.0.3&Authorization={xapi.auth}",
        content_type="application/x-www-form-urlencoded",
    )


def _options(xapi):
    return xapi.client.options("/xapi/statements")


@pytest.mark.parametrize(
    ("call", "status"),
    [
        (_get_list, 200),
        (_get_one, 200),
        (_get_missing, 404),
        (_head, 200),
        (_head_missing, 404),
        (_put, 204),
        (_post, 200),
        (_bad_statement, 400),
        (_unknown_parameter, 400),
        (_no_version, 400),
        (_no_credentials, 401),
        (_wrong_scope, 403),
        (_conflict, 409),
        (_too_large, 413),
        (_method_not_allowed, 405),
        (_alternate_syntax, 200),
        (_options, 200),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_every_statements_response_carries_consistent_through(
    xapi, settings, call, status, version
):
    """Communication 2.1.3 / IEEE 9274.1.1 §4.1.6.1: "on all responses to Statements Resource
    requests", errors and writes included. (412 has no occasion on this resource.)"""
    settings.LMS_XAPI_MAX_BODY = 1000  # only _too_large sends more
    xapi.version = version
    before = datetime.now(UTC) - timedelta(milliseconds=1)
    response = call(xapi)
    assert response.status_code == status, response.content
    moment = _consistent_through(response)
    assert before <= moment <= datetime.now(UTC) + timedelta(milliseconds=1)


def test_consistent_through_covers_what_a_write_just_stored(xapi):
    response = xapi.post("statements", [statement()])
    stored = Statement.objects.get(statement_id=response.json()[0]).stored
    assert _consistent_through(response) >= stored


def test_document_resources_do_not_need_the_statements_header(xapi):
    """The header belongs to the Statements resource; the others keep their own headers."""
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "s"}
    response = xapi.put("activities/state", {"a": 1}, params=params)
    assert response.status_code == 204
    assert CONSISTENT not in response


# --- format=ids --------------------------------------------------------------------------------

NAMED = {"objectType": "Agent", "name": "Nombre Visible", "mbox": "mailto:a@example.com"}
IDENTIFIED_GROUP = {
    "objectType": "Group",
    "name": "Equipo",
    "account": {"homePage": "https://capacita.example", "name": "team-7"},
    "member": [{"name": "Miembro", "mbox": "mailto:m@example.com"}],
}
ANONYMOUS_GROUP = {
    "objectType": "Group",
    "name": "Ad hoc",
    "member": [
        {"name": "Uno", "mbox_sha1sum": "a" * 40},
        {"objectType": "Agent", "name": "Dos", "openid": "https://openid.example/dos"},
    ],
}
DEFINED = {"definition": {"name": {"es-MX": "Lección"}, "type": "http://e.x/type"}}


def _rich_statement(**overrides) -> dict:
    data = statement(
        actor=NAMED,
        verb={"id": VERB, "display": {"es-MX": "experimentó"}},
        object={"id": ACTIVITY, **DEFINED},
        context={
            "registration": new_id(),
            "instructor": {"name": "Docente", "mbox": "mailto:i@example.com"},
            "team": IDENTIFIED_GROUP,
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": ACTIVITY + "/p", **DEFINED}],
                "grouping": [{"id": ACTIVITY + "/g", **DEFINED}],
            },
            "extensions": {"http://e.x/ext": {"name": "kept as sent"}},
        },
        result={"success": True, "duration": "PT1.5S"},
    )
    data.update(overrides)
    return data


def _ids_get(xapi, sid: str) -> tuple[dict, dict]:
    """The ids form of one statement from a single GET and from a list GET."""
    single = xapi.get("statements", {"statementId": sid, "format": "ids"})
    listed = xapi.get("statements", {"format": "ids", "limit": "50"})
    assert single.status_code == listed.status_code == 200
    (in_list,) = [s for s in listed.json()["statements"] if s["id"] == sid]
    return single.json(), in_list


def test_ids_format_reduces_agents_verbs_activities_and_groups(xapi):
    sid = xapi.store(_rich_statement())[0]
    for ids in _ids_get(xapi, sid):
        assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:a@example.com"}
        assert ids["verb"] == {"id": VERB}
        assert ids["object"] == {"id": ACTIVITY}  # no objectType was sent, none is added
        context = ids["context"]
        assert context["instructor"] == {"mbox": "mailto:i@example.com"}
        # An identified group is identified by its IFI: members go.
        assert context["team"] == {
            "objectType": "Group",
            "account": {"homePage": "https://capacita.example", "name": "team-7"},
        }
        assert context["contextActivities"] == {
            "parent": [{"objectType": "Activity", "id": ACTIVITY + "/p"}],
            "grouping": [{"id": ACTIVITY + "/g"}],
        }
        # Not Agent, Activity, Verb or Group objects: left exactly as stored.
        assert context["extensions"] == {"http://e.x/ext": {"name": "kept as sent"}}
        assert ids["result"] == {"success": True, "duration": "PT1.5S"}
        assert ids["authority"]["account"]["name"] == f"lrs-client:{xapi.lrs_client.key}"
        assert "name" not in ids["authority"]
    exact = xapi.get("statements", {"statementId": sid}).json()
    assert exact["actor"]["name"] == "Nombre Visible"  # exact is untouched


def test_ids_format_keeps_each_anonymous_group_member_identifier(xapi):
    sid = xapi.store(_rich_statement(actor=ANONYMOUS_GROUP))[0]
    for ids in _ids_get(xapi, sid):
        assert ids["actor"] == {
            "objectType": "Group",
            "member": [
                {"mbox_sha1sum": "a" * 40},
                {"objectType": "Agent", "openid": "https://openid.example/dos"},
            ],
        }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            {"objectType": "Activity", "id": ACTIVITY, **DEFINED},
            {"objectType": "Activity", "id": ACTIVITY},
        ),
        (NAMED, {"objectType": "Agent", "mbox": "mailto:a@example.com"}),
        (
            IDENTIFIED_GROUP,
            {"objectType": "Group", "account": IDENTIFIED_GROUP["account"]},
        ),
        (
            {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
            {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
        ),
    ],
    ids=["activity", "agent", "identified-group", "statement-ref"],
)
def test_ids_format_of_each_object_type(xapi, obj, expected):
    sid = xapi.store(statement(object=obj))[0]
    for ids in _ids_get(xapi, sid):
        assert ids["object"] == expected


def test_ids_format_reaches_into_sub_statements(xapi):
    sub = {
        "objectType": "SubStatement",
        "actor": NAMED,
        "verb": {"id": VERB, "display": {"en-US": "experienced"}},
        "object": {"id": ACTIVITY, **DEFINED},
        "context": {"contextActivities": {"category": [{"id": ACTIVITY + "/c", **DEFINED}]}},
    }
    sid = xapi.store(statement(object=sub))[0]
    for ids in _ids_get(xapi, sid):
        assert ids["object"] == {
            "objectType": "SubStatement",
            "actor": {"objectType": "Agent", "mbox": "mailto:a@example.com"},
            "verb": {"id": VERB},
            "object": {"id": ACTIVITY},
            "context": {"contextActivities": {"category": [{"id": ACTIVITY + "/c"}]}},
        }


def test_ids_format_reduces_xapi_2_context_agents_and_groups(xapi):
    xapi.version = "2.0.0"
    relevant = ["http://e.x/relevant"]
    sid = xapi.store(
        _rich_statement(
            context={
                "contextAgents": [
                    {"objectType": "contextAgent", "agent": NAMED, "relevantTypes": relevant}
                ],
                "contextGroups": [
                    {"objectType": "contextGroup", "group": ANONYMOUS_GROUP},
                    {"objectType": "contextGroup", "group": IDENTIFIED_GROUP},
                ],
            }
        )
    )[0]
    for ids in _ids_get(xapi, sid):
        context = ids["context"]
        assert context["contextAgents"] == [
            {
                "objectType": "contextAgent",
                "agent": {"objectType": "Agent", "mbox": "mailto:a@example.com"},
                "relevantTypes": relevant,
            }
        ]
        groups = [item["group"] for item in context["contextGroups"]]
        assert groups[0]["member"][0] == {"mbox_sha1sum": "a" * 40}
        assert groups[1] == {"objectType": "Group", "account": IDENTIFIED_GROUP["account"]}
        assert "Nombre Visible" not in json.dumps(ids)


# Open-ended shapes: the ids form is always a part of the exact form, keeps every identifier
# and drops every name, definition and display.
_iri = st.sampled_from(["http://e.x/a", "https://e.x/b/c", "urn:x:y"])
_ifi = st.one_of(
    st.builds(lambda n: {"mbox": f"mailto:{n}@e.x"}, st.integers(0, 99)),
    st.builds(lambda n: {"mbox_sha1sum": f"{n:040x}"}, st.integers(0, 99)),
    st.builds(lambda n: {"openid": f"https://id.e.x/{n}"}, st.integers(0, 99)),
    st.builds(
        lambda n: {"account": {"homePage": "https://e.x", "name": f"u{n}"}}, st.integers(0, 99)
    ),
)
_name = st.one_of(st.none(), st.text(min_size=1, max_size=5))


def _with(base: dict, **extra) -> dict:
    return {**base, **{k: v for k, v in extra.items() if v is not None}}


_agent = st.builds(
    lambda ifi, name, typed: _with(ifi, name=name, objectType="Agent" if typed else None),
    _ifi,
    _name,
    st.booleans(),
)
_group = st.one_of(
    st.builds(
        lambda members, name: _with({"objectType": "Group", "member": members}, name=name),
        st.lists(_agent, min_size=1, max_size=3),
        _name,
    ),
    st.builds(
        lambda ifi, members, name: _with(
            {"objectType": "Group", **ifi}, member=members or None, name=name
        ),
        _ifi,
        st.lists(_agent, max_size=2),
        _name,
    ),
)
_activity = st.builds(
    lambda iri, typed, defined: _with(
        {"id": iri},
        objectType="Activity" if typed else None,
        definition={"name": {"en": "x"}} if defined else None,
    ),
    _iri,
    st.booleans(),
    st.booleans(),
)


def _statement_shape(actor, obj, parents, team):
    data = {
        "actor": actor,
        "verb": {"id": VERB, "display": {"en": "did"}},
        "object": obj,
        "context": {"contextActivities": {"parent": parents}},
    }
    if team is not None:
        data["context"]["team"] = team
    return data


_statements = st.builds(
    _statement_shape,
    st.one_of(_agent, _group),
    st.one_of(_activity, st.builds(lambda a: {**a, "objectType": "Agent"}, _agent), _group),
    st.lists(_activity, max_size=2),
    st.one_of(st.none(), _group),
)


def _is_part_of(small, big) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(
            k in big and _is_part_of(v, big[k]) for k, v in small.items()
        )
    if isinstance(small, list):
        return (
            isinstance(big, list)
            and len(small) == len(big)
            and all(_is_part_of(a, b) for a, b in zip(small, big, strict=True))
        )
    return small == big


def _agents_of(value, key=""):
    if isinstance(value, dict):
        if key in ("actor", "team", "member") or value.get("objectType") in ("Agent", "Group"):
            yield value
        for k, v in value.items():
            yield from _agents_of(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _agents_of(item, key)


@hypothesis_settings(max_examples=150, deadline=None)
@given(_statements)
def test_ids_format_is_a_minimal_part_of_the_exact_form(data):
    ids = format_statement(data, "ids", [])
    assert _is_part_of(ids, data)
    assert ids["verb"] == {"id": VERB}
    assert agent_ifi(ids["actor"]) == agent_ifi(data["actor"])
    text = json.dumps(ids)
    assert '"definition"' not in text and '"display"' not in text
    for agent in _agents_of(ids):
        assert "name" not in agent
        # An agent or identified group keeps exactly one IFI; an anonymous group its members.
        assert agent_ifi(agent) is not None or agent.get("member")
    for parent in ids["context"]["contextActivities"]["parent"]:
        assert set(parent) <= {"id", "objectType"}


# --- durations: xAPI 2.0 compares to 0.01 s, 1.0.3 compares the string -----------------------


def _with_duration(duration: str, **overrides) -> dict:
    return statement(result={"duration": duration}, **overrides)


def _resend(xapi, first: str, second: str, version: str, method: str = "put") -> int:
    xapi.version = version
    sid = new_id()
    assert (
        xapi.put("statements", _with_duration(first), params={"statementId": sid}).status_code
        == 204
    )
    if method == "put":
        response = xapi.put("statements", _with_duration(second), params={"statementId": sid})
    else:
        response = xapi.post("statements", [_with_duration(second, id=sid)])
        if response.status_code == 200:
            assert response.json() == [sid]
    stored = Statement.objects.get(statement_id=sid)
    assert stored.data["result"]["duration"] == first  # what was accepted is never changed
    assert Statement.objects.filter(statement_id=sid).count() == 1
    return response.status_code


@pytest.mark.parametrize("method", ["put", "post"])
@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("PT1.001S", "PT1.002S", True),  # the brief's example: same to 0.01 s
        ("PT1.00S", "PT1.02S", False),  # the brief's counter-example
        ("PT1.009S", "PT1.001S", True),  # truncated, not rounded ...
        ("PT1.009S", "PT1.01S", False),  # ... so 1.009 is 1.00, not 1.01
        ("PT1S", "PT1.00S", True),
        ("PT1,5S", "PT1.5S", True),
        ("PT4H35M59.141S", "PT4H35M59.14S", True),
        ("PT4H35M59.14S", "PT4H35M59.15S", False),
        ("PT0.0000001H", "PT0S", True),  # 0.00036 s is below the precision
        ("PT0.5H", "PT0.51H", False),
        ("PT1M", "PT60S", False),  # units are not converted (Data 2.3.1's reason stands)
        ("P1D", "PT24H", False),
        ("P1Y2M", "P1Y2M", True),
        ("P1Y", "P1M", False),
        ("P4W", "P4.0W", True),
    ],
)
def test_xapi_2_compares_durations_to_a_hundredth_of_a_second(xapi, first, second, same, method):
    assert _resend(xapi, first, second, "2.0.0", method) == (
        204 if method == "put" and same else 200 if same else 409
    )


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("PT1.001S", "PT1.002S", False),  # Data 2.3.1: "considered a string"
        ("PT1S", "PT1.00S", False),
        ("PT1.5S", "PT1.5S", True),
    ],
)
def test_xapi_1_0_3_compares_durations_as_strings(xapi, first, second, same):
    assert _resend(xapi, first, second, "1.0.3") == (204 if same else 409)


def test_the_resending_request_decides_the_comparison(xapi):
    """Stored under 1.0.3, re-sent under 2.0: the 2.0 request is answered by 2.0 rules."""
    sid = new_id()
    xapi.put("statements", _with_duration("PT2.001S"), params={"statementId": sid})
    xapi.version = "2.0.0"
    assert (
        xapi.put("statements", _with_duration("PT2.009S"), params={"statementId": sid}).status_code
        == 204
    )
    xapi.version = "1.0.3"
    assert (
        xapi.put("statements", _with_duration("PT2.009S"), params={"statementId": sid}).status_code
        == 409
    )


def test_durations_in_sub_statements_follow_the_same_rule(xapi):
    def with_sub(duration: str) -> dict:
        sub = {
            "objectType": "SubStatement",
            "actor": AGENT,
            "verb": {"id": VERB},
            "object": {"id": ACTIVITY},
            "result": {"duration": duration},
        }
        return statement(object=sub)

    xapi.version = "2.0.0"
    sid = new_id()
    xapi.put("statements", with_sub("PT3.001S"), params={"statementId": sid})
    assert (
        xapi.put("statements", with_sub("PT3.004S"), params={"statementId": sid}).status_code == 204
    )
    assert (
        xapi.put("statements", with_sub("PT3.014S"), params={"statementId": sid}).status_code == 409
    )


def test_extension_values_are_compared_exactly(xapi):
    """Keys inside extension values are the provider's own: a nested "timestamp" is no
    timestamp (no 5xx when it is not one) and a nested "definition" is not ignored."""
    sid = new_id()
    odd = statement(result={"extensions": {"http://e.x/x": {"timestamp": "not a time"}}})
    assert xapi.put("statements", odd, params={"statementId": sid}).status_code == 204
    assert xapi.put("statements", odd, params={"statementId": sid}).status_code == 204
    xapi.version = "2.0.0"
    assert xapi.put("statements", odd, params={"statementId": sid}).status_code == 204

    sid = new_id()
    first = statement(context={"extensions": {"http://e.x/x": {"definition": "a"}}})
    second = statement(context={"extensions": {"http://e.x/x": {"definition": "b"}}})
    xapi.put("statements", first, params={"statementId": sid})
    assert xapi.put("statements", second, params={"statementId": sid}).status_code == 409

    sid = new_id()
    first = statement(result={"extensions": {"http://e.x/x": {"duration": "PT1.001S"}}})
    second = statement(result={"extensions": {"http://e.x/x": {"duration": "PT1.002S"}}})
    xapi.put("statements", first, params={"statementId": sid})
    assert xapi.put("statements", second, params={"statementId": sid}).status_code == 409


@pytest.mark.parametrize(
    ("signed", "sent", "version", "status"),
    [
        ("PT1.001S", "PT1.002S", "2.0.0", 200),
        ("PT1.00S", "PT1.02S", "2.0.0", 400),
        ("PT1.001S", "PT1.002S", "1.0.3", 400),
        ("PT1.001S", "PT1.001S", "1.0.3", 200),
    ],
)
def test_signed_statement_durations_compare_by_the_request_version(
    xapi, rsa_key_and_cert, signed, sent, version, status
):
    """IEEE 9274.1.1 §4.2.7 names "the statement signing process" as a comparison where
    precision beyond 0.01 s is not included."""
    pem, x5c = rsa_key_and_cert
    xapi.version = version
    original = statement(result={"duration": signed})
    received = statement(result={"duration": sent})
    response = signed_request(xapi, received, sign(original, pem, x5c))
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["rule"] == "signature.mismatch"


def test_a_signed_payload_with_a_malformed_timestamp_is_a_400(xapi, rsa_key_and_cert):
    pem, x5c = rsa_key_and_cert
    original = statement(timestamp="yesterday")
    response = signed_request(
        xapi, statement(timestamp="2026-01-01T00:00:00Z"), sign(original, pem, x5c)
    )
    assert response.status_code == 400
    assert response.json()["rule"] == "signature.mismatch"


_seconds = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    _seconds,
    st.text(alphabet="0123456789", min_size=1, max_size=6),
    st.text(alphabet="0123456789", min_size=1, max_size=6),
)
def test_duration_key_ignores_digits_beyond_the_hundredths(seconds, tail_a, tail_b):
    text = f"{seconds:.2f}"
    assert lrs_statements.duration_key(f"PT{text}{tail_a}S") == lrs_statements.duration_key(
        f"PT{text}{tail_b}S"
    )
    assert lrs_statements.duration_key(f"PT{text}{tail_a}S") == lrs_statements.duration_key(
        f"PT{text}S"
    )


@hypothesis_settings(max_examples=200, deadline=None)
@given(_seconds, st.integers(1, 99))
def test_duration_key_sees_every_hundredth(seconds, hundredths):
    bigger = seconds + Decimal(hundredths) / 100
    assert lrs_statements.duration_key(f"PT{seconds:.2f}S") != lrs_statements.duration_key(
        f"PT{bigger:.2f}S"
    )


# --- State documents: xAPI 2.0 concurrency ---------------------------------------------------

STATE = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "bookmark"}


def _state(xapi) -> bytes:
    return xapi.get("activities/state", STATE).content


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha1(content).hexdigest() + '"'  # noqa: S324 - the spec's ETag


def test_xapi_2_state_put_over_an_existing_document_needs_a_precondition(xapi):
    xapi.version = "2.0.0"
    assert xapi.put("activities/state", {"page": 1}, params=STATE).status_code == 204  # new
    response = xapi.put("activities/state", {"page": 2}, params=STATE)
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "document.concurrency" and body["path"] == "If-Match"
    assert "If-Match" in body["error"] and "ETag" in body["error"]
    assert json.loads(_state(xapi)) == {"page": 1}  # nothing changed
    document = LRSDocument.objects.get(document_id="bookmark")
    assert bytes(document.content) == b'{"page": 1}'

    current = xapi.get("activities/state", STATE)["ETag"]
    ok = xapi.put("activities/state", {"page": 3}, params=STATE, headers={"If-Match": current})
    assert ok.status_code == 204
    stale = xapi.put("activities/state", {"page": 4}, params=STATE, headers={"If-Match": current})
    assert stale.status_code == 412
    exists = xapi.put("activities/state", {"page": 5}, params=STATE, headers={"If-None-Match": "*"})
    assert exists.status_code == 412
    star = xapi.put("activities/state", {"page": 6}, params=STATE, headers={"If-Match": "*"})
    assert star.status_code == 204
    assert json.loads(_state(xapi)) == {"page": 6}


def test_xapi_2_state_put_of_a_new_document_needs_no_precondition(xapi):
    xapi.version = "2.0.0"
    other = {**STATE, "registration": new_id()}
    assert xapi.put("activities/state", {"a": 1}, params=other).status_code == 204
    fresh = xapi.put("activities/state", {"a": 1}, params=STATE, headers={"If-None-Match": "*"})
    assert fresh.status_code == 204


def test_xapi_2_state_post_and_delete_still_work_without_preconditions(xapi):
    """§4.1.4's 409 is for PUT only; POST merges and DELETE deletes as before."""
    xapi.version = "2.0.0"
    xapi.put("activities/state", {"a": 1}, params=STATE)
    assert xapi.post("activities/state", {"b": 2}, params=STATE).status_code == 204
    assert json.loads(_state(xapi)) == {"a": 1, "b": 2}
    assert xapi.delete("activities/state", STATE).status_code == 204
    assert xapi.get("activities/state", STATE).status_code == 404


def test_xapi_1_0_3_state_put_may_overwrite_without_preconditions(xapi):
    """Communication 3.1: "The State Resource will permit PUT, POST and DELETE requests
    without concurrency headers"."""
    xapi.version = "1.0.3"
    xapi.put("activities/state", {"page": 1}, params=STATE)
    assert xapi.put("activities/state", {"page": 2}, params=STATE).status_code == 204
    assert json.loads(_state(xapi)) == {"page": 2}


def test_xapi_2_state_rule_through_the_alternate_syntax_and_other_clients(xapi):
    """The version comes from the request, form-encoded header included; another client's
    1.0.3 request may still overwrite."""
    xapi.put("activities/state", {"page": 1}, params=STATE)
    form = (
        f"X-Experience-API-Version=2.0.0&Authorization={xapi.auth}&content=%7B%22page%22%3A+2%7D"
        "&Content-Type=application%2Fjson&" + "&".join(f"{k}={v}" for k, v in STATE.items())
    )
    response = xapi.client.post(
        "/xapi/activities/state?method=PUT", form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 409
    assert json.loads(_state(xapi)) == {"page": 1}
    _, auth = make_client("legacy tool")
    legacy = XAPI(Client(), auth, version="1.0.3")
    assert legacy.put("activities/state", {"page": 9}, params=STATE).status_code == 204


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize(
    ("resource", "params"),
    [
        ("activities/profile", {"activityId": ACTIVITY, "profileId": "p"}),
        ("agents/profile", {"agent": json.dumps(AGENT), "profileId": "p"}),
    ],
)
def test_profiles_need_a_precondition_in_both_versions(xapi, version, resource, params):
    xapi.version = version
    assert xapi.put(resource, {"v": 1}, params=params).status_code == 204
    response = xapi.put(resource, {"v": 2}, params=params)
    assert response.status_code == 409
    assert response.json()["rule"] == "document.concurrency"
    assert xapi.get(resource, params).json() == {"v": 1}
