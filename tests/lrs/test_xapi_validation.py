"""Statement validation, written from the Data part of xAPI 1.0.3 / 2.0.0.

Each invalid case names the JSON path and the rule the LRS must report.
"""

from __future__ import annotations

import copy
import json

import pytest

from lrs.validation import XAPIValidationError, validate_statement, validate_statements
from tests.lrs.xapi_fixtures import ACTIVITY, statement

ACCOUNT = {"homePage": "http://example.com", "name": "abc"}


def _with(path: str, value) -> dict:
    """The base statement with one nested property set (``None`` deletes it)."""
    data = statement()
    target = data
    keys = path.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(keys[-1], None)
    else:
        target[keys[-1]] = value
    return data


VALID = [
    statement(),
    statement(id="12345678-1234-5678-1234-567812345678"),
    statement(actor={"mbox_sha1sum": "a" * 40}),
    statement(actor={"openid": "http://openid.example.com/x"}),
    statement(actor={"account": ACCOUNT, "name": "Someone"}),
    statement(actor={"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]}),
    statement(actor={"objectType": "Group", "account": ACCOUNT}),
    statement(object={"objectType": "Agent", "mbox": "mailto:a@b.c"}),
    statement(object={"objectType": "StatementRef", "id": "12345678-1234-5678-1234-567812345678"}),
    statement(
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": "http://example.com/v"},
            "object": {"id": ACTIVITY},
        }
    ),
    statement(
        result={"score": {"scaled": -1, "raw": 5, "min": 0, "max": 10}, "duration": "PT1.5S"}
    ),
    statement(result={"duration": "P1Y2M3DT4H5M6.7S", "success": True, "completion": False}),
    statement(result={"duration": "P4W", "response": "x", "extensions": {"http://e.x/a": None}}),
    statement(
        context={
            "registration": "12345678-1234-5678-1234-567812345678",
            "revision": "1",
            "platform": "web",
            "language": "es-MX",
        }
    ),
    statement(context={"contextActivities": {"parent": {"id": ACTIVITY}}}),
    statement(context={"contextActivities": {"grouping": [{"id": ACTIVITY}], "other": []}}),
    statement(
        context={
            "team": {"objectType": "Group", "account": ACCOUNT},
            "instructor": {"mbox": "mailto:t@e.c"},
        }
    ),
    statement(
        context={
            "statement": {
                "objectType": "StatementRef",
                "id": "12345678-1234-5678-1234-567812345678",
            }
        }
    ),
    statement(timestamp="2024-02-29T10:00:00Z"),
    statement(timestamp="2024-02-29T10:00:00.123456+05:30"),
    statement(version="1.0.0"),
    statement(version="1.0.3"),
    statement(
        version="2.0.0",
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:a@b.c"},
                    "relevantTypes": ["http://e.x/t"],
                }
            ]
        },
    ),
    statement(
        object={
            "id": ACTIVITY,
            "definition": {
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
            },
        }
    ),
    statement(
        object={
            "id": ACTIVITY,
            "definition": {
                "interactionType": "matching",
                "source": [{"id": "a"}],
                "target": [{"id": "b"}],
            },
        }
    ),
    statement(
        attachments=[
            {
                "usageType": "http://e.x/u",
                "display": {"en": "x"},
                "contentType": "text/plain",
                "length": 3,
                "sha2": "a" * 64,
                "fileUrl": "http://e.x/f",
            }
        ]
    ),
    statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": "12345678-1234-5678-1234-567812345678"},
    ),
    statement(
        authority={
            "objectType": "Group",
            "member": [{"mbox": "mailto:a@b.c"}, {"account": ACCOUNT}],
        }
    ),
    statement(verb={"id": "urn:x-verb:did", "display": {"zh-Hant-TW": "x", "x-private": "y"}}),
]


@pytest.mark.parametrize("data", VALID, ids=range(len(VALID)))
def test_valid_statements_pass(data):
    validate_statement(copy.deepcopy(data))


