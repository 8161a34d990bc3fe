"""Attachments (Data 2.4.11, Communication 1.5) and signed statements (Data 2.6)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from lrs.attachments import SIGNATURE_USAGE, build_multipart
from lrs.models import LRSAttachment, Statement
from tests.lrs.xapi_fixtures import new_id, statement

pytestmark = pytest.mark.django_db

TEXT = b"here is a simple attachment"
TEXT_SHA = hashlib.sha256(TEXT).hexdigest()


def header(content: bytes, usage: str = "http://e.x/usage", content_type: str = "text/plain"):
    return {
        "usageType": usage,
        "display": {"en-US": "A test attachment"},
        "contentType": content_type,
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }


def post_multipart(xapi, statements, parts, method="post", params=None):
    body, content_type = build_multipart(json.dumps(statements).encode(), parts)
    return getattr(xapi, method)("statements", body, params=params, content_type=content_type)


def test_multipart_statement_with_attachment_is_stored_and_returned(xapi):
    data = statement(attachments=[header(TEXT)])
    response = post_multipart(xapi, data, [(TEXT_SHA, "text/plain", TEXT)])
    assert response.status_code == 200, response.content
    sid = response.json()[0]
    assert LRSAttachment.objects.get(sha2=TEXT_SHA).file.read() == TEXT

    response = xapi.get("statements", {"statementId": sid, "attachments": "true"})
    assert response["Content-Type"].startswith("multipart/mixed")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + response["Content-Type"].encode() + b"\r\n\r\n" + response.content
    )
    parts = list(message.iter_parts())
    assert json.loads(parts[0].get_payload(decode=True))["id"] == sid
    assert parts[1]["X-Experience-API-Hash"] == TEXT_SHA
    assert parts[1].get_payload(decode=True) == TEXT
    # Without attachments=true the answer is plain JSON.
    plain = xapi.get("statements", {"statementId": sid})
    assert plain["Content-Type"] == "application/json"


def test_put_with_multipart(xapi):
    sid = new_id()
    response = post_multipart(
        xapi,
        statement(attachments=[header(TEXT)]),
        [(TEXT_SHA, "text/plain", TEXT)],
        method="put",
        params={"statementId": sid},
    )
    assert response.status_code == 204


def test_file_url_only_attachments_need_no_part(xapi):
    attachment = {**header(TEXT), "fileUrl": "https://files.example/a.txt"}
    assert xapi.post("statements", statement(attachments=[attachment])).status_code == 200


def test_attachment_without_its_part_is_rejected(xapi):
    response = xapi.post("statements", statement(attachments=[header(TEXT)]))
    assert response.status_code == 400
    assert response.json()["rule"] == "attachments.missing_part"
    response = post_multipart(xapi, statement(attachments=[header(TEXT)]), [])
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_part_not_matching_its_hash_is_rejected(xapi):
    response = post_multipart(
        xapi, statement(attachments=[header(TEXT)]), [(TEXT_SHA, "text/plain", b"tampered")]
    )
    assert response.status_code == 400
    assert response.json()["rule"] == "attachments.sha2"
    assert Statement.objects.count() == 0 and LRSAttachment.objects.count() == 0


def test_part_without_a_statement_attachment_is_rejected(xapi):
    response = post_multipart(xapi, statement(), [(TEXT_SHA, "text/plain", TEXT)])
    assert response.status_code == 400
    assert response.json()["rule"] == "attachments.unexpected_part"


def test_part_without_hash_header_is_rejected(xapi):
    boundary = "xyz"
    body = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps(statement(attachments=[header(TEXT)]))
        + f"\r\n--{boundary}\r\nContent-Type: text/plain\r\n"
        "Content-Transfer-Encoding: binary\r\n\r\n" + TEXT.decode() + f"\r\n--{boundary}--"
    ).encode()
    response = xapi.post("statements", body, content_type=f"multipart/mixed; boundary={boundary}")
    assert response.status_code == 400
    assert response.json()["rule"] == "attachments.hash_header"


def test_attachments_go_to_s3_when_configured(xapi, s3_storage):
    response = post_multipart(
        xapi, statement(attachments=[header(TEXT)]), [(TEXT_SHA, "text/plain", TEXT)]
    )
    assert response.status_code == 200
    stored = LRSAttachment.objects.get(sha2=TEXT_SHA)
    listing = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])
    assert stored.file.name in [obj["Key"] for obj in listing.get("Contents", [])]
    assert stored.file.read() == TEXT


# --- signed statements -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key_and_cert():
    return make_rsa_key_and_cert()


def make_rsa_key_and_cert() -> tuple[bytes, str]:
    """A 2048-bit RSA key (PEM) and a self-signed certificate for it (base64 DER, as x5c)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def sign(payload: dict, pem: bytes, x5c: str | None, alg: str = "RS256") -> bytes:
    from jwcrypto import jwk, jws

    key = jwk.JWK.from_pem(pem)
    token = jws.JWS(json.dumps(payload).encode())
    protected = {"alg": alg}
    if x5c:
        protected["x5c"] = [x5c]
    token.add_signature(key, alg, protected=json.dumps(protected))
    return token.serialize(compact=True).encode()


