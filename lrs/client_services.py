"""Writes on LRS clients (credentials for activity providers)."""

from __future__ import annotations

from django.db import transaction

from lrs.models import LRS_SCOPES, LRSClient

from .auth import generate_credentials, hash_secret

__all__ = ["lrs_client_create", "lrs_client_rotate_secret"]


@transaction.atomic
def lrs_client_create(*, name: str, scopes: list[str]) -> tuple[LRSClient, str]:
    """Create a client; return it and its secret (shown once, only its hash is stored)."""
    unknown = set(scopes) - set(LRS_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    key, secret = generate_credentials()
    client = LRSClient.objects.create(
        name=name, key=key, secret_hash=hash_secret(secret), scopes=sorted(set(scopes))
    )
    return client, secret


@transaction.atomic
def lrs_client_rotate_secret(*, client: LRSClient) -> str:
    """Give a client a new secret; the old one stops working at once."""
    _, secret = generate_credentials()
    client.secret_hash = hash_secret(secret)
    client.save(update_fields=["secret_hash"])
    return secret
