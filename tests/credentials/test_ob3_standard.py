"""OB 3.0 to the letter: the issued credential against 1EdTech's JSON Schema, the subject id and
the VC-JWT ``sub``/``kid``, the DID document's terms, status lists and content negotiation."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from unittest import mock

import pytest
from django.utils import timezone

from credentials import documents, jsonld, keys, proofs, services, verification
from credentials.models import StatusList
from tests.courses.factories import SectorFactory, SkillFactory
from tests.credentials import ob3_schema
from tests.credentials.factories import (
    AchievementAlignmentFactory,
    AchievementFactory,
    EndorsementFactory,
    MicrocredentialAlignmentFactory,
    MicrocredentialFactory,
    PathwayPartFactory,
)

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


# --- the JSON Schema --------------------------------------------------------------------------
def test_schema_file_is_the_one_its_readme_names():
    readme = (ob3_schema.SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"SHA-256 \| `([0-9a-f]{64})`", readme).group(1)
    data = ob3_schema.SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == stated
    assert "e0fdb03dfe8e710508d690ba6d612d0b913e3ac8" in readme


def test_unmodified_schema_finds_nothing_but_the_vcdm_1_1_issuance_date(issuer, learner):
    achievement = AchievementFactory(issuer=issuer)
    endorsement = EndorsementFactory(achievement=achievement)
    services.endorsement_sign(endorsement_id=endorsement.pk)
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion", score=0.8
    )
    problems = ob3_schema.errors(award.ob3_credential, schema=ob3_schema.original_schema())
    assert problems == sorted(
        [
            "$: 'issuanceDate' is a required property",
            "$.credentialSubject.achievement.endorsement[0]: 'issuanceDate' is a required property",
        ]
    )


def test_schema_check_catches_what_the_standard_forbids(award):
    """The validator is not a rubber stamp: each of these breaks the schema."""
    credential = award.ob3_credential
    assert ob3_schema.errors(credential) == []
    broken = []
    as_list = copy.deepcopy(credential)
    as_list["credentialStatus"] = [as_list["credentialStatus"]]  # the old, two-entry shape
    broken.append(as_list)
    no_criteria = copy.deepcopy(credential)
    del no_criteria["credentialSubject"]["achievement"]["criteria"]
    broken.append(no_criteria)
    leaky_identity = copy.deepcopy(credential)
    leaky_identity["credentialSubject"]["identifier"][0]["email"] = "ana@example.mx"
    broken.append(leaky_identity)
    bad_date = copy.deepcopy(credential)
    bad_date["validFrom"] = "ayer"
    broken.append(bad_date)
    no_valid_from = copy.deepcopy(credential)
    del no_valid_from["validFrom"]
    broken.append(no_valid_from)
    for document in broken:
        assert ob3_schema.errors(document), document


def test_course_credential_with_every_optional_part_is_valid(issuer, learner):
    achievement = AchievementFactory(
        issuer=issuer,
        human_code="IA-101",
        field_of_study="Tecnologías de la información",
        valid_for_days=365,
    )
    AchievementAlignmentFactory(achievement=achievement)
    endorsement = EndorsementFactory(achievement=achievement)
    services.endorsement_sign(endorsement_id=endorsement.pk)
    award, _ = services.award_issue(
        achievement_id=achievement.pk,
        user_id=learner.pk,
        source="completion",
        score=0.755,
        completed_at=timezone.now(),
    )
    credential = award.ob3_credential
    assert {"validUntil", "credentialStatus", "proof"} <= credential.keys()
    subject = credential["credentialSubject"]
    assert {"result", "creditsEarned", "activityEndDate"} <= subject.keys()
    assert {"alignment", "endorsement", "tag", "humanCode"} <= subject["achievement"].keys()
    assert ob3_schema.errors(credential) == []


def test_credential_without_optional_parts_is_valid(issuer, learner):
    achievement = AchievementFactory(issuer=issuer, credits_available=None, tags="")
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="staff", reason="manual"
    )
    credential = award.ob3_credential
    assert "validUntil" not in credential
    subject = credential["credentialSubject"]
    assert not {"result", "creditsEarned", "activityEndDate"} & subject.keys()
    assert (
        not {"alignment", "endorsement", "tag", "creditsAvailable"} & subject["achievement"].keys()
    )
    assert ob3_schema.errors(credential) == []


def test_microcredential_and_pathway_credentials_are_valid(
    issuer, learner, django_capture_on_commit_callbacks
):
    pathway = MicrocredentialFactory(awarding_body=issuer, title="Especialidad en IA")
    part = PathwayPartFactory(pathway=pathway, part__awarding_body=issuer).part
    part.skills.add(SkillFactory(name="Trabajo en equipo", slug="trabajo-en-equipo"))
    part.sectors.add(SectorFactory(name="Aeroespacial", slug="aeroespacial"))
    part.save()
    MicrocredentialAlignmentFactory(microcredential=part, target_code="EC0301")
    pathway_achievement = AchievementFactory(
        issuer=issuer, microcredential=pathway, achievement_type="MicroCredential"
    )
    part_achievement = AchievementFactory(
        issuer=issuer, microcredential=part, achievement_type="MicroCredential"
    )
    with django_capture_on_commit_callbacks(execute=True):
        part_award, _ = services.award_issue(
            achievement_id=part_achievement.pk, user_id=learner.pk, source="microcredential"
        )
    pathway_award = pathway_achievement.awards.get(recipient=learner)
    assert pathway_award.source == "pathway"
    for award in (part_award, pathway_award):
        assert ob3_schema.errors(award.ob3_credential) == []
        _header, payload = proofs.jwt_unverified_parts(award.ob3_jwt)
        assert ob3_schema.errors(payload) == []


# --- subject id and the VC-JWT ----------------------------------------------------------------
def test_subject_id_is_an_opaque_stable_urn_uuid_equal_to_the_jwt_sub(award, learner):
    subject = award.ob3_credential["credentialSubject"]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", subject["id"])
    for personal in (learner.email, learner.username, learner.first_name, learner.last_name):
        assert personal not in subject["id"]
    assert subject["identifier"][0]["identityHash"] == award.recipient_hash
    _header, payload = proofs.jwt_unverified_parts(award.ob3_jwt)
    assert payload["sub"] == subject["id"]
    # Stable: derived from the award, so signing it again gives the same id.
    assert documents.subject_id(award) == subject["id"]
    other, _ = services.award_issue(
        achievement_id=AchievementFactory(issuer=award.achievement.issuer).pk,
        user_id=learner.pk,
        source="completion",
    )
    assert other.ob3_credential["credentialSubject"]["id"] != subject["id"]


def _resign_jwt(award, change) -> str:
    """A VC-JWT signed with the issuer's real RSA key after ``change`` edits its payload."""
    _header, payload = proofs.jwt_unverified_parts(award.ob3_jwt)
    change(payload)
    row = services.signing_key_ensure(issuer=award.achievement.issuer, algorithm=keys.RSA)
    private = keys.unseal(row.sealed_private_key, algorithm=keys.RSA)
    return proofs.jwt_sign(
        payload,
        key=keys.jwk_private(private),
        kid=documents.jwt_key_url(award.achievement.issuer, row.kid),
        alg="RS256",
    )


