"""Open Badges documents (2.0 and 3.0) built from the models, and the public URLs they use.

Reads only; signing happens in services. Every URL here is stable: it is what verifiers and
wallets store.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.urls import reverse

from credentials import conf
from credentials.jsonld import CREDENTIALS_V2, OB_V3P0_CONTEXT
from credentials.models import Achievement, AlignmentBase, Award, Endorsement, Issuer

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
OB3_CONTEXTS: list[str | dict[str, Any]] = [CREDENTIALS_V2, OB_V3P0_CONTEXT]
# An award names exactly the two contexts OB 3.0 requires: its one status entry is a
# BitstringStatusListEntry, which the credentials v2 context defines. (Awards issued before
# carried a second, 1EdTechRevocationList entry and a small inline context defining it; they
# keep verifying with the contexts they carry.)
AWARD_CONTEXTS: list[str | dict[str, Any]] = list(OB3_CONTEXTS)
# Neither the DID v1 context nor the multikey context defines ``JsonWebKey`` or
# ``publicKeyJwk`` (the RSA key of the VC-JWT is published as a JWK). Left undefined, JSON-LD
# processors drop them; this inline context maps them to the W3C security vocabulary terms
# (``publicKeyJwk`` is a JSON literal, as the W3C Controlled Identifiers vocabulary has it).
JSON_WEB_KEY_TERMS: dict[str, Any] = {
    "JsonWebKey": {
        "@id": "https://w3id.org/security#JsonWebKey",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "controller": {"@id": "https://w3id.org/security#controller", "@type": "@id"},
            "publicKeyJwk": {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"},
        },
    }
}
DID_CONTEXTS: list[str | dict[str, Any]] = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
    JSON_WEB_KEY_TERMS,
]
# Namespace of the credential subjects' ``urn:uuid:`` ids (a fixed, random UUID).
SUBJECT_ID_NAMESPACE = uuid.UUID("6f1d2c4e-3b8a-4f0e-9a57-0c2d7e41b9a3")


def absolute(path: str) -> str:
    return conf.site_url() + path


def url(name: str, **kwargs: Any) -> str:
    return absolute(reverse(f"credentials:{name}", kwargs=kwargs))


def iso(moment: dt.datetime) -> str:
    """UTC timestamp with seconds precision and ``Z``, the form VC examples use."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- issuers ----------------------------------------------------------------------------------
def issuer_did(issuer: Issuer) -> str:
    """``did:web`` of the issuer; resolves to ``/credentials/issuers/<slug>/did.json``."""
    parts = urlsplit(conf.site_url())
    host = quote(parts.netloc, safe="")
    path_segments = [segment for segment in parts.path.split("/") if segment]
    return ":".join(["did:web", host, *path_segments, "credentials", "issuers", issuer.slug])


