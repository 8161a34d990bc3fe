"""Proof formats of Open Badges 3.0: Data Integrity ``eddsa-rdfc-2022`` and VC-JWT.

Pure functions over dicts and ``cryptography`` keys; nothing here touches the database, so the
1EdTech test vector and the benchmark exercise exactly the code that signs real credentials.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwcrypto import jwk, jws
from jwcrypto.common import JWException, json_decode

from common import json_input
from credentials.jsonld import UnknownContextError, canonicalize

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58_ALPHABET)}
ED25519_PUB_MULTICODEC = b"\xed\x01"


# --- multibase (base58-btc, prefix "z") -------------------------------------------------------
def base58btc_encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) encoding, leading zero bytes kept as ``1``."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58_ALPHABET[rest])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    """Inverse of ``base58btc_encode``; raises ``ValueError`` on a foreign character."""
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"invalid base58 character {char!r}")
        number = number * 58 + _B58_INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def multibase_encode(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def multibase_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("only base58-btc multibase values (prefix 'z') are supported")
    return base58btc_decode(text[1:])


def ed25519_public_multibase(public_key: Ed25519PublicKey) -> str:
    """``publicKeyMultibase`` of a Multikey: multicodec 0xed01 + raw key, base58-btc."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_encode(ED25519_PUB_MULTICODEC + raw)


def ed25519_public_from_multibase(value: str) -> Ed25519PublicKey:
    raw = multibase_decode(value)
    if not raw.startswith(ED25519_PUB_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# --- Data Integrity eddsa-rdfc-2022 -----------------------------------------------------------
@dataclass(frozen=True)
class ProofCheck:
    """Outcome of one proof check: ``ok`` and a human-readable ``reason``."""

    ok: bool
    reason: str
    verification_method: str = ""


def _proof_config(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in document:
        config["@context"] = document["@context"]
    return config


def hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """SHA-256(canonical proof config) ‖ SHA-256(canonical document), as the suite signs."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_hash = hashlib.sha256(canonicalize(_proof_config(document, proof)).encode()).digest()
    doc_hash = hashlib.sha256(canonicalize(unsecured).encode()).digest()
    return proof_hash + doc_hash


def di_sign(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return a copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added."""
    proof = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(hash_data(document, proof))
    proof["proofValue"] = multibase_encode(signature)
    signed = {key: value for key, value in document.items() if key != "proof"}
    signed["proof"] = proof
    return signed


def di_verify(
    document: dict[str, Any], resolve_key: Callable[[str], Ed25519PublicKey | None]
) -> ProofCheck:
    """Verify the ``eddsa-rdfc-2022`` proof of ``document``.

    ``resolve_key`` maps a ``verificationMethod`` to the Ed25519 public key, or None when the
    method cannot be dereferenced (unknown key, other issuer unreachable).
    """
    proofs = document.get("proof")
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not isinstance(proofs, list) or not proofs:
        return ProofCheck(False, "The credential carries no Data Integrity proof.")
    reasons = []
    for proof in proofs:
        if not isinstance(proof, dict):
            reasons.append("A proof is not an object.")
            continue
        if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
            reasons.append(
                f"Unsupported proof {proof.get('type')}/{proof.get('cryptosuite')}; "
                f"only {PROOF_TYPE}/{CRYPTOSUITE} is verified."
            )
            continue
        if proof.get("proofPurpose") != "assertionMethod":
            reasons.append("The proof purpose is not assertionMethod.")
            continue
        method = proof.get("verificationMethod")
        if not isinstance(method, str) or not method:
            reasons.append("The proof names no verificationMethod.")
            continue
        try:
            public_key = resolve_key(method)
        except Exception as exc:  # network adapters raise their own errors
            reasons.append(f"The key {method} could not be fetched: {exc}")
            continue
        if public_key is None:
            reasons.append(f"The key {method} is not published by the issuer.")
            continue
        try:
            signature = multibase_decode(str(proof.get("proofValue", "")))
            data = hash_data(document, proof)
        except UnknownContextError as exc:
            reasons.append(f"The credential uses a JSON-LD context this verifier lacks: {exc}")
            continue
        except Exception as exc:  # malformed JSON-LD makes canonicalisation fail
            reasons.append(f"The credential could not be canonicalised: {exc}")
            continue
        try:
            public_key.verify(signature, data)
        except InvalidSignature:
            reasons.append("The Data Integrity signature does not match the credential.")
            continue
        return ProofCheck(True, f"Signature verified with {method}.", method)
    return ProofCheck(False, " ".join(reasons))


# --- VC-JWT -----------------------------------------------------------------------------------
def jwt_sign(payload: dict[str, Any], *, key: jwk.JWK, kid: str, alg: str) -> str:
    """Compact JWS of ``payload`` (JSON, sorted keys) with header ``alg``, ``kid``, ``typ``."""
    token = jws.JWS(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    token.add_signature(key, alg=alg, protected={"alg": alg, "kid": kid, "typ": "JWT"})
    return token.serialize(compact=True)


def jwt_unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS without checking the signature (to find the key)."""
    import base64

    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("a compact JWS has three dot-separated parts")

    def decode(segment: str) -> dict[str, Any]:
        padded = segment + "=" * (-len(segment) % 4)
        value = json_input.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, dict):
            raise ValueError("a JWS segment is not a JSON object")
        return value

    return decode(parts[0]), decode(parts[1])


ALLOWED_JWT_ALGS = ("EdDSA", "RS256", "PS256", "ES256")


def jwt_verify(
    token: str, resolve_key: Callable[[str], jwk.JWK | None]
) -> tuple[ProofCheck, dict[str, Any] | None]:
    """Verify a VC-JWT; return the check and the verified payload (None when it fails)."""
    try:
        header, _ = jwt_unverified_parts(token)
    except (ValueError, UnicodeDecodeError) as exc:
        return ProofCheck(False, f"The JWT is malformed: {exc}"), None
    alg = header.get("alg")
    if alg not in ALLOWED_JWT_ALGS:
        return ProofCheck(False, f"The JWT algorithm {alg!r} is not accepted."), None
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        return ProofCheck(False, "The JWT header has no kid to find the issuer's key."), None
    try:
        key = resolve_key(kid)
    except Exception as exc:
        return ProofCheck(False, f"The key {kid} could not be fetched: {exc}"), None
    if key is None:
        return ProofCheck(False, f"The key {kid} is not published by the issuer."), None
    verifier = jws.JWS()
    try:
        verifier.deserialize(token.strip())
        verifier.verify(key, alg=alg)
    except (JWException, ValueError) as exc:
        return ProofCheck(False, f"The JWT signature does not verify: {exc}"), None
    payload = json_decode(verifier.payload)
    if not isinstance(payload, dict):
        return ProofCheck(False, "The JWT payload is not a JSON object."), None
    return ProofCheck(True, f"JWT signature verified with {kid}.", kid), payload
