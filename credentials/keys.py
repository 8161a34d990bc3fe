"""Private key material: generation, sealing at rest, and keys supplied from the environment.

Sealing: with ``LMS_KEY_ENCRYPTION_KEY`` set, a private key is stored as a Fernet token
(AES-128-CBC + HMAC-SHA256) and decrypted only in memory to sign. Without it (the embedded
default) the PEM is stored as is, prefixed ``plain:``, which is acceptable on a developer's
laptop and refused when ``LMS_ALLOW_PLAINTEXT_SIGNING_KEYS`` is False (set it so in
production). Keys from ``LMS_SIGNING_KEY_ED25519`` / ``LMS_SIGNING_KEY_RSA`` never touch the
database: the row keeps only the public part and ``env:`` as its sealed value.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwcrypto import jwk

from credentials import conf

ED25519 = "ed25519"
RSA = "rsa"
ENV_SETTING = {ED25519: "LMS_SIGNING_KEY_ED25519", RSA: "LMS_SIGNING_KEY_RSA"}
JWT_ALG = {ED25519: "EdDSA", RSA: "RS256"}

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


class KeyConfigurationError(RuntimeError):
    """Key material is missing, unreadable, or would be stored unprotected when forbidden."""


def generate_private_key(algorithm: str) -> PrivateKey:
    if algorithm == ED25519:
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == RSA:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise KeyConfigurationError(f"unknown key algorithm {algorithm!r}")


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_pem(data: bytes | str) -> PrivateKey:
    """Load a PEM private key; also accepts the PEM base64-encoded (handy in env files)."""
    raw = data.encode() if isinstance(data, str) else data
    raw = raw.strip()
    if not raw.startswith(b"-----BEGIN"):
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyConfigurationError("the key is neither PEM nor base64 of a PEM") from exc
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except ValueError as exc:
        raise KeyConfigurationError(f"unreadable private key: {exc}") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise KeyConfigurationError("only Ed25519 and RSA private keys are supported")
    return key


def algorithm_of(key: PrivateKey) -> str:
    return ED25519 if isinstance(key, ed25519.Ed25519PrivateKey) else RSA


def public_jwk(key: PrivateKey) -> dict[str, str]:
    """Public JWK (RFC 7517) of ``key``, with ``kid`` = its RFC 7638 thumbprint."""
    public = jwk.JWK.from_pem(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    data = public.export_public(as_dict=True)
    data["kid"] = public.thumbprint()
    data["alg"] = JWT_ALG[algorithm_of(key)]
    data["use"] = "sig"
    return data


def _fernet() -> Fernet | None:
    secret = str(conf.get("LMS_KEY_ENCRYPTION_KEY") or "")
    if not secret:
        return None
    try:
        return Fernet(secret.encode())
    except (ValueError, binascii.Error):
        # Any other secret string is stretched to a Fernet key; it must be high-entropy.
        derived = hashlib.sha256(b"capacita-signing-keys:" + secret.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(derived))


def seal(key: PrivateKey) -> str:
    """The value to store for a generated private key (never plain text when forbidden)."""
    fernet = _fernet()
    pem = private_pem(key)
    if fernet is not None:
        return "fernet:" + fernet.encrypt(pem).decode()
    if not conf.get("LMS_ALLOW_PLAINTEXT_SIGNING_KEYS"):
        raise KeyConfigurationError(
            "Refusing to store a private key in plain text: set LMS_KEY_ENCRYPTION_KEY or "
            "supply LMS_SIGNING_KEY_ED25519 / LMS_SIGNING_KEY_RSA."
        )
    return "plain:" + pem.decode()


def unseal(sealed: str, *, algorithm: str) -> PrivateKey:
    """The private key behind a stored value (``fernet:``, ``plain:`` or ``env:``)."""
    if sealed.startswith("fernet:"):
        fernet = _fernet()
        if fernet is None:
            raise KeyConfigurationError("LMS_KEY_ENCRYPTION_KEY is needed to use this key")
        try:
            return _load_cached(fernet.decrypt(sealed[7:].encode()))
        except InvalidToken as exc:
            raise KeyConfigurationError("LMS_KEY_ENCRYPTION_KEY does not open this key") from exc
    if sealed.startswith("plain:"):
        return _load_cached(sealed[6:].encode())
    if sealed == "env:":
        key = env_private_key(algorithm)
        if key is None:
            raise KeyConfigurationError(f"{ENV_SETTING[algorithm]} is no longer set")
        return key
    raise KeyConfigurationError("unknown sealed key format")


@functools.lru_cache(maxsize=64)
def _load_cached(pem: bytes) -> PrivateKey:
    # Parsing an RSA PEM costs ~1 ms; signing many credentials reuses the parsed key.
    return load_private_pem(pem)


def env_private_key(algorithm: str) -> PrivateKey | None:
    """The operator-supplied key for ``algorithm``, or None when its variable is empty."""
    value = str(conf.get(ENV_SETTING[algorithm]) or "")
    if not value:
        return None
    key = _load_cached(value.encode())
    if algorithm_of(key) != algorithm:
        raise KeyConfigurationError(f"{ENV_SETTING[algorithm]} does not hold a {algorithm} key")
    return key


def jwk_private(key: PrivateKey) -> jwk.JWK:
    return _jwk_private_cached(private_pem(key))


@functools.lru_cache(maxsize=64)
def _jwk_private_cached(pem: bytes) -> jwk.JWK:
    return jwk.JWK.from_pem(pem)
