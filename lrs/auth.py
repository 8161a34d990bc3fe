"""Who is calling the LRS: an LRS client (HTTP Basic) or a signed-in learner (session)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from lrs import conf
from lrs.cmi5 import cmi5_session_for_token, is_token_key
from lrs.models import Cmi5Session, LRSClient

from .errors import XAPIError
from .statements import agent_ifi

__all__ = [
    "Principal",
    "authenticate",
    "client_authority",
    "generate_credentials",
    "hash_secret",
    "lms_authority",
]

# Fixed HMAC key: it separates these digests from any other SHA-256 of the same bytes. The
# secrets are 256-bit random values, so no slow password hash is needed to protect them.
_SECRET_HMAC_KEY = b"capacita.lrs.client-secret.v1"
_LEARNER_SCOPES = frozenset(("statements/write", "statements/read/mine", "state", "profile"))
# An AU holding its session's token (cmi5 section 8.2): its own statements, the State
# documents of its launch, its learner's preferences. The views narrow each to the session.
_AU_SCOPES = frozenset(("statements/write", "statements/read/mine", "state", "profile"))
# How stale a session's last activity may be before a request through its token refreshes
# it (the abandonment sweep reads it): one write per AU per half minute at most.
_ACTIVITY_REFRESH = timedelta(seconds=30)


def hash_secret(secret: str) -> str:
    return hmac.new(_SECRET_HMAC_KEY, secret.encode(), hashlib.sha256).hexdigest()


def generate_credentials() -> tuple[str, str]:
    """A new (key, secret) pair; only the secret's hash is ever stored."""
    return secrets.token_hex(16), secrets.token_urlsafe(32)


def client_authority(client: LRSClient) -> dict:
    return {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": conf.site_url(), "name": f"lrs-client:{client.key}"},
    }


def lms_authority() -> dict:
    """The authority of statements Capacita itself asserts (learner pages, services)."""
    return {
        "objectType": "Agent",
        "name": "Capacita",
        "account": {"homePage": conf.site_url(), "name": "capacita"},
    }


@dataclass
class Principal:
    authority: dict
    scopes: frozenset[str]
    client: LRSClient | None = None
    user_id: int | None = None
    learner_actor: dict | None = None
    learner_ifi: str | None = field(default=None)
    cmi5_session: Cmi5Session | None = None

    def can(self, *wanted: str) -> bool:
        return "all" in self.scopes or bool(self.scopes.intersection(wanted))

    def require(self, *wanted: str) -> None:
        if not self.can(*wanted):
            raise XAPIError(403, f"needs one of the scopes: {', '.join(wanted)}", rule="scope")


# Clients looked up in the last few seconds, by key: the statement hot path then needs no
# query for authentication. Saving or deleting a client clears this process's cache at once;
# other processes see the change within _CLIENT_TTL seconds.
_CLIENT_TTL = 5.0
_CLIENTS: dict[str, tuple[float, LRSClient | None]] = {}


def _client_for_key(key: str) -> LRSClient | None:
    now = time.monotonic()
    cached = _CLIENTS.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    client = LRSClient.objects.filter(key=key, active=True).first()
    if len(_CLIENTS) > 10_000:
        _CLIENTS.clear()
    _CLIENTS[key] = (now + _CLIENT_TTL, client)
    return client


def _forget_clients(**kwargs: object) -> None:
    _CLIENTS.clear()


post_save.connect(_forget_clients, sender=LRSClient, dispatch_uid="lrs-client-cache-save")
post_delete.connect(_forget_clients, sender=LRSClient, dispatch_uid="lrs-client-cache-delete")


def _basic(header: str) -> Principal:
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip()).decode()
        key, secret = decoded.split(":", 1)
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise XAPIError(401, "malformed Basic credentials", rule="auth") from exc
    if is_token_key(key):
        return _au(key, secret)
    client = _client_for_key(key)
    if client is None or not hmac.compare_digest(client.secret_hash, hash_secret(secret)):
        raise XAPIError(401, "invalid credentials", rule="auth")
    return Principal(
        authority=client_authority(client), scopes=frozenset(client.scopes or ()), client=client
    )


def _au(key: str, secret: str) -> Principal:
    session = cmi5_session_for_token(key, secret)
    if session is None:
        raise XAPIError(401, "invalid or expired cmi5 session token", rule="auth")
    now = timezone.now()
    if now - session.last_activity_at > _ACTIVITY_REFRESH:
        Cmi5Session.objects.filter(pk=session.pk).update(last_activity_at=now)
    return Principal(
        authority=lms_authority(),
        scopes=_AU_SCOPES,
        learner_actor=session.actor,
        learner_ifi=session.actor_ifi,
        cmi5_session=session,
    )


def _no_response(request: HttpRequest) -> HttpResponse:
    """The view and next handler the CSRF middleware is given: it only checks, never calls."""
    raise AssertionError("the CSRF check calls no view")


def authenticate(request: HttpRequest, headers: dict[str, str], *, unsafe: bool) -> Principal:
    """Resolve the caller from the Authorization header, else from the Django session."""
    authorization = headers.get("Authorization", "")
    if authorization.lower().startswith("basic "):
        return _basic(authorization)
    if authorization:
        raise XAPIError(401, "unsupported authorization scheme", rule="auth")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise XAPIError(401, "authentication required", rule="auth")
    if unsafe:
        # Session cookies ride along on cross-site requests: require the CSRF token.
        reason = CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {})
        if reason is not None:
            raise XAPIError(403, "CSRF check failed", rule="csrf")
    actor = conf.actor_for_user(user)
    return Principal(
        authority=lms_authority(),
        scopes=_LEARNER_SCOPES,
        user_id=user.pk,
        learner_actor=actor,
        learner_ifi=agent_ifi(actor),
    )