def test_jwt_whose_sub_differs_from_the_subject_id_is_refused(award):
    assert verification.verify_jwt(_resign_jwt(award, lambda p: None)).valid
    token = _resign_jwt(award, lambda p: p.update(sub=award.recipient_hash))
    report = verification.verify_jwt(token)
    assert not report.valid
    assert "sub" in report.checks["issuer"].reason


def test_jwt_kid_is_a_url_answering_the_bare_jwk_also_in_the_host_jwks(client, award, issuer):
    header, _payload = proofs.jwt_unverified_parts(award.ob3_jwt)
    kid = header["kid"]
    assert kid.startswith("http://testserver/credentials/issuers/sep/keys/")
    response = client.get(_path(kid))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk+json"
    jwk_doc = response.json()
    assert set(jwk_doc) == {"kty", "n", "e"}
    thumbprint = kid.rsplit("/", 1)[1]
    host = client.get("/.well-known/jwks.json")
    assert host.status_code == 200
    listed = {key["kid"]: key for key in host.json()["keys"]}
    assert listed[thumbprint]["n"] == jwk_doc["n"]
    # The issuer's own JWKS URL keeps working and lists it too.
    issuer_jwks = client.get("/credentials/issuers/sep/jwks.json").json()
    assert thumbprint in {key["kid"] for key in issuer_jwks["keys"]}
    assert client.get("/credentials/issuers/sep/keys/not-a-key").status_code == 404
    assert client.get(f"/credentials/issuers/nobody/keys/{thumbprint}").status_code == 404
    assert all("d" not in key for key in host.json()["keys"])