INVALID = [
    # (statement, path, rule)
    ("not an object", "statement", "type.object"),
    (statement(foo=1), "statement.foo", "property.unknown"),
    (_with("actor", None), "statement.actor", "required"),
    (_with("verb", None), "statement.verb", "required"),
    (_with("object", None), "statement.object", "required"),
    (statement(id="not-a-uuid"), "statement.id", "format.uuid"),
    (statement(id="123456781234567812345678123456780"), "statement.id", "format.uuid"),
    (statement(actor={"name": "no ifi"}), "statement.actor", "agent.ifi"),
    (
        statement(actor={"mbox": "mailto:a@b.c", "openid": "http://x.y"}),
        "statement.actor",
        "agent.ifi",
    ),
    (statement(actor={"mbox": "a@b.c"}), "statement.actor.mbox", "format.mailto"),
    (statement(actor={"mbox_sha1sum": "xyz"}), "statement.actor.mbox_sha1sum", "format.sha1"),
    (statement(actor={"openid": "not an iri"}), "statement.actor.openid", "format.iri"),
    (statement(actor={"account": {"name": "x"}}), "statement.actor.account.homePage", "required"),
    (
        statement(actor={"account": {"homePage": "http://x.y"}}),
        "statement.actor.account.name",
        "required",
    ),
    (
        statement(actor={"account": {"homePage": "nope", "name": "x"}}),
        "statement.actor.account.homePage",
        "format.iri",
    ),
    (
        statement(actor={"account": {**ACCOUNT, "extra": 1}}),
        "statement.actor.account.extra",
        "property.unknown",
    ),
    (statement(actor={"mbox": "mailto:a@b.c", "name": None}), "statement.actor.name", "value.null"),
    (
        statement(actor={"objectType": "agent", "mbox": "mailto:a@b.c"}),
        "statement.actor.objectType",
        "enum",
    ),
    (statement(actor={"objectType": "Group"}), "statement.actor.member", "group.anonymous"),
    (
        statement(actor={"objectType": "Group", "member": []}),
        "statement.actor.member",
        "group.anonymous",
    ),
    (
        statement(
            actor={"objectType": "Group", "member": [{"objectType": "Group", "account": ACCOUNT}]}
        ),
        "statement.actor.member[0].objectType",
        "group.member",
    ),
    (
        statement(actor={"objectType": "Group", "mbox": "mailto:a@b.c", "account": ACCOUNT}),
        "statement.actor",
        "group.ifi",
    ),
    (
        statement(actor={"objectType": "Group", "member": [{"name": "x"}]}),
        "statement.actor.member[0]",
        "agent.ifi",
    ),
    (_with("verb.id", None), "statement.verb.id", "required"),
    (_with("verb.id", "experienced"), "statement.verb.id", "format.iri"),
    (
        _with("verb.display", {"not a tag!": "x"}),
        "statement.verb.display.not a tag!",
        "format.language_tag",
    ),
    (_with("verb.display", {"en": 5}), "statement.verb.display.en", "type.string"),
    (_with("verb.display", "experienced"), "statement.verb.display", "type.object"),
    (_with("object.id", None), "statement.object.id", "required"),
    (_with("object.id", "lesson 1"), "statement.object.id", "format.iri"),
    (_with("object.objectType", "activity"), "statement.object.objectType", "enum"),
    (_with("object.definition.type", "not iri"), "statement.object.definition.type", "format.iri"),
    (
        _with("object.definition.moreInfo", "x"),
        "statement.object.definition.moreInfo",
        "format.iri",
    ),
    (
        _with("object.definition.extensions", {"nokey": 1}),
        "statement.object.definition.extensions.nokey",
        "format.iri",
    ),
    (
        _with("object.definition.choices", [{"id": "a"}]),
        "statement.object.definition.choices",
        "interaction.type_required",
    ),
    (
        _with("object.definition.interactionType", "essay"),
        "statement.object.definition.interactionType",
        "enum",
    ),
    (
        statement(
            object={
                "id": ACTIVITY,
                "definition": {"interactionType": "true-false", "choices": [{"id": "a"}]},
            }
        ),
        "statement.object.definition.choices",
        "interaction.components",
    ),
    (
        statement(
            object={
                "id": ACTIVITY,
                "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
            }
        ),
        "statement.object.definition.choices[1].id",
        "unique",
    ),
    (
        statement(
            object={
                "id": ACTIVITY,
                "definition": {"interactionType": "choice", "correctResponsesPattern": "a"},
            }
        ),
        "statement.object.definition.correctResponsesPattern",
        "type.array",
    ),
    (statement(object={"mbox": "mailto:a@b.c"}), "statement.object.mbox", "property.unknown"),
    (
        statement(object={"objectType": "StatementRef", "id": "x"}),
        "statement.object.id",
        "format.uuid",
    ),
    (
        statement(
            object={
                "objectType": "SubStatement",
                "actor": {"mbox": "mailto:a@b.c"},
                "verb": {"id": "http://e.x/v"},
                "object": {"id": ACTIVITY},
                "id": "12345678-1234-5678-1234-567812345678",
            }
        ),
        "statement.object.id",
        "property.unknown",
    ),
    (
        statement(
            object={
                "objectType": "SubStatement",
                "actor": {"mbox": "mailto:a@b.c"},
                "verb": {"id": "http://e.x/v"},
                "object": {
                    "objectType": "SubStatement",
                    "actor": {"mbox": "mailto:a@b.c"},
                    "verb": {"id": "http://e.x/v"},
                    "object": {"id": ACTIVITY},
                },
            }
        ),
        "statement.object.object.objectType",
        "substatement.nested",
    ),
    (
        statement(
            object={
                "objectType": "SubStatement",
                "actor": {"mbox": "mailto:a@b.c"},
                "verb": {"id": "http://e.x/v"},
                "object": {"id": ACTIVITY},
                "stored": "2024-01-01T00:00:00Z",
            }
        ),
        "statement.object.stored",
        "property.unknown",
    ),
    (
        statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "statement.object.objectType",
        "voiding.statement_ref",
    ),
    (statement(result={"score": {"scaled": 1.5}}), "statement.result.score.scaled", "range"),
    (statement(result={"score": {"raw": 11, "max": 10}}), "statement.result.score.raw", "range"),
    (statement(result={"score": {"raw": -1, "min": 0}}), "statement.result.score.raw", "range"),
    (statement(result={"score": {"min": 10, "max": 10}}), "statement.result.score.min", "range"),
    (statement(result={"score": {"raw": "5"}}), "statement.result.score.raw", "type.number"),
    (statement(result={"success": "true"}), "statement.result.success", "type.boolean"),
    (statement(result={"completion": 1}), "statement.result.completion", "type.boolean"),
    (statement(result={"duration": "1 hour"}), "statement.result.duration", "format.duration"),
    (statement(result={"duration": "PT"}), "statement.result.duration", "format.duration"),
    (statement(result={"extensions": {"x": 1}}), "statement.result.extensions.x", "format.iri"),
    (
        statement(result={"score": {"scaled": 0.5}, "grade": "A"}),
        "statement.result.grade",
        "property.unknown",
    ),
    (statement(context={"registration": "abc"}), "statement.context.registration", "format.uuid"),
    (
        statement(
            object={"objectType": "Agent", "mbox": "mailto:a@b.c"}, context={"revision": "1"}
        ),
        "statement.context.revision",
        "context.activity_only",
    ),
    (
        statement(
            object={"objectType": "StatementRef", "id": "12345678-1234-5678-1234-567812345678"},
            context={"platform": "web"},
        ),
        "statement.context.platform",
        "context.activity_only",
    ),
    (
        statement(context={"team": {"mbox": "mailto:a@b.c"}}),
        "statement.context.team.objectType",
        "context.team",
    ),
    (
        statement(context={"language": "not a language"}),
        "statement.context.language",
        "format.language_tag",
    ),
    (
        statement(context={"contextActivities": {"sibling": []}}),
        "statement.context.contextActivities.sibling",
        "property.unknown",
    ),
    (
        statement(context={"contextActivities": {"parent": [{"id": "bad iri"}]}}),
        "statement.context.contextActivities.parent[0].id",
        "format.iri",
    ),
    (
        statement(context={"statement": {"id": "12345678-1234-5678-1234-567812345678"}}),
        "statement.context.statement.objectType",
        "context.statement",
    ),
    (
        statement(context={"extensions": {"bad": 1}}),
        "statement.context.extensions.bad",
        "format.iri",
    ),
    (
        statement(version="1.0.3", context={"contextAgents": []}),
        "statement.context.contextAgents",
        "property.unknown",
    ),
    (
        statement(context={"contextAgents": [{"agent": {"mbox": "mailto:a@b.c"}}]}),
        "statement.context.contextAgents[0].objectType",
        "enum",
    ),
    (statement(timestamp="yesterday"), "statement.timestamp", "format.timestamp"),
    (statement(timestamp="2024-02-30T10:00:00Z"), "statement.timestamp", "format.timestamp"),
    (statement(timestamp="2024-01-01T10:00:00-00:00"), "statement.timestamp", "format.timestamp"),
    (statement(stored="2024-13-01T10:00:00Z"), "statement.stored", "format.timestamp"),
    (statement(version="0.95"), "statement.version", "version.supported"),
    (statement(version="3.0.0"), "statement.version", "version.supported"),
    (
        statement(authority={"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]}),
        "statement.authority",
        "authority.oauth_group",
    ),
    (statement(attachments={}), "statement.attachments", "type.array"),
    (
        statement(
            attachments=[
                {
                    "usageType": "http://e.x/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 3,
                }
            ]
        ),
        "statement.attachments[0].sha2",
        "required",
    ),
    (
        statement(
            attachments=[
                {
                    "usageType": "http://e.x/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": -3,
                    "sha2": "a" * 64,
                }
            ]
        ),
        "statement.attachments[0].length",
        "type.integer",
    ),
    (
        statement(
            attachments=[
                {
                    "usageType": "u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 3,
                    "sha2": "a" * 64,
                }
            ]
        ),
        "statement.attachments[0].usageType",
        "format.iri",
    ),
    (
        statement(
            attachments=[
                {
                    "usageType": "http://e.x/u",
                    "display": {"en": "x"},
                    "contentType": "text",
                    "length": 3,
                    "sha2": "a" * 64,
                }
            ]
        ),
        "statement.attachments[0].contentType",
        "format.media_type",
    ),
]


@pytest.mark.parametrize(
    ("data", "path", "rule"), INVALID, ids=[c[1] + ":" + c[2] for c in INVALID]
)
def test_invalid_statements_name_path_and_rule(data, path, rule):
    with pytest.raises(XAPIValidationError) as caught:
        validate_statement(copy.deepcopy(data))
    assert (caught.value.path, caught.value.rule) == (path, rule)


def test_batches_report_the_index_of_the_offending_statement():
    with pytest.raises(XAPIValidationError) as caught:
        validate_statements([statement(), statement(verb={"id": "nope"})])
    assert caught.value.path == "statements[1].verb.id"


def test_empty_batch_is_rejected():
    with pytest.raises(XAPIValidationError):
        validate_statements([])


def test_single_context_activity_is_returned_as_an_array():
    data = statement(context={"contextActivities": {"parent": {"id": ACTIVITY}}})
    validate_statement(data)
    assert data["context"]["contextActivities"]["parent"] == [{"id": ACTIVITY}]


@pytest.mark.django_db
def test_endpoint_answers_400_with_path_and_rule_and_stores_nothing(xapi):
    from lrs.models import Statement

    response = xapi.post("statements", [statement(), statement(result={"success": "yes"})])
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["path"] == "statements[1].result.success"
    assert body["rule"] == "type.boolean"
    assert body["error"]
    assert Statement.objects.count() == 0
