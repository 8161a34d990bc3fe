"""Small building blocks for limiting attempts: the client's address behind a known number of
proxies, and a fixed-window counter on the shared Django cache.

The counter lives in the default cache, so it holds across web processes when the cache is
shared (Redis, ``REDIS_URL``); the embedded default runs one process.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

__all__ = ["Window", "client_ip", "window_hit"]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or, behind ``LMS_TRUSTED_PROXY_COUNT`` proxies
    that each append to ``X-Forwarded-For``, the entry the outermost trusted proxy saw.

    Entries further left were written by the client and prove nothing, so they are never used;
    without a trusted count every request behind a load balancer would share its address.
    ``None`` when there is no valid address (a request built in process, a unix socket).
    """
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = getattr(settings, "LMS_TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


@dataclass(frozen=True)
class Window:
    """Hits counted in the current window, and when the window ends (epoch seconds)."""

    hits: int
    ends_at: float


def _key(scope: str, subject: str) -> str:
    # Hashed: cache keys must not carry an e-mail address or a client address in clear.
    digest = hashlib.sha256(f"{scope}\0{subject}".encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}"


def window_hit(scope: str, subject: str, *, seconds: int) -> Window:
    """Count one hit of ``subject`` in a window of ``seconds`` that starts at its first hit."""
    key = _key(scope, subject)
    now = time.time()
    cache.add(f"{key}:start", now, timeout=seconds)
    cache.add(key, 0, timeout=seconds)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        hits = 1
    start = float(cache.get(f"{key}:start") or now)
    return Window(hits=hits, ends_at=start + seconds)