def test_other_issuers_bare_jwk_counts_only_from_the_issuers_host(award):
    """A VC-JWT of another issuer whose kid URL answers a bare JWK: accepted when that host is
    the issuer's, refused when the key sits on someone else's host."""
    from integrations.http_documents import InMemoryDocumentFetcher

    row = services.signing_key_ensure(issuer=award.achievement.issuer, algorithm=keys.RSA)
    private = keys.unseal(row.sealed_private_key, algorithm=keys.RSA)
    _header, payload = proofs.jwt_unverified_parts(award.ob3_jwt)
    public = documents.public_jwk_members(row.public_jwk)

    def token(issuer_id: str, kid: str) -> str:
        claims = copy.deepcopy(payload)
        claims["issuer"] = {**claims["issuer"], "id": issuer_id}
        claims["iss"] = issuer_id
        return proofs.jwt_sign(claims, key=keys.jwk_private(private), kid=kid, alg="RS256")

    kid = "https://badges.example.org/keys/1"
    fetcher = InMemoryDocumentFetcher({kid: public})
    good = verification.verify_jwt(token("did:web:badges.example.org", kid), fetcher=fetcher)
    assert good.checks["proof"].ok and good.checks["issuer"].ok
    bad = verification.verify_jwt(token("did:web:sep.example.mx", kid), fetcher=fetcher)
    assert bad.checks["proof"].ok and not bad.checks["issuer"].ok


# --- DID document -----------------------------------------------------------------------------
def test_did_document_defines_every_term_it_uses(client, award):
    document = client.get("/credentials/issuers/sep/did.json").json()
    types = {method["type"] for method in document["verificationMethod"]}
    assert types == {"Multikey", "JsonWebKey"}
    # The strict canonicaliser refuses any term its contexts leave undefined.
    nquads = jsonld.canonicalize(document)
    assert "https://w3id.org/security#publicKeyJwk" in nquads
    assert "https://w3id.org/security#JsonWebKey" in nquads
    assert "https://w3id.org/security#publicKeyMultibase" in nquads
    without_jwk_terms = dict(document, **{"@context": document["@context"][:2]})
    with pytest.raises(jsonld.UndefinedTermError):
        jsonld.canonicalize(without_jwk_terms)


# --- status lists -----------------------------------------------------------------------------
def test_status_list_is_signed_once_per_change_and_has_a_validity_period(client, award):
    url = _path(award.ob3_credential["credentialStatus"]["statusListCredential"])
    with mock.patch.object(services, "_sign_ob3", wraps=services._sign_ob3) as signer:
        first = client.get(url)
        second = client.get(url)
        assert signer.call_count == 1
        assert first.json() == second.json()
        credential = first.json()
        start = dt.datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(credential["validUntil"].replace("Z", "+00:00"))
        assert end - start == services.STATUS_LIST_VALIDITY
        assert verification.verify_json(credential).valid
        services.award_revoke(award_id=award.pk, reason="Error")
        third = client.get(url)
        assert signer.call_count == 2
        assert third["ETag"] != first["ETag"]
        client.get(url)
        assert signer.call_count == 2
    assert StatusList.objects.count() == 1


