"""Settings the credentials app reads, with their defaults (all prefixed ``LMS_``)."""

from __future__ import annotations

from typing import Any

from common.appconf import AppSettings

DEFAULTS: dict[str, Any] = {
    # PEM (or base64 of a PEM) private keys supplied by the operator; empty = generated per issuer.
    "LMS_SIGNING_KEY_ED25519": "",
    "LMS_SIGNING_KEY_RSA": "",
    # Secret that encrypts private keys at rest (Fernet); empty = stored as PEM (embedded only).
    "LMS_KEY_ENCRYPTION_KEY": "",
    # When False, storing a generated private key without LMS_KEY_ENCRYPTION_KEY is refused.
    "LMS_ALLOW_PLAINTEXT_SIGNING_KEYS": True,
    # Adapter that fetches other issuers' public documents (keys, DID documents, status lists).
    "LMS_CREDENTIALS_FETCHER": "integrations.http_documents.HttpDocumentFetcher",
    "LMS_CREDENTIALS_FETCH_TIMEOUT": 5.0,
    # Public verifications per client address (DRF rate syntax).
    "LMS_CREDENTIALS_VERIFY_RATE": "120/min",
    # Slug of the issuer used when an achievement names none (SEP).
    "LMS_DEFAULT_ISSUER_SLUG": "sep",
}


app_settings = AppSettings("credentials", DEFAULTS)


def get(name: str) -> Any:
    """The setting ``name`` from Django settings, or its default here."""
    return app_settings.get(name)


def site_url() -> str:
    """The site's public address (``LMS_SITE_URL``, the host project's setting)."""
    from django.conf import settings

    return str(getattr(settings, "LMS_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
