"""OB 3.0 to the letter: the issued credential against our OB 3.0 JSON Schema, the subject id and
the VC-JWT ``sub``/``kid``, the DID document's terms, status lists and content negotiation."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

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
SCHEMA_DIR = ob3_schema.SCHEMA_PATH.parent


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


# --- the JSON Schema --------------------------------------------------------------------------
def test_our_schema_is_a_valid_2020_12_schema_and_its_readme_names_its_sources():
    schema = ob3_schema.our_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    readme = (ob3_schema.SCHEMA_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert ob3_schema.SCHEMA_PATH.name in readme
    for source in ("Open Badges Specification", "3.0", "Verifiable Credentials Data Model v2.0"):
        assert source in readme
    for section in ("AchievementCredential", "AchievementSubject", "IdentityObject", "Alignment"):
        assert f"`{section}`" in readme
    # 1EdTech's generated file is not kept here: only its pinned hash and commit are.
    assert ob3_schema.PINNED_1EDTECH_SHA256 in readme
    assert ob3_schema.PINNED_1EDTECH_COMMIT in readme
    assert ob3_schema.OPERATOR_SCHEMA_ENV in readme
    kept = {ob3_schema.sha256(path.read_bytes()) for path in SCHEMA_DIR.iterdir() if path.is_file()}
    assert ob3_schema.PINNED_1EDTECH_SHA256 not in kept


def _require_operator_schema() -> None:
    reason = ob3_schema.operator_schema_skip_reason()
    if reason is not None:
        pytest.skip(reason)


def test_operator_copy_of_1edtech_schema_is_the_pinned_one():
    _require_operator_schema()
    assert ob3_schema.sha256(ob3_schema.operator_schema_bytes()) == (
        ob3_schema.PINNED_1EDTECH_SHA256
    )


def test_operator_copy_finds_nothing_but_the_vcdm_1_1_issuance_date(issuer, learner):
    _require_operator_schema()
    achievement = AchievementFactory(issuer=issuer)
    endorsement = EndorsementFactory(achievement=achievement)
    services.endorsement_sign(endorsement_id=endorsement.pk)
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion", score=0.8
    )
    problems = ob3_schema.errors(award.ob3_credential, schema=ob3_schema.operator_schema())
    assert problems == sorted(
        [
            "$: 'issuanceDate' is a required property",
            "$.credentialSubject.achievement.endorsement[0]: 'issuanceDate' is a required property",
        ]
    )
    assert ob3_schema.errors(award.ob3_credential, schema=ob3_schema.operator_vcdm2_schema()) == []


def test_operator_schema_is_skipped_with_a_reason_unless_it_names_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv(ob3_schema.OPERATOR_SCHEMA_ENV, raising=False)
    assert ob3_schema.OPERATOR_SCHEMA_ENV in ob3_schema.operator_schema_skip_reason()
    monkeypatch.setenv(ob3_schema.OPERATOR_SCHEMA_ENV, str(tmp_path / "missing.json"))
    assert "is not a file" in ob3_schema.operator_schema_skip_reason()
    present = tmp_path / "schema.json"
    present.write_text("{}", encoding="utf-8")
    monkeypatch.setenv(ob3_schema.OPERATOR_SCHEMA_ENV, str(present))
    assert ob3_schema.operator_schema_skip_reason() is None


def test_vcdm2_substitution_replaces_issuance_date_and_nothing_else():
    original = {
        "type": "object",
        "required": ["id", "issuanceDate"],
        "properties": {"id": {"type": "string"}, "issuanceDate": {"type": "string"}},
        "$defs": {"E": {"required": ["issuanceDate"], "properties": {"issuanceDate": {}}}},
    }
    converted = ob3_schema.vcdm2(original)
    assert converted["required"] == ["id", "validFrom"]
    assert converted["$defs"]["E"]["required"] == ["validFrom"]
    assert converted["properties"]["validFrom"] == {"type": "string", "format": "date-time"}
    assert converted["properties"]["id"] == {"type": "string"}
    assert original["required"] == ["id", "issuanceDate"]  # the original is left alone


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[last]

    return change


SUBJECT = "credentialSubject"
ACHIEVEMENT = f"{SUBJECT}.achievement"
IDENTITY = f"{SUBJECT}.identifier.0"
STATUS_2021 = {"id": "https://x.example/revocations", "type": "1EdTechRevocationList"}
FORBIDDEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    # (change, a fragment the violation report must contain)
    "no @context": (_drop("@context"), "'@context' is a required"),
    "contexts in the wrong order": (
        _set("@context", [jsonld.OB_V3P0_CONTEXT, jsonld.CREDENTIALS_V2]),
        "$['@context'][0]",
    ),
    "VC 1.1 context first": (
        _set("@context.0", "https://www.w3.org/2018/credentials/v1"),
        "$['@context'][0]",
    ),
    "only the credentials context": (_set("@context", [jsonld.CREDENTIALS_V2]), "too short"),
    "Open Badges 2.0 context second": (
        _set("@context.1", "https://w3id.org/openbadges/v2"),
        "$['@context'][1]",
    ),
    "context not a list": (_set("@context", jsonld.CREDENTIALS_V2), "is not of type 'array'"),
    "no id": (_drop("id"), "'id' is a required"),
    "id not a URI": (_set("id", "award 12"), "$.id"),
    "no name": (_drop("name"), "'name' is a required"),
    "type without OpenBadgeCredential": (_set("type", ["VerifiableCredential"]), "$.type"),
    "type without VerifiableCredential": (_set("type", ["OpenBadgeCredential"]), "$.type"),
    "type a single string": (_set("type", "OpenBadgeCredential"), "$.type"),
    "type repeats a value": (
        _set("type", ["VerifiableCredential", "OpenBadgeCredential", "OpenBadgeCredential"]),
        "non-unique",
    ),
    "no issuer": (_drop("issuer"), "'issuer' is a required"),
    "issuer without id": (_drop("issuer.id"), "$.issuer"),
    "issuer not a Profile": (_set("issuer.type", ["Organization"]), "$.issuer.type"),
    "no validFrom": (_drop("validFrom"), "'validFrom' is a required"),
    "validFrom not a date": (_set("validFrom", "ayer"), "$.validFrom"),
    "validFrom without a time zone": (_set("validFrom", "2026-01-05T10:00:00"), "$.validFrom"),
    "validFrom a date only": (_set("validFrom", "2026-01-05"), "$.validFrom"),
    "validUntil impossible month": (_set("validUntil", "2026-13-01T00:00:00Z"), "$.validUntil"),
    "awardedDate a number": (_set("awardedDate", 1767607200), "$.awardedDate"),
    "credentialStatus as a list": (
        lambda document: document.update(credentialStatus=[document["credentialStatus"]]),
        "$.credentialStatus",
    ),
    "two credentialStatus shapes": (
        lambda document: document.update(
            credentialStatus=[document["credentialStatus"], STATUS_2021]
        ),
        "$.credentialStatus",
    ),
    "credentialStatus without type": (_drop("credentialStatus.type"), "$.credentialStatus"),
    "proof without type": (_set("proof", [{"proofValue": "z1"}]), "$.proof"),
    "no credentialSubject": (_drop(SUBJECT), "'credentialSubject' is a required"),
    "subject without achievement": (_drop(f"{SUBJECT}.achievement"), "'achievement'"),
    "subject without id nor identifier": (
        lambda document: [document[SUBJECT].pop(key) for key in ("id", "identifier")],
        "$.credentialSubject",
    ),
    "subject without id and an empty identifier list": (
        lambda document: (document[SUBJECT].pop("id"), document[SUBJECT].update(identifier=[])),
        "$.credentialSubject",
    ),
    "subject type wrong": (_set(f"{SUBJECT}.type", ["Person"]), "$.credentialSubject.type"),
    "creditsEarned a string": (_set(f"{SUBJECT}.creditsEarned", "20"), "creditsEarned"),
    "activityEndDate not a date": (_set(f"{SUBJECT}.activityEndDate", "hoy"), "activityEndDate"),
    "identity with an extra property": (_set(f"{IDENTITY}.email", "ana@example.mx"), "email"),
    "identity without identityHash": (_drop(f"{IDENTITY}.identityHash"), "'identityHash'"),
    "identity without hashed": (_drop(f"{IDENTITY}.hashed"), "'hashed'"),
    "identity hashed as text": (_set(f"{IDENTITY}.hashed", "true"), "hashed"),
    "identity type as a list": (_set(f"{IDENTITY}.type", ["IdentityObject"]), "type"),
    "identityType outside the vocabulary": (_set(f"{IDENTITY}.identityType", "curp"), "curp"),
    "hashed identity in plain text": (
        _set(f"{IDENTITY}.identityHash", "ana@example.mx"),
        "identityHash",
    ),
    "identityHash one hex digit short": (
        _set(f"{IDENTITY}.identityHash", "sha256$" + "a" * 63),
        "identityHash",
    ),
    "identityHash with an unknown algorithm": (
        _set(f"{IDENTITY}.identityHash", "sha1$" + "a" * 40),
        "identityHash",
    ),
    "achievement without criteria": (_drop(f"{ACHIEVEMENT}.criteria"), "'criteria'"),
    "criteria with neither id nor narrative": (_set(f"{ACHIEVEMENT}.criteria", {}), "criteria"),
    "achievement without id": (_drop(f"{ACHIEVEMENT}.id"), "'id' is a required"),
    "achievement without name": (_drop(f"{ACHIEVEMENT}.name"), "'name' is a required"),
    "achievement without description": (_drop(f"{ACHIEVEMENT}.description"), "'description'"),
    "achievement type wrong": (_set(f"{ACHIEVEMENT}.type", ["BadgeClass"]), "achievement.type"),
    "achievementType outside the vocabulary": (
        _set(f"{ACHIEVEMENT}.achievementType", "Curso"),
        "achievementType",
    ),
    "inLanguage not a language tag": (_set(f"{ACHIEVEMENT}.inLanguage", "es mx"), "inLanguage"),
    "image without id": (_set(f"{ACHIEVEMENT}.image", {"type": "Image"}), "image"),
    "image of a wrong type": (_set(f"{ACHIEVEMENT}.image.type", "Picture"), "image.type"),
    "tag not a list": (_set(f"{ACHIEVEMENT}.tag", "ia"), "tag"),
    "resultDescription without resultType": (
        _drop(f"{ACHIEVEMENT}.resultDescription.0.resultType"),
        "'resultType'",
    ),
    "resultType outside the vocabulary": (
        _set(f"{ACHIEVEMENT}.resultDescription.0.resultType", "Porcentaje"),
        "resultType",
    ),
    "result value a number": (_set(f"{SUBJECT}.result.0.value", 75.5), "value"),
    "result status outside the vocabulary": (_set(f"{SUBJECT}.result.0.status", "Done"), "status"),
}


@pytest.fixture
def full_credential(issuer, learner) -> dict[str, Any]:
    """A course credential with every optional part we issue."""
    achievement = AchievementFactory(
        issuer=issuer, human_code="IA-101", field_of_study="TI", valid_for_days=365
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
    assert ob3_schema.errors(award.ob3_credential) == []
    return award.ob3_credential


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_schema_rejects_what_the_standard_forbids(full_credential, name):
    """The validator is not a rubber stamp: each change breaks the schema, where it was made."""
    change, fragment = FORBIDDEN[name]
    document = copy.deepcopy(full_credential)
    change(document)
    problems = ob3_schema.errors(document)
    assert problems, name
    assert any(fragment in problem for problem in problems), problems


ALIGNMENT = f"{ACHIEVEMENT}.alignment.0"
ENDORSEMENT = f"{ACHIEVEMENT}.endorsement.0"
FORBIDDEN_IN_PARTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "alignment without targetUrl": (_drop(f"{ALIGNMENT}.targetUrl"), "'targetUrl'"),
    "alignment without targetName": (_drop(f"{ALIGNMENT}.targetName"), "'targetName'"),
    "alignment targetType outside the vocabulary": (
        _set(f"{ALIGNMENT}.targetType", "Competency"),
        "targetType",
    ),
    "alignment extension term malformed": (_set(f"{ALIGNMENT}.targetType", "ext:"), "targetType"),
    "endorsement without validFrom": (_drop(f"{ENDORSEMENT}.validFrom"), "'validFrom'"),
    "endorsement of a wrong type": (
        _set(f"{ENDORSEMENT}.type", ["VerifiableCredential", "OpenBadgeCredential"]),
        "endorsement[0].type",
    ),
    "endorsement subject without id": (_drop(f"{ENDORSEMENT}.credentialSubject.id"), "'id'"),
    "endorsement contexts reversed": (
        _set(f"{ENDORSEMENT}.@context", [jsonld.OB_V3P0_CONTEXT, jsonld.CREDENTIALS_V2]),
        "@context",
    ),
}


@pytest.mark.parametrize("name", sorted(FORBIDDEN_IN_PARTS))
def test_schema_rejects_broken_alignments_and_endorsements(full_credential, name):
    change, fragment = FORBIDDEN_IN_PARTS[name]
    document = copy.deepcopy(full_credential)
    change(document)
    problems = ob3_schema.errors(document)
    assert any(fragment in problem for problem in problems), problems


ALLOWED: dict[str, Callable[[dict[str, Any]], None]] = {
    "AchievementCredential instead of OpenBadgeCredential": _set(
        "type", ["VerifiableCredential", "AchievementCredential"]
    ),
    "a third context after the two": (
        lambda document: document["@context"].append({"ext": "https://capacita.example/ns#"})
    ),
    "an older 3.0.x context": _set(
        "@context.1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    ),
    "an identifier list and no subject id": lambda document: document[SUBJECT].pop("id"),
    "a subject id and no identifier list": lambda document: document[SUBJECT].pop("identifier"),
    "a plain-text identity when not hashed": lambda document: document[SUBJECT]["identifier"][
        0
    ].update(hashed=False, identityHash="ana@example.mx"),
    "an md5 identityHash": _set(f"{IDENTITY}.identityHash", "md5$" + "0" * 32),
    "an extension achievementType": _set(f"{ACHIEVEMENT}.achievementType", "ext:Diplomado"),
    "criteria with only a narrative": lambda document: document[SUBJECT]["achievement"][
        "criteria"
    ].pop("id"),
    "a date-time with an offset": _set("validFrom", "2026-01-05T10:00:00.250-06:00"),
    "an extra property where the standard allows extensions": _set(
        f"{ACHIEVEMENT}.ext:sepClave", "IA-101"
    ),
    "a single proof object": lambda document: document.update(proof=document["proof"][0]),
    "no proof (the VC-JWT form)": _drop("proof"),
    "evidence": _set("evidence", [{"type": ["Evidence"], "narrative": "Proyecto final"}]),
}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_schema_accepts_what_the_standard_allows(full_credential, name):
    document = copy.deepcopy(full_credential)
    ALLOWED[name](document)
    assert ob3_schema.errors(document) == []


_HEX = "0123456789abcdef"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=80).filter(
        lambda text: re.fullmatch(r"(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})", text) is None
    ),
    digest=st.text(alphabet=_HEX, min_size=64, max_size=64),
)
def test_hashed_identity_hash_must_be_sha256_or_md5_hex(award, text, digest):
    document = copy.deepcopy(award.ob3_credential)
    identity = document[SUBJECT]["identifier"][0]
    identity["identityHash"] = text
    assert any("identityHash" in problem for problem in ob3_schema.errors(document))
    identity["identityHash"] = f"sha256${digest}"
    assert ob3_schema.errors(document) == []


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