def test_status_list_is_signed_again_before_it_expires(client, award):
    url = _path(award.ob3_credential["credentialStatus"]["statusListCredential"])
    client.get(url)
    row = StatusList.objects.get()
    row.valid_until = timezone.now() + dt.timedelta(hours=1)
    row.save(update_fields=["valid_until"])
    with mock.patch.object(services, "_sign_ob3", wraps=services._sign_ob3) as signer:
        again = client.get(url).json()
        assert signer.call_count == 1
    assert StatusList.objects.get().valid_until > timezone.now() + dt.timedelta(days=6)
    assert verification.verify_json(again).valid


def test_status_list_caching_headers_and_conditional_requests(client, award):
    url = _path(award.ob3_credential["credentialStatus"]["statusListCredential"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    by_etag = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert by_etag.status_code == 304 and by_etag.content == b""
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert by_date.status_code == 304
    stale = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200
    old_date = client.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2024 00:00:00 GMT")
    assert old_date.status_code == 200


def test_revocation_list_has_one_array(client, award):
    services.award_revoke(award_id=award.pk, reason="Duplicada")
    document = client.get("/credentials/issuers/sep/revocations.json").json()
    assert set(document) == {"id", "issuer", "revokedCredential"}
    assert [item["id"] for item in document["revokedCredential"]] == [award.ob3_credential["id"]]


# --- URLs that resolve and negotiate ----------------------------------------------------------
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("which", ["achievement", "criteria"])
def test_achievement_and_criteria_urls_negotiate_html_and_json_ld(client, award, which):
    achievement = award.ob3_credential["credentialSubject"]["achievement"]
    absolute = achievement["id"] if which == "achievement" else achievement["criteria"]["id"]
    assert achievement["criteria"]["id"] != achievement["id"]
    url = _path(absolute)
    page = client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    assert award.achievement.name in page.content.decode()
    for accept in ("application/ld+json", "application/json", "*/*", None):
        extra = {"HTTP_ACCEPT": accept} if accept else {}
        data = client.get(url, **extra)
        assert data.status_code == 200
        assert data["Content-Type"] == "application/ld+json"
        assert "Accept" in data["Vary"]
        assert data.json()["id"] == absolute
    if which == "criteria":
        assert client.get(url).json()["narrative"] == award.achievement.criteria_narrative
    unknown = url.replace(str(award.achievement.uuid), "00000000-0000-4000-8000-000000000000")
    assert client.get(unknown, HTTP_ACCEPT=BROWSER_ACCEPT).status_code == 404


def test_every_alignment_target_url_of_an_issued_credential_answers_200(client, issuer, learner):
    microcredential = MicrocredentialFactory(awarding_body=issuer)
    microcredential.skills.add(SkillFactory(name="Comunicación", slug="comunicacion"))
    microcredential.sectors.add(SectorFactory(name="Automotriz", slug="automotriz"))
    microcredential.save()
    MicrocredentialAlignmentFactory(microcredential=microcredential, target_code="EC0301")
    achievement = AchievementFactory(issuer=issuer, microcredential=microcredential)
    AchievementAlignmentFactory(achievement=achievement, target_code="EC0217.01")
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="microcredential"
    )
    alignments = award.ob3_credential["credentialSubject"]["achievement"]["alignment"]
    frameworks = {item["targetFramework"] for item in alignments}
    assert frameworks == {"CONOCER RENEC", "Capacita skills", "Capacita sectors"}
    for item in alignments:
        response = client.get(_path(item["targetUrl"]), HTTP_ACCEPT=BROWSER_ACCEPT)
        assert response.status_code == 200, item
        assert item["targetName"] in response.content.decode()
    assert client.get("/credentials/alignments/skill/no-such-skill").status_code == 404
    assert client.get("/credentials/alignments/other/comunicacion").status_code == 404
