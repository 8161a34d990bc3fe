"""multipart/mixed requests and responses, attachment hashes and signed statements (JWS)."""

from __future__ import annotations

import hashlib
import uuid
from email import errors as email_errors
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from .errors import XAPIError
from .statements import statements_equivalent
from .validation import MAX_MEDIA_TYPE_LENGTH, parse_json

__all__ = [
    "SIGNATURE_USAGE",
    "build_multipart",
    "check_attachments",
    "parse_multipart",
]

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
_BOUNDARY_DEFECTS = (
    email_errors.CloseBoundaryNotFoundDefect,
    email_errors.StartBoundaryNotFoundDefect,
)
_HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def _body(part: Message) -> bytes:
    """A part's decoded body; empty for a nested multipart (``email`` gives ``None`` then)."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def parse_multipart(body: bytes, content_type: str) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """Split a multipart/mixed statement request into the statement JSON and the raw parts,
    keyed by their ``X-Experience-API-Hash``."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise XAPIError(400, "malformed multipart/mixed body", rule="attachments.multipart")
    if any(isinstance(defect, _BOUNDARY_DEFECTS) for defect in message.defects):
        # A body cut short (no closing boundary) may have lost the end of its last part.
        raise XAPIError(
            400,
            "multipart/mixed body lacks its opening or closing boundary",
            path="body",
            rule="attachments.multipart",
        )
    parts = list(message.iter_parts())
    if not parts:
        raise XAPIError(400, "empty multipart/mixed body", rule="attachments.multipart")
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise XAPIError(
            400, "the first part must be application/json", rule="attachments.first_part"
        )
    statements = parse_json(_body(first))
    payloads: dict[str, tuple[str, bytes]] = {}
    for index, part in enumerate(parts[1:], start=1):
        sha2 = part.get("X-Experience-API-Hash")
        if not sha2:
            raise XAPIError(
                400,
                f"part {index} lacks X-Experience-API-Hash",
                path=f"attachments[{index}]",
                rule="attachments.hash_header",
            )
        encoding = (part.get("Content-Transfer-Encoding") or "binary").lower()
        if encoding != "binary":
            raise XAPIError(
                400,
                "attachment parts must use Content-Transfer-Encoding: binary",
                path=f"attachments[{index}]",
                rule="attachments.binary",
            )
        content = _body(part)
        sha2 = sha2.strip().lower()
        digest = _HASHES.get(len(sha2))
        if digest is None or digest(content).hexdigest() != sha2:
            raise XAPIError(
                400,
                f"part {index} does not match its X-Experience-API-Hash",
                path=f"attachments[{index}]",
                rule="attachments.sha2",
            )
        part_type = part.get_content_type()
        if len(part_type) > MAX_MEDIA_TYPE_LENGTH:
            raise XAPIError(
                400,
                f"part {index} has a Content-Type longer than {MAX_MEDIA_TYPE_LENGTH} characters",
                path=f"attachments[{index}]",
                rule="length.max",
            )
        payloads[sha2] = (part_type, content)
    return statements, payloads


def _all_attachments(statement: dict) -> list[dict]:
    found = list(statement.get("attachments") or ())
    obj = statement["object"]
    if obj.get("objectType") == "SubStatement":
        found.extend(obj.get("attachments") or ())
    return found


def check_attachments(
    statements: list[dict], payloads: dict[str, tuple[str, bytes]], *, version: str = "1.0.3"
) -> None:
    """Every attachment without fileUrl needs its part; every part needs its attachment;
    signature attachments must verify (compared as ``version`` compares statements)."""
    declared: set[str] = set()
    for index, statement in enumerate(statements):
        for position, attachment in enumerate(_all_attachments(statement)):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if sha2 not in payloads and "fileUrl" not in attachment:
                raise XAPIError(
                    400,
                    "an attachment without fileUrl needs its content in a multipart part",
                    path=f"statements[{index}].attachments[{position}].sha2",
                    rule="attachments.missing_part",
                )
            if attachment["usageType"] == SIGNATURE_USAGE and sha2 in payloads:
                if attachment["contentType"] != "application/octet-stream":
                    raise XAPIError(
                        400,
                        "a signature attachment must be application/octet-stream",
                        path=f"statements[{index}].attachments[{position}].contentType",
                        rule="signature.content_type",
                    )
                verify_signature(statement, payloads[sha2][1], index, version=version)
    for sha2 in payloads:
        if sha2 not in declared:
            raise XAPIError(
                400,
                "a part matches no attachment of the statements",
                path="attachments",
                rule="attachments.unexpected_part",
            )


def verify_signature(statement: dict, token: bytes, index: int, *, version: str = "1.0.3") -> None:
    """Check a JWS signature attachment: RS256/384/512, payload equivalent to the statement
    (under the comparison rules of the request's xAPI ``version``: 2.0.0 compares durations
    to 0.01 s), and the signature valid for the x5c certificate when one is given."""
    from jwcrypto import jwk, jws
    from jwcrypto.common import JWException

    path = f"statements[{index}].attachments"
    try:
        signed = jws.JWS()
        signed.deserialize(token.decode("ascii").strip())
        header = signed.jose_header
        if isinstance(header, list):
            raise ValueError("one signature expected")
        alg = header.get("alg")
        if alg not in ("RS256", "RS384", "RS512"):
            raise XAPIError(
                400,
                "signature algorithm must be RS256, RS384 or RS512",
                path=path,
                rule="signature.alg",
            )
        payload = signed.objects.get("payload")
        if isinstance(payload, str):
            payload = payload.encode()
        if not isinstance(payload, bytes):
            raise TypeError("the signature carries no payload")
        original = parse_json(payload, path)
        if "x5c" in header:
            from base64 import b64decode

            from cryptography import x509
            from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

            certificate = x509.load_der_x509_certificate(b64decode(header["x5c"][0]))
            public_key = certificate.public_key()
            if not isinstance(public_key, RSAPublicKey):  # RS256/384/512 need an RSA key
                raise ValueError("the x5c certificate does not hold an RSA key")
            key = jwk.JWK.from_pyca(public_key)
            signed.verify(key, alg=alg)
    except XAPIError:
        raise
    except (
        JWException,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        UnicodeDecodeError,
        # jwcrypto parses the protected header with the plain json module.
        RecursionError,
    ) as exc:
        raise XAPIError(
            400, f"malformed or invalid signature: {exc}", path=path, rule="signature.invalid"
        ) from exc
    if not isinstance(original, dict):
        raise XAPIError(
            400, "the signed payload is not a statement", path=path, rule="signature.payload"
        )
    received = {k: v for k, v in statement.items() if k != "attachments"}
    original = {k: v for k, v in original.items() if k != "attachments"}
    for name in ("id", "timestamp"):
        if name not in original:
            received.pop(name, None)
    if not statements_equivalent(original, received, version=version):
        raise XAPIError(
            400,
            "the signed statement differs from the statement",
            path=path,
            rule="signature.mismatch",
        )


def build_multipart(first: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed body: the JSON first, then each (sha2, content type, content)."""
    boundary = uuid.uuid4().hex
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        first,
        b"\r\n",
    ]
    for sha2, content_type, content in attachments:
        chunks.append(
            (
                f"--{boundary}\r\nContent-Type: {content_type}\r\n"
                f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n"
            ).encode()
        )
        chunks.append(content)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'
