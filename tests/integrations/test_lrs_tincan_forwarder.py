"""The tincan adapter against a recording HTTP server on loopback: the body is the stored
statement byte for byte in meaning, the xAPI version is the one the LRS lists in /about, and
what that version cannot carry is refused with the reason."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from integrations.lrs.base import OK, REJECTED, RETRY
from integrations.lrs.tincan_client import TinCanForwarder, statement_body
from tests.support.recording_lrs import RecordingLRS


@pytest.fixture
def lrs_factory() -> Iterator[Any]:
    servers: list[RecordingLRS] = []

    def make(versions: list[str]) -> RecordingLRS:
        server = RecordingLRS(versions)
        servers.append(server)
        cache.delete(forwarder_for(server)._version_cache_key())  # a port seen in an earlier run
        return server

    yield make
    for server in servers:
        cache.delete(forwarder_for(server)._version_cache_key())
        server.close()


def forwarder_for(server: RecordingLRS) -> TinCanForwarder:
    return TinCanForwarder(endpoint=server.endpoint, username="k", password="s", timeout=5.0)


ACTOR = {"objectType": "Agent", "account": {"homePage": "https://t.example", "name": "u1"}}
VERB = {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"es-MX": "completó"}}


def stored(**extra: Any) -> dict[str, Any]:
    """A statement as Capacita stores it (with its own ``stored`` and ``authority``)."""
    return {
        "id": str(uuid.uuid4()),
        "actor": ACTOR,
        "verb": VERB,
        "object": {"objectType": "Activity", "id": "https://t.example/a/1"},
        "timestamp": "2026-01-05T10:00:00.123Z",
        "stored": "2026-01-05T10:00:01.000Z",
        "authority": {"objectType": "Agent", "account": {"homePage": "https://c", "name": "c"}},
        "version": "1.0.3",
        **extra,
    }


def sent_json(request: dict[str, Any]) -> dict[str, Any]:
    return json.loads(request["body"].decode("utf-8"))


def without_lrs_fields(statement: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k not in ("stored", "authority")}


def test_durations_integer_scores_and_null_extensions_arrive_unchanged(lrs_factory):
    server = lrs_factory(["1.0.3"])
    statement = stored(
        result={
            "duration": "PT1M30S",
            "score": {"raw": 5, "min": 0, "max": 10, "scaled": 0.5},
            "success": True,
            "extensions": {
                "https://t.example/x/empty": None,
                "https://t.example/x/n": 7,
                "https://t.example/x/text": "¿Qué? ✓ 学习 😀",
            },
        },
        context={"extensions": {"https://t.example/x/period": "P1Y2M"}},
    )
    assert forwarder_for(server).send(statement).outcome == OK
    (put,) = server.puts()
    body = put["body"].decode("utf-8")
    assert '"PT1M30S"' in body and '"P1Y2M"' in body
    assert '"raw":5,' in body and '"max":10' in body  # integers, not 5.0
    assert '"https://t.example/x/empty":null' in body
    assert "¿Qué? ✓ 学习 😀".encode() in put["body"]  # UTF-8 on the wire, not Latin-1
    assert sent_json(put) == without_lrs_fields(statement)
    assert put["path"] == f"/xapi/statements?statementId={statement['id']}"
    assert put["headers"]["Authorization"].startswith("Basic ")


def test_a_2_0_statement_and_a_substatement_with_a_result_go_to_a_2_0_lrs(lrs_factory):
    server = lrs_factory(["1.0.3", "2.0.0"])
    two_oh = stored(
        version="2.0.0",
        context={
            "contextAgents": [
                {"objectType": "contextAgent", "agent": ACTOR, "relevantTypes": ["https://t/r"]}
            ],
            "contextGroups": [
                {
                    "objectType": "contextGroup",
                    "group": {"objectType": "Group", "member": [ACTOR]},
                }
            ],
        },
    )
    sub = stored(
        object={
            "objectType": "SubStatement",
            "actor": ACTOR,
            "verb": VERB,
            "object": {"objectType": "Activity", "id": "https://t.example/a/2"},
            "result": {"score": {"raw": 3}, "duration": "P1Y2M", "completion": False},
        }
    )
    forwarder = forwarder_for(server)
    assert forwarder.send(two_oh).outcome == OK
    assert forwarder.send(sub).outcome == OK
    puts = server.puts()
    assert [sent_json(p) for p in puts] == [without_lrs_fields(two_oh), without_lrs_fields(sub)]
    assert {p["headers"]["X-Experience-API-Version"] for p in puts} == {"2.0.0"}


def test_the_version_comes_from_about_once_and_is_cached(lrs_factory):
    server = lrs_factory(["1.0.3"])
    forwarder_for(server).send(stored())
    forwarder_for(server).send(stored())  # a new adapter instance, as in the next task run
    abouts = [r for r in server.requests if r["method"] == "GET"]
    assert len(abouts) == 1 and abouts[0]["path"] == "/xapi/about"
    assert {p["headers"]["X-Experience-API-Version"] for p in server.puts()} == {"1.0.3"}


@pytest.mark.parametrize(
    ("statement", "path"),
    [
        (
            stored(
                version="2.0.0",
                context={"contextAgents": [{"objectType": "contextAgent", "agent": ACTOR}]},
            ),
            "statement.context.contextAgents",
        ),
        (
            stored(
                object={
                    "objectType": "SubStatement",
                    "actor": ACTOR,
                    "verb": VERB,
                    "object": {"objectType": "Activity", "id": "https://t/a"},
                    "context": {
                        "contextGroups": [
                            {
                                "objectType": "contextGroup",
                                "group": {"objectType": "Group", "member": [ACTOR]},
                            }
                        ]
                    },
                }
            ),
            "statement.object.context.contextGroups",
        ),
        (stored(version="2.0.0"), "statement.version"),
    ],
)
def test_what_a_1_0_3_lrs_cannot_carry_is_refused_with_the_reason(lrs_factory, statement, path):
    server = lrs_factory(["1.0.3"])
    result = forwarder_for(server).send(statement)
    assert result.outcome == REJECTED
    assert path in result.detail and "1.0.3" in result.detail
    assert server.puts() == []  # nothing half-sent


def test_an_about_that_lists_nothing_known_falls_back_to_1_0_3(lrs_factory):
    server = lrs_factory(["0.95"])
    assert forwarder_for(server).send(stored()).outcome == OK
    assert server.puts()[0]["headers"]["X-Experience-API-Version"] == "1.0.3"


def test_an_about_answering_5xx_is_a_retry_and_is_not_cached(lrs_factory):
    server = lrs_factory(["2.0.0"])
    server.about_status = 503
    result = forwarder_for(server).send(stored())
    assert result.outcome == RETRY and "about" in result.detail
    assert server.puts() == []
    server.about_status = 200
    assert forwarder_for(server).send(stored()).outcome == OK
    assert server.puts()[0]["headers"]["X-Experience-API-Version"] == "2.0.0"


def test_an_unreachable_lrs_is_a_retry(lrs_factory):
    server = lrs_factory(["1.0.3"])
    endpoint = server.endpoint
    server.close()
    result = TinCanForwarder(endpoint=endpoint, username="", password="", timeout=2).send(stored())
    assert result.outcome == RETRY


json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extensions=st.dictionaries(
        st.text(min_size=1, max_size=20).map(lambda s: f"https://t.example/x/{s}"),
        json_value,
        max_size=5,
    ),
    duration=st.from_regex(
        r"P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?", fullmatch=True
    ),
)
def test_any_stored_json_is_the_body_unchanged(extensions, duration):
    statement = stored(result={"duration": duration, "extensions": extensions})
    body = statement_body(statement)
    assert json.loads(body.decode("utf-8")) == without_lrs_fields(statement)
    # Types survive too (1 stays an int, 1.0 a float), which == alone would not show.
    assert repr(json.loads(body.decode("utf-8"))) == repr(without_lrs_fields(statement))
