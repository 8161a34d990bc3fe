"""xAPI attachments go only to whoever may read their statement: never under /media/, stored
under names that cannot be derived from the statement (the SHA-2 is in every statement), on the
filesystem default and on the real S3 server."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request

import pytest
from django.test import Client

from lrs.attachments import build_multipart
from lrs.identity import learner_actor
from lrs.models import LRSAttachment
from tests.lrs.xapi_fixtures import XAPI, make_client, statement

pytestmark = pytest.mark.django_db

SECRET = b"the learner's portfolio: a private reflection"
SECRET_SHA = hashlib.sha256(SECRET).hexdigest()


def _header() -> dict:
    return {
        "usageType": "http://e.x/portfolio",
        "display": {"es-MX": "Portafolio"},
        "contentType": "text/plain",
        "length": len(SECRET),
        "sha2": SECRET_SHA,
    }


def _store(api: XAPI, data: dict) -> str:
    body, content_type = build_multipart(
        json.dumps(data).encode(), [(SECRET_SHA, "text/plain", SECRET)]
    )
    response = api.post("statements", body, content_type=content_type)
    assert response.status_code == 200, response.content
    return response.json()[0]


def _api(scopes: list[str]) -> XAPI:
    client, auth = make_client(scopes=scopes)
    api = XAPI(Client(), auth)
    api.lrs_client = client
    return api


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("maestra", "maestra@example.com", "x")


@pytest.fixture
def learner_api(learner) -> XAPI:
    client = Client()
    client.force_login(learner)
    return XAPI(client, None)


def _attachment_in(response) -> bool:
    return SECRET in response.content


def test_stored_name_is_not_derived_from_the_sha2(xapi):
    _store(xapi, statement(attachments=[_header()]))
    name = LRSAttachment.objects.get(sha2=SECRET_SHA).file.name
    assert name.startswith("xapi/attachments/")
    assert SECRET_SHA not in name and SECRET_SHA[:16] not in name


def test_attachments_are_not_under_media(xapi, learner, learner_api):
    _store(learner_api, statement(actor=learner_actor(user=learner), attachments=[_header()]))
    name = LRSAttachment.objects.get(sha2=SECRET_SHA).file.name
    assert Client().get(f"/media/{name}").status_code == 404
    assert learner_api.client.get(f"/media/{name}").status_code == 404
    sha_path = f"/media/xapi/attachments/{SECRET_SHA[:2]}/{SECRET_SHA}"
    assert Client().get(sha_path).status_code == 404


def test_the_learner_herself_gets_her_attachment(learner, learner_api):
    sid = _store(learner_api, statement(actor=learner_actor(user=learner), attachments=[_header()]))
    response = learner_api.get("statements", {"statementId": sid, "attachments": "true"})
    assert response.status_code == 200 and _attachment_in(response)


def test_another_learner_and_anonymous_get_nothing(learner, learner_api, django_user_model):
    sid = _store(learner_api, statement(actor=learner_actor(user=learner), attachments=[_header()]))
    other = Client()
    other.force_login(django_user_model.objects.create_user("otra", "otra@example.com", "x"))
    response = XAPI(other, None).get("statements", {"statementId": sid, "attachments": "true"})
    assert response.status_code == 404 and not _attachment_in(response)
    listing = XAPI(other, None).get("statements", {"attachments": "true"})
    assert not _attachment_in(listing)
    anonymous = XAPI(Client(), None).get("statements", {"statementId": sid, "attachments": "true"})
    assert anonymous.status_code in (401, 403) and not _attachment_in(anonymous)


def test_lrs_clients_get_attachments_only_as_their_scopes_allow(xapi):
    sid = _store(xapi, statement(attachments=[_header()]))
    writer = _api(["statements/write"])
    response = writer.get("statements", {"statementId": sid, "attachments": "true"})
    assert response.status_code == 403 and not _attachment_in(response)
    own_only = _api(["statements/write", "statements/read/mine"])
    response = own_only.get("statements", {"statementId": sid, "attachments": "true"})
    assert response.status_code == 404 and not _attachment_in(response)
    assert not _attachment_in(own_only.get("statements", {"attachments": "true"}))
    reader = _api(["statements/read"])
    response = reader.get("statements", {"statementId": sid, "attachments": "true"})
    assert response.status_code == 200 and _attachment_in(response)


@pytest.mark.services
def test_on_s3_attachments_are_private_and_read_through_the_lrs(xapi, s3_storage):
    sid = _store(xapi, statement(attachments=[_header()]))
    name = LRSAttachment.objects.get(sha2=SECRET_SHA).file.name
    listing = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])
    assert name in [item["Key"] for item in listing.get("Contents", [])]
    plain = f"{s3_storage['endpoint']}/{s3_storage['bucket']}/{name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain, timeout=10)  # the local test server, unsigned
    assert refused.value.code == 403
    assert Client().get(f"/media/{name}").status_code == 404
    writer = _api(["statements/write"])
    assert writer.get("statements", {"statementId": sid, "attachments": "true"}).status_code == 403
    response = xapi.get("statements", {"statementId": sid, "attachments": "true"})
    assert response.status_code == 200 and _attachment_in(response)
