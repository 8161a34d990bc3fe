"""Who may void a statement: a learner only what she stored about herself through her session;
an LRS client whatever its ``statements/write`` scope lets it write."""

from __future__ import annotations

import pytest
from django.test import Client

from lrs.identity import learner_actor
from lrs.models import Statement
from lrs.services import statements_store
from lrs.signals import statements_voided
from tests.lrs.xapi_fixtures import XAPI, make_client, new_id, statement

pytestmark = pytest.mark.django_db

VOIDED = {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}}


def voiding(actor: dict, target: str, **overrides) -> dict:
    return statement(
        actor=actor, verb=VOIDED, object={"objectType": "StatementRef", "id": target}, **overrides
    )


def session_api(user) -> XAPI:
    client = Client()
    client.force_login(user)
    return XAPI(client, None)


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user(username="ana", password="x")


@pytest.fixture
def beto(django_user_model):
    return django_user_model.objects.create_user(username="beto", password="x")


@pytest.fixture
def voided_signals():
    sent: list[list[str]] = []

    def receiver(sender, statement_uuids, **kwargs):
        sent.append(list(statement_uuids))

    statements_voided.connect(receiver, dispatch_uid="test-voiding-access")
    yield sent
    statements_voided.disconnect(dispatch_uid="test-voiding-access")


def test_a_learner_cannot_void_another_learners_statement(ana, beto, voided_signals):
    ana_api, beto_api = session_api(ana), session_api(beto)
    target = beto_api.store(statement(actor=learner_actor(user=beto)))[0]
    before = Statement.objects.count()

    response = ana_api.post("statements", voiding(learner_actor(user=ana), target))

    assert response.status_code == 403
    body = response.json()
    assert body["rule"] == "learner.void_own"
    assert body["path"] == "statements[0].object.id"
    assert Statement.objects.count() == before
    assert not Statement.objects.get(statement_id=target).voided
    assert voided_signals == []  # nothing for the progress engine to rebuild
    assert beto_api.get("statements", {"statementId": target}).status_code == 200


def test_a_refused_voiding_stores_nothing_of_its_batch(ana, beto):
    target = session_api(beto).store(statement(actor=learner_actor(user=beto)))[0]
    actor = learner_actor(user=ana)
    before = Statement.objects.count()
    response = session_api(ana).post("statements", [statement(actor=actor), voiding(actor, target)])
    assert response.status_code == 403
    assert response.json()["path"] == "statements[1].object.id"
    assert Statement.objects.count() == before


def test_a_learner_voids_her_own_statement(ana, voided_signals):
    api = session_api(ana)
    actor = learner_actor(user=ana)
    target = api.store(statement(actor=actor))[0]
    api.store(voiding(actor, target.upper()))
    assert Statement.objects.get(statement_id=target).voided
    assert voided_signals == [[target]]
    assert api.get("statements", {"voidedStatementId": target}).status_code == 200


def test_a_learner_voids_a_statement_of_the_same_batch(ana):
    actor = learner_actor(user=ana)
    target = new_id()
    session_api(ana).store(statement(actor=actor, id=target), voiding(actor, target))
    assert Statement.objects.get(statement_id=target).voided


def test_a_learner_cannot_void_what_a_tool_or_capacita_stored_about_her(ana):
    actor = learner_actor(user=ana)
    _, auth = make_client(scopes=["statements/write"])
    from_tool = XAPI(Client(), auth).store(statement(actor=actor))[0]
    from_capacita = str(statements_store(statements=[statement(actor=actor)])[0])
    api = session_api(ana)
    for target in (from_tool, from_capacita):
        response = api.post("statements", voiding(actor, target))
        assert response.status_code == 403, target
        assert response.json()["rule"] == "learner.void_own"
        assert not Statement.objects.get(statement_id=target).voided


def test_a_learner_cannot_void_a_statement_the_lrs_does_not_have(ana):
    # Its owner cannot be known, and a voiding statement waiting for its target would void
    # whoever's statement later arrives with that id.
    response = session_api(ana).post("statements", voiding(learner_actor(user=ana), new_id()))
    assert response.status_code == 403
    assert Statement.objects.count() == 0


def test_a_learner_cannot_void_by_put_either(ana, beto):
    target = session_api(beto).store(statement(actor=learner_actor(user=beto)))[0]
    voider = new_id()
    response = session_api(ana).put(
        "statements", voiding(learner_actor(user=ana), target), params={"statementId": voider}
    )
    assert response.status_code == 403
    assert not Statement.objects.filter(statement_id=voider).exists()


def test_a_client_with_the_write_scope_voids_any_statement(ana, voided_signals):
    target = session_api(ana).store(statement(actor=learner_actor(user=ana)))[0]
    _, auth = make_client(scopes=["statements/write"])
    XAPI(Client(), auth).store(voiding({"mbox": "mailto:admin@example.com"}, target))
    assert Statement.objects.get(statement_id=target).voided
    assert voided_signals == [[target]]


def test_a_client_without_the_write_scope_cannot_void(ana):
    target = session_api(ana).store(statement(actor=learner_actor(user=ana)))[0]
    _, auth = make_client(scopes=["statements/read"])
    response = XAPI(Client(), auth).post(
        "statements", voiding({"mbox": "mailto:admin@example.com"}, target)
    )
    assert response.status_code == 403
    assert not Statement.objects.get(statement_id=target).voided