def did_web_to_url(did: str) -> str:
    """The HTTPS URL of a ``did:web`` DID document (W3C did:web method, section 3.2)."""
    if not did.startswith("did:web:"):
        raise ValueError("not a did:web DID")
    segments = did[len("did:web:") :].split(":")
    host = segments[0].replace("%3A", ":").replace("%3a", ":")
    path = "/".join(segments[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def verification_method_id(issuer: Issuer, kid: str) -> str:
    return f"{issuer_did(issuer)}#{kid}"


def jwt_key_url(issuer: Issuer, kid: str) -> str:
    """The VC-JWT header ``kid``: an HTTPS URL answering the bare public JWK (what OB 3.0
    verifiers dereference); its last segment is the key's ``kid`` in the JWKS."""
    return url("issuer_key", slug=issuer.slug, kid=kid)


def issuer_profile_ob3(issuer: Issuer) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": issuer_did(issuer),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.description:
        profile["description"] = issuer.description
    return profile


def issuer_ob2(issuer: Issuer) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": url("issuer_ob2", slug=issuer.slug),
        "name": issuer.name,
        "url": issuer.url,
        "revocationList": url("issuer_ob2_revocations", slug=issuer.slug),
    }
    if issuer.email:
        document["email"] = issuer.email
    if issuer.description:
        document["description"] = issuer.description
    return document


def did_document(issuer: Issuer, keys: list[Any]) -> dict[str, Any]:
    """DID document listing every key of the issuer, retired ones included."""
    from credentials.proofs import ED25519_PUB_MULTICODEC, multibase_encode

    did = issuer_did(issuer)
    methods = []
    for key in keys:
        method: dict[str, Any] = {"id": f"{did}#{key.kid}", "controller": did}
        if key.algorithm == "ed25519":
            import base64

            x = key.public_jwk["x"]
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
            method["type"] = "Multikey"
            method["publicKeyMultibase"] = multibase_encode(ED25519_PUB_MULTICODEC + raw)
        else:
            method["type"] = "JsonWebKey"
            method["publicKeyJwk"] = public_jwk_members(key.public_jwk)
        methods.append(method)
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def public_jwk_members(jwk: dict[str, Any]) -> dict[str, Any]:
    """The key's public members only (RFC 7517/7518): what a JWK URL answers."""
    allowed = {"kty", "crv", "x", "y", "n", "e"}
    return {name: value for name, value in jwk.items() if name in allowed}


def jwks(keys: list[Any]) -> dict[str, Any]:
    return {"keys": [dict(key.public_jwk) for key in keys]}


# --- achievements -----------------------------------------------------------------------------
def achievement_image_url(achievement: Achievement) -> str:
    return url("achievement_image", uuid=achievement.uuid)


@dataclass(frozen=True)
class AlignmentItem:
    """One alignment of an achievement, from its own rows, its microcredential's rows, or the
    skills and sectors (courses' snippets) of its microcredential or course."""

    framework: str
    target_name: str
    target_code: str = ""
    target_url: str = ""
    target_description: str = ""

    @property
    def framework_name(self) -> str:
        return {
            "conocer": "CONOCER RENEC",
            "skill": "Capacita skills",
            "sector": "Capacita sectors",
        }.get(self.framework, "Other")

    @property
    def resolved_url(self) -> str:
        if self.target_url:
            return self.target_url
        code = self.target_code or self.target_name
        return url("alignment_detail", framework=self.framework, code=code)


def _from_row(row: AlignmentBase) -> AlignmentItem:
    return AlignmentItem(
        framework=row.framework,
        target_name=row.target_name,
        target_code=row.target_code,
        target_url=row.target_url,
        target_description=row.target_description,
    )


def alignments(achievement: Achievement) -> list[AlignmentItem]:
    """Every alignment of the achievement, EC codes first, without duplicates."""
    items = [_from_row(row) for row in achievement.alignments.all()]
    taxonomy_sources = []
    if achievement.microcredential_id and achievement.microcredential is not None:
        microcredential = achievement.microcredential
        items.extend(_from_row(row) for row in microcredential.alignments.all())
        taxonomy_sources.append(microcredential)
    if achievement.course_id and achievement.course is not None:
        taxonomy_sources.append(achievement.course)
    for source in taxonomy_sources:
        for framework, relation in (("skill", "skills"), ("sector", "sectors")):
            for snippet in getattr(source, relation).all():
                items.append(
                    AlignmentItem(
                        framework=framework, target_name=snippet.name, target_code=snippet.slug
                    )
                )
    unique: dict[tuple[str, str, str], AlignmentItem] = {}
    for item in items:
        unique.setdefault((item.framework, item.target_code, item.target_name), item)
    return sorted(unique.values(), key=lambda item: item.framework != "conocer")


def credits_available(achievement: Achievement) -> float | None:
    """Hours: the achievement's own figure, else its microcredential's workload or course's."""
    if achievement.credits_available is not None:
        return float(achievement.credits_available)
    if achievement.microcredential_id and achievement.microcredential is not None:
        return float(achievement.microcredential.workload_hours)
    if achievement.course_id and achievement.course is not None:
        return float(achievement.course.estimated_hours)
    return None


_TARGET_TYPE = {"conocer": "ceasn:Competency", "skill": "ceasn:Competency", "sector": "ext:Sector"}


def achievement_ob3(
    achievement: Achievement, *, endorsements: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": url("achievement_json", uuid=achievement.uuid),
        "type": ["Achievement"],
        "name": achievement.name,
        "description": achievement.description,
        # Its own URL (not the achievement's: one IRI would merge both nodes in RDF); like the
        # achievement's, it answers HTML to a browser and JSON-LD to a client.
        "criteria": {
            "id": url("achievement_criteria", uuid=achievement.uuid),
            "narrative": achievement.criteria_narrative,
        },
        "achievementType": achievement.achievement_type,
        "image": {"id": achievement_image_url(achievement), "type": "Image"},
        "inLanguage": achievement.language,
        "creator": issuer_profile_ob3(achievement.issuer),
    }
    hours = credits_available(achievement)
    if hours is not None:
        document["creditsAvailable"] = hours
    if achievement.human_code:
        document["humanCode"] = achievement.human_code
    if achievement.field_of_study:
        document["fieldOfStudy"] = achievement.field_of_study
    if achievement.tag_list:
        document["tag"] = achievement.tag_list
    aligned_items = []
    for item in alignments(achievement):
        alignment: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": item.target_name,
            "targetUrl": item.resolved_url,
            "targetFramework": item.framework_name,
        }
        if item.target_code:
            alignment["targetCode"] = item.target_code
        if item.target_description:
            alignment["targetDescription"] = item.target_description
        alignment["targetType"] = _TARGET_TYPE.get(item.framework, "ext:Other")
        aligned_items.append(alignment)
    if aligned_items:
        document["alignment"] = aligned_items
    document["resultDescription"] = [
        {
            "id": f"{document['id']}#score",
            "type": ["ResultDescription"],
            "name": "Puntaje / Score",
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
        }
    ]
    if endorsements:
        document["endorsement"] = endorsements
    return document