def signed_request(xapi, original: dict, token: bytes):
    sha = hashlib.sha256(token).hexdigest()
    data = dict(original)
    data["attachments"] = [
        {
            "usageType": SIGNATURE_USAGE,
            "display": {"en-US": "Signature"},
            "contentType": "application/octet-stream",
            "length": len(token),
            "sha2": sha,
        }
    ]
    return post_multipart(xapi, data, [(sha, "application/octet-stream", token)])


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_valid_signed_statement_is_accepted(xapi, rsa_key_and_cert, alg):
    pem, x5c = rsa_key_and_cert
    original = statement(id=new_id())
    response = signed_request(xapi, original, sign(original, pem, x5c, alg))
    assert response.status_code == 200, response.content


def test_signed_statement_without_certificate_is_checked_for_equivalence(xapi, rsa_key_and_cert):
    pem, _ = rsa_key_and_cert
    original = statement(id=new_id())
    assert signed_request(xapi, original, sign(original, pem, None)).status_code == 200
    other = {**original, "id": new_id(), "verb": {"id": "http://e.x/other"}}
    assert signed_request(xapi, other, sign(original, pem, None)).status_code == 400


def test_signature_over_a_different_statement_is_rejected(xapi, rsa_key_and_cert):
    pem, x5c = rsa_key_and_cert
    original = statement(id=new_id())
    tampered = {**original, "result": {"success": True}}
    response = signed_request(xapi, tampered, sign(original, pem, x5c))
    assert response.status_code == 400
    assert response.json()["rule"] == "signature.mismatch"
    assert Statement.objects.count() == 0


def test_bad_signature_is_rejected(xapi, rsa_key_and_cert):
    pem, x5c = rsa_key_and_cert
    original = statement(id=new_id())
    token = sign(original, pem, x5c)
    head, payload, signature = token.split(b".")
    forged = b".".join([head, payload, signature[:-6] + b"AAAAAA"])
    response = signed_request(xapi, original, forged)
    assert response.status_code == 400
    assert response.json()["rule"] == "signature.invalid"
    response = signed_request(xapi, original, b"not a jws")
    assert response.status_code == 400
    assert Statement.objects.count() == 0


def test_signature_with_a_disallowed_algorithm_is_rejected(xapi):
    from jwcrypto import jwk, jws

    original = statement(id=new_id())
    key = jwk.JWK.generate(kty="oct", size=256)
    token = jws.JWS(json.dumps(original).encode())
    token.add_signature(key, "HS256", protected=json.dumps({"alg": "HS256"}))
    response = signed_request(xapi, original, token.serialize(compact=True).encode())
    assert response.status_code == 400
    assert response.json()["rule"] == "signature.alg"
