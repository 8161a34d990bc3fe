"""Verifying other issuers' credentials, whose keys and status lists are fetched."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk

from credentials import proofs, status_lists, verification
from integrations.http_documents import FetchError, HttpDocumentFetcher, InMemoryDocumentFetcher

pytestmark = pytest.mark.django_db

DID = "did:web:badges.example.org:issuers:acme"
DID_URL = "https://badges.example.org/issuers/acme/did.json"
STATUS_URL = "https://badges.example.org/status/1"
KEY = Ed25519PrivateKey.generate()
METHOD = f"{DID}#key-1"
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _did_document(method: str = METHOD, key=KEY) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": DID,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": proofs.ed25519_public_multibase(key.public_key()),
            }
        ],
        "assertionMethod": [method],
    }


def _status_list(revoked: set[int]) -> dict:
    unsigned = {
        "@context": [CONTEXT[0]],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{STATUS_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": status_lists.encode(revoked),
        },
    }
    return proofs.di_sign(
        unsigned, private_key=KEY, verification_method=METHOD, created="2025-01-01T00:00:00Z"
    )


def _credential(*, issuer: str = DID, method: str = METHOD, key=KEY) -> dict:
    unsigned = {
        "@context": CONTEXT,
        "id": "urn:uuid:6b8e1f0c-1111-4a4a-9c9c-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "ACME Aeroespacial"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Soldadura aeroespacial",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$00",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "s",
                }
            ],
            "achievement": {
                "id": "https://badges.example.org/achievements/1",
                "type": ["Achievement"],
                "name": "Soldadura aeroespacial",
                "description": "Curso de soldadura.",
                "criteria": {"narrative": "Aprobar el examen práctico."},
            },
        },
        "credentialStatus": {
            "id": f"{STATUS_URL}#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": STATUS_URL,
        },
    }
    return proofs.di_sign(
        unsigned, private_key=key, verification_method=method, created="2025-01-01T00:00:00Z"
    )


def test_other_issuers_credential_verifies_when_its_keys_can_be_fetched():
    fetcher = InMemoryDocumentFetcher({DID_URL: _did_document(), STATUS_URL: _status_list(set())})
    report = verification.verify_json(_credential(), fetcher=fetcher)
    assert report.valid, report.as_dict()
    assert DID_URL in fetcher.requested and STATUS_URL in fetcher.requested


def test_other_issuers_revocation_is_detected_from_its_signed_status_list():
    fetcher = InMemoryDocumentFetcher({DID_URL: _did_document(), STATUS_URL: _status_list({5})})
    report = verification.verify_json(_credential(), fetcher=fetcher)
    assert not report.valid
    assert not report.checks["status"].ok
    assert report.checks["proof"].ok


def test_unreachable_issuer_keys_make_the_proof_fail_with_the_reason():
    report = verification.verify_json(_credential(), fetcher=InMemoryDocumentFetcher({}))
    assert not report.checks["proof"].ok
    assert "could not be fetched" in report.checks["proof"].reason


def test_a_key_controlled_by_someone_else_fails_the_issuer_check():
    impostor = Ed25519PrivateKey.generate()
    other_did = "did:web:evil.example"
    other_method = f"{other_did}#k"
    document = _did_document(other_method, impostor) | {"id": other_did}
    document["verificationMethod"][0]["controller"] = other_did
    fetcher = InMemoryDocumentFetcher(
        {"https://evil.example/.well-known/did.json": document, STATUS_URL: _status_list(set())}
    )
    report = verification.verify_json(
        _credential(method=other_method, key=impostor), fetcher=fetcher
    )
    assert report.checks["proof"].ok
    assert not report.checks["issuer"].ok
    assert not report.valid


def test_a_method_not_listed_for_assertion_is_refused():
    document = _did_document()
    document["assertionMethod"] = []
    document["authentication"] = [METHOD]
    document["assertionMethod"] = [f"{DID}#another"]
    fetcher = InMemoryDocumentFetcher({DID_URL: document, STATUS_URL: _status_list(set())})
    assert not verification.verify_json(_credential(), fetcher=fetcher).checks["proof"].ok


def test_other_issuers_vc_jwt_verifies_with_a_jwk_from_its_did_document():
    rsa_key = jwk.JWK.generate(kty="RSA", size=2048)
    method = f"{DID}#rsa-1"
    document = _did_document()
    document["verificationMethod"].append(
        {
            "id": method,
            "type": "JsonWebKey",
            "controller": DID,
            "publicKeyJwk": rsa_key.export_public(as_dict=True),
        }
    )
    document["assertionMethod"].append(method)
    credential = {k: v for k, v in _credential().items() if k != "proof"}
    payload = {**credential, "iss": DID, "jti": credential["id"], "nbf": 1735689600}
    token = proofs.jwt_sign(payload, key=rsa_key, kid=method, alg="RS256")
    fetcher = InMemoryDocumentFetcher({DID_URL: document, STATUS_URL: _status_list(set())})
    report = verification.verify_jwt(token, fetcher=fetcher)
    assert report.valid, report.as_dict()
    legacy = proofs.jwt_sign(
        {"vc": credential, "iss": DID, "nbf": 1735689600}, key=rsa_key, kid=method, alg="RS256"
    )
    assert verification.verify_jwt(legacy, fetcher=fetcher).valid


def test_unsupported_cryptosuites_and_contexts_are_reported():
    credential = _credential()
    credential["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    report = verification.verify_json(credential, fetcher=InMemoryDocumentFetcher({}))
    assert "Unsupported proof" in report.checks["proof"].reason
    unknown = _credential()
    unknown["@context"] = [*CONTEXT, "https://example.org/unknown-context.json"]
    fetcher = InMemoryDocumentFetcher({DID_URL: _did_document(), STATUS_URL: _status_list(set())})
    report = verification.verify_json(unknown, fetcher=fetcher)
    assert "context" in report.checks["proof"].reason


def test_undefined_terms_cannot_ride_along_unsigned():
    credential = _credential()
    credential["credentialSubject"]["achievement"]["grade"] = "10"  # not in any context
    fetcher = InMemoryDocumentFetcher({DID_URL: _did_document(), STATUS_URL: _status_list(set())})
    report = verification.verify_json(credential, fetcher=fetcher)
    assert not report.checks["proof"].ok
    assert "grade" in report.checks["proof"].reason


# --- contract test of the HTTP adapter against a real local server ----------------------------
@pytest.fixture
def local_server():
    documents = {"/did.json": _did_document(), "/broken": "not json"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in documents:
                self.send_response(404)
                self.end_headers()
                return
            body = documents[self.path]
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_fetcher_reads_json_from_a_real_server(local_server):
    fetcher = HttpDocumentFetcher(timeout=5, allow_private=True)
    assert fetcher.fetch_json(f"{local_server}/did.json")["id"] == DID
    with pytest.raises(FetchError, match="404"):
        fetcher.fetch_json(f"{local_server}/missing")
    with pytest.raises(FetchError, match="not JSON"):
        fetcher.fetch_json(f"{local_server}/broken")


def test_http_fetcher_refuses_private_addresses_and_other_schemes(local_server):
    fetcher = HttpDocumentFetcher(timeout=5)
    with pytest.raises(FetchError, match="non-public"):
        fetcher.fetch_json(f"{local_server}/did.json")
    with pytest.raises(FetchError, match="only http"):
        fetcher.fetch_json("file:///etc/passwd")


def test_http_fetcher_reports_unreachable_hosts():
    fetcher = HttpDocumentFetcher(timeout=1, allow_private=True)
    with pytest.raises(FetchError):
        fetcher.fetch_json("http://127.0.0.1:9/nothing")