def badgeclass_ob2(achievement: Achievement) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": url("achievement_badgeclass", uuid=achievement.uuid),
        "name": achievement.name,
        "description": achievement.description,
        "image": achievement_image_url(achievement),
        "criteria": {
            "id": url("achievement_json", uuid=achievement.uuid),
            "narrative": achievement.criteria_narrative,
        },
        "issuer": url("issuer_ob2", slug=achievement.issuer.slug),
    }
    aligned = [
        {
            key: value
            for key, value in {
                "targetName": item.target_name,
                "targetUrl": item.resolved_url,
                "targetCode": item.target_code,
                "targetFramework": item.framework_name,
                "targetDescription": item.target_description,
            }.items()
            if value
        }
        for item in alignments(achievement)
    ]
    if aligned:
        document["alignment"] = aligned
    if achievement.tag_list:
        document["tags"] = achievement.tag_list
    return document


# --- endorsements -----------------------------------------------------------------------------
def endorsement_unsigned(endorsement: Endorsement, *, valid_from: dt.datetime) -> dict[str, Any]:
    return {
        "@context": OB3_CONTEXTS,
        "id": url("endorsement_json", uuid=endorsement.uuid),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{endorsement.endorser.name} endorses {endorsement.achievement.name}",
        "issuer": issuer_profile_ob3(endorsement.endorser),
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": url("achievement_json", uuid=endorsement.achievement.uuid),
            "type": ["EndorsementSubject"],
            "endorsementComment": endorsement.comment,
        },
    }


# --- awards -----------------------------------------------------------------------------------
def status_list_url(issuer: Issuer) -> str:
    return url("issuer_status_list", slug=issuer.slug)


def subject_id(award: Award) -> str:
    """``credentialSubject.id`` (and the VC-JWT ``sub``): a ``urn:uuid:`` derived from the
    award, stable across re-signing, that says nothing about the person (the recipient stays
    identified by the salted hash in ``identifier``)."""
    return f"urn:uuid:{uuid.uuid5(SUBJECT_ID_NAMESPACE, str(award.uuid))}"


def award_ob3_unsigned(award: Award, *, endorsements: list[dict[str, Any]]) -> dict[str, Any]:
    achievement = award.achievement
    issuer = achievement.issuer
    subject: dict[str, Any] = {
        "id": subject_id(award),
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": award.recipient_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": award.recipient_salt,
            }
        ],
        "achievement": achievement_ob3(achievement, endorsements=endorsements),
    }
    if award.credits_earned is not None:
        subject["creditsEarned"] = float(award.credits_earned)
    if award.completed_at is not None:
        subject["activityEndDate"] = iso(award.completed_at)
    if award.score is not None:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": f"{subject['achievement']['id']}#score",
                "value": f"{round(award.score * 100, 1):g}",
            }
        ]
    document: dict[str, Any] = {
        "@context": AWARD_CONTEXTS,
        "id": url("award_ob3", uuid=award.uuid),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": issuer_profile_ob3(issuer),
        "validFrom": iso(award.issued_at),
        "awardedDate": iso(award.issued_at),
        "credentialSubject": subject,
        # One status entry (the data model allows at most one per status purpose here): the
        # issuer's signed Bitstring Status List. The 1EdTech revocation list is still served.
        "credentialStatus": {
            "id": f"{status_list_url(issuer)}#{award.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(award.status_index),
            "statusListCredential": status_list_url(issuer),
        },
    }
    if award.valid_until is not None:
        document["validUntil"] = iso(award.valid_until)
    return document


def award_jwt_claims(award: Award, credential: dict[str, Any]) -> dict[str, Any]:
    """VC-JWT payload: the credential (without its DI proof) plus the registered claims."""
    payload = {key: value for key, value in credential.items() if key != "proof"}
    payload["iss"] = credential["issuer"]["id"]
    payload["jti"] = credential["id"]
    # OB 3.0: ``sub`` MUST equal ``credentialSubject.id``.
    payload["sub"] = credential["credentialSubject"]["id"]
    payload["nbf"] = int(award.issued_at.timestamp())
    payload["iat"] = int(award.issued_at.timestamp())
    if award.valid_until is not None:
        payload["exp"] = int(award.valid_until.timestamp())
    return payload


def award_ob2(award: Award) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": url("award_ob2", uuid=award.uuid),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": award.recipient_salt,
            "identity": award.recipient_hash,
        },
        "badge": url("achievement_badgeclass", uuid=award.achievement.uuid),
        "verification": {"type": "hosted"},
        "issuedOn": iso(award.issued_at),
        "image": url("award_png", uuid=award.uuid),
    }
    if award.valid_until is not None:
        document["expires"] = iso(award.valid_until)
    return document
