"""Hostile input on the LRS answers 400 naming the field and the rule, and stores nothing.

Each of these answered 500 before (xAPI tools retry a 5xx for ever): deep nesting, numbers
beyond a double, NUL and lone surrogates in statement strings and parameters, typed fields
given as objects or arrays, a multipart body cut before its closing boundary.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pytest

from common.json_input import MAX_JSON_DEPTH
from lrs.models import LRSDocument, Statement
from tests.lrs.xapi_fixtures import ACTIVITY, statement

pytestmark = pytest.mark.django_db

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:learner@example.com"})
STATE = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
EXT = "http://example.com/ext"


def _refused(response, path: str, rule: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body.get("path"), body.get("rule")) == (path, rule), body


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_statements_nested_ten_thousand_levels_is_400(xapi):
    response = xapi.post("statements", _deep(10_000))
    _refused(response, "statement", "json.depth")
    assert Statement.objects.count() == 0


def test_statement_extension_nested_beyond_the_limit_names_the_extension(xapi):
    value: object = 1
    for _ in range(MAX_JSON_DEPTH):
        value = [value]
    body = statement(result={"extensions": {EXT: value}})
    response = xapi.post("statements", body)
    assert response.status_code == 400
    assert response.json()["rule"] == "json.depth"
    assert response.json()["path"].startswith(f"statement.result.extensions.{EXT}[0]")
    assert Statement.objects.count() == 0


def test_nesting_at_the_limit_is_accepted(xapi):
    value: object = 1
    # The statement and result and extensions objects are three levels of their own.
    for _ in range(MAX_JSON_DEPTH - 3):
        value = [value]
    response = xapi.post("statements", statement(result={"extensions": {EXT: value}}))
    assert response.status_code == 200, response.content
    assert Statement.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"raw": 1e400, "min": 0}', "statement.result.score.raw"),
        ('{"raw": 5, "max": Infinity}', "statement.result.score.max"),
        ('{"raw": NaN}', "statement.result.score.raw"),
    ],
)
def test_non_finite_score_is_400(xapi, text, path):
    body = json.dumps(statement(result={"score": "SCORE"})).replace('"SCORE"', text)
    _refused(xapi.post("statements", body), path, "number.finite")
    assert Statement.objects.count() == 0


def test_extension_value_1e309_is_400(xapi):
    body = json.dumps(statement(context={"extensions": {EXT: 0}})).replace(
        f'"{EXT}": 0', f'"{EXT}": 1e309'
    )
    _refused(xapi.post("statements", body), f"statement.context.extensions.{EXT}", "number.finite")


def test_integer_beyond_a_double_is_400(xapi):
    body = json.dumps(statement(result={"extensions": {EXT: 10**400}}))
    _refused(xapi.post("statements", body), f"statement.result.extensions.{EXT}", "number.finite")


@pytest.mark.parametrize(
    ("escaped", "rule"), [("\\u0000", "text.nul"), ("\\ud800", "text.surrogate")]
)
def test_nul_and_lone_surrogate_in_statement_strings_are_400(xapi, escaped, rule):
    body = json.dumps(statement(result={"response": "X"})).replace('"X"', f'"a{escaped}b"')
    _refused(xapi.post("statements", body), "statement.result.response", rule)
    key = json.dumps(statement(result={"extensions": {EXT + "/K": 1}})).replace("/K", escaped)
    # The offending key is named by its JSON escape, never echoed raw.
    _refused(xapi.post("statements", key), f"statement.result.extensions.{EXT}{escaped}", rule)
    in_batch = json.dumps([statement(), statement(result={"response": "X"})]).replace(
        '"X"', f'"{escaped}"'
    )
    _refused(xapi.post("statements", in_batch), "statements[1].result.response", rule)
    assert Statement.objects.count() == 0


def test_a_surrogate_pair_is_a_character_and_accepted(xapi):
    body = json.dumps(statement(result={"response": "X"})).replace('"X"', '"\\ud83d\\ude00"')
    assert xapi.post("statements", body).status_code == 200


@pytest.mark.parametrize("wrong", [{"a": 1}, ["choice"], 3, True])
def test_interaction_type_of_the_wrong_json_type_is_400(xapi, wrong):
    body = statement(
        object={"id": ACTIVITY, "definition": {"interactionType": wrong}},
    )
    _refused(
        xapi.post("statements", body), "statement.object.definition.interactionType", "type.string"
    )
    assert Statement.objects.count() == 0


@pytest.mark.parametrize("wrong", [{"a": 1}, ["Activity"]])
def test_object_type_of_the_wrong_json_type_is_400(xapi, wrong):
    _refused(
        xapi.post("statements", statement(object={"objectType": wrong, "id": ACTIVITY})),
        "statement.object.objectType",
        "type.string",
    )
    actor = {"objectType": wrong, "mbox": "mailto:a@example.com"}
    _refused(
        xapi.post("statements", statement(actor=actor)), "statement.actor.objectType", "type.string"
    )


def test_nul_in_the_activity_query_parameter_is_400(xapi):
    _refused(xapi.get("statements", {"activity": ACTIVITY + "\x00"}), "activity", "text.nul")


def test_nul_in_state_id_is_400_and_nothing_is_stored(xapi):
    response = xapi.put("activities/state", {"a": 1}, params={**STATE, "stateId": "a\x00b"})
    _refused(response, "stateId", "text.nul")
    response = xapi.post("activities/state", {"a": 1}, params={**STATE, "stateId": "\x00"})
    _refused(response, "stateId", "text.nul")
    assert LRSDocument.objects.count() == 0
    _refused(xapi.get("activities/state", {**STATE, "stateId": "\x00"}), "stateId", "text.nul")


def test_lone_surrogate_in_the_agent_parameter_is_400(xapi):
    agent = '{"objectType": "Agent", "account": {"homePage": "http://x.mx", "name": "\\ud800"}}'
    _refused(
        xapi.put("activities/state", {"a": 1}, params={**STATE, "agent": agent}),
        "agent.account.name",
        "text.surrogate",
    )
    _refused(xapi.get("statements", {"agent": _deep(5000)}), "agent", "json.depth")
    assert LRSDocument.objects.count() == 0


def test_alternate_syntax_form_fields_are_checked(xapi):
    form = {
        "content": "{}",
        "X-Experience-API-Version": "1.0.3",
        "Authorization": xapi.auth,
        **STATE,
        "stateId": "\x00",
    }
    body = urlencode(form)
    response = xapi.client.post(
        "/xapi/activities/state?method=PUT",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    _refused(response, "stateId", "text.nul")
    assert LRSDocument.objects.count() == 0


def test_state_merge_with_deep_json_is_400_and_keeps_the_document(xapi):
    assert xapi.post("activities/state", {"a": 1}, params=STATE).status_code == 204
    response = xapi.post("activities/state", '{"b":' + _deep(10_000) + "}", params=STATE)
    _refused(response, "content", "json.depth")
    assert xapi.get("activities/state", STATE).json() == {"a": 1}
    fresh = {**STATE, "stateId": "fresh"}
    _refused(xapi.post("activities/state", _deep(10_000), params=fresh), "content", "json.depth")
    _refused(
        xapi.post("activities/state", '{"b": 1e400}', params=fresh), "content.b", "number.finite"
    )
    _refused(
        xapi.post("activities/state", '{"b": "\\u0000"}', params=fresh), "content.b", "text.nul"
    )
    assert LRSDocument.objects.count() == 1


def test_merge_onto_a_stored_document_beyond_the_limits_is_400(xapi):
    xapi.put("activities/state", '{"a":' + _deep(5000) + "}", params=STATE)
    response = xapi.post("activities/state", {"b": 1}, params=STATE)
    _refused(response, "content", "document.merge_json")


def _multipart(statement_body: bytes, attachment: bytes, *, close: bool) -> tuple[bytes, str]:
    sha2 = hashlib.sha256(attachment).hexdigest()
    parts = [
        b"--B\r\nContent-Type: application/json\r\n\r\n" + statement_body + b"\r\n",
        (
            b"--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            b"X-Experience-API-Hash: " + sha2.encode() + b"\r\n\r\n" + attachment + b"\r\n"
        ),
    ]
    if close:
        parts.append(b"--B--")
    return b"".join(parts), 'multipart/mixed; boundary="B"'


def test_multipart_without_its_closing_boundary_is_400(xapi):
    attachment = b"hello"
    sha2 = hashlib.sha256(attachment).hexdigest()
    body = statement(
        attachments=[
            {
                "usageType": "http://example.com/usage",
                "display": {"en": "a"},
                "contentType": "text/plain",
                "length": len(attachment),
                "sha2": sha2,
            }
        ]
    )
    cut, content_type = _multipart(json.dumps(body).encode(), attachment, close=False)
    response = xapi.post("statements", cut, content_type=content_type)
    _refused(response, "body", "attachments.multipart")
    assert Statement.objects.count() == 0
    whole, content_type = _multipart(json.dumps(body).encode(), attachment, close=True)
    assert xapi.post("statements", whole, content_type=content_type).status_code == 200


def test_multipart_first_part_nested_too_deep_is_400(xapi):
    body, content_type = _multipart(_deep(10_000).encode(), b"x", close=True)
    _refused(xapi.post("statements", body, content_type=content_type), "statement", "json.depth")


LONG = "http://example.com/" + "a" * 600


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"verb": {"id": LONG}}, "statement.verb.id"),
        ({"object": {"id": LONG}}, "statement.object.id"),
        (
            {"actor": {"account": {"homePage": "http://x.mx", "name": "n" * 600}}},
            "statement.actor.account",
        ),
        (
            {"context": {"contextActivities": {"parent": [{"id": LONG}]}}},
            "statement.context.contextActivities.parent[0].id",
        ),
    ],
)
def test_identifiers_longer_than_the_lrs_keeps_are_400(xapi, overrides, path):
    """PostgreSQL refuses a value longer than its column (a 500); SQLite kept it silently."""
    _refused(xapi.post("statements", statement(**overrides)), path, "length.max")
    assert Statement.objects.count() == 0


def test_document_ids_and_iri_parameters_longer_than_the_lrs_keeps_are_400(xapi):
    long_id = {**STATE, "stateId": "s" * 513}
    _refused(xapi.put("activities/state", {"a": 1}, params=long_id), "stateId", "length.max")
    long_activity = {**STATE, "activityId": LONG}
    _refused(
        xapi.post("activities/state", {"a": 1}, params=long_activity), "activityId", "length.max"
    )
    assert LRSDocument.objects.count() == 0
    _refused(xapi.get("statements", {"verb": LONG}), "verb", "length.max")
    response = xapi.put("activities/state", b"x", params=STATE, content_type="text/" + "x" * 300)
    _refused(response, "Content-Type", "length.max")
    assert LRSDocument.objects.count() == 0


def _b64(data: bytes) -> bytes:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=")


@pytest.mark.parametrize("deep_part", ["header", "payload"])
def test_signature_with_a_deep_header_or_payload_is_400(xapi, deep_part):
    header = b'{"alg": "RS256"}'
    payload = json.dumps(statement()).encode()
    if deep_part == "header":
        header = _deep(10_000).encode()
    else:
        payload = _deep(10_000).encode()
    token = _b64(header) + b"." + _b64(payload) + b"." + _b64(b"sig")
    sha2 = hashlib.sha256(token).hexdigest()
    body = statement(
        attachments=[
            {
                "usageType": "http://adlnet.gov/expapi/attachments/signature",
                "display": {"en": "signature"},
                "contentType": "application/octet-stream",
                "length": len(token),
                "sha2": sha2,
            }
        ]
    )
    multipart = (
        b"--B\r\nContent-Type: application/json\r\n\r\n" + json.dumps(body).encode() + b"\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
        b"X-Experience-API-Hash: " + sha2.encode() + b"\r\n\r\n" + token + b"\r\n--B--"
    )
    response = xapi.post("statements", multipart, content_type='multipart/mixed; boundary="B"')
    _refused(response, "statements[0].attachments", "signature.invalid")
    assert Statement.objects.count() == 0
