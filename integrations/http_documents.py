"""Fetching public JSON documents of other credential issuers (DID documents, keys, status
lists) over HTTP(S), with a timeout, a size limit and no access to private networks.

Plain data in, plain data out. ``InMemoryDocumentFetcher`` is the fake used by tests.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import urlsplit

MAX_BYTES = 1_000_000


class FetchError(Exception):
    """The document could not be fetched or is not JSON (the message says why)."""


class DocumentFetcher(Protocol):
    def fetch_json(self, url: str) -> Any:
        """Return the JSON document at ``url`` or raise ``FetchError``."""
        ...


class HttpDocumentFetcher:
    """Fetch JSON over HTTP(S) with ``urllib``.

    ``allow_private`` permits loopback and private addresses (tests, intranets); the default
    refuses them so the public verification endpoint cannot be used to probe internal hosts.
    """

    def __init__(self, *, timeout: float = 5.0, allow_private: bool = False) -> None:
        self.timeout = timeout
        self.allow_private = allow_private

    def _check_host(self, host: str) -> None:
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError as exc:
            raise FetchError(f"cannot resolve {host}: {exc}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if (
                address.is_private
                or address.is_loopback
                or address.is_link_local
                or address.is_reserved
                or address.is_multicast
            ):
                raise FetchError(f"{host} resolves to a non-public address")

    def fetch_json(self, url: str) -> Any:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"only http(s) URLs can be fetched, not {url!r}")
        self._check_host(parts.hostname)
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            headers={
                "Accept": "application/ld+json, application/json, application/did+json",
                "User-Agent": "Capacita-Verifier/1.0",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise FetchError(f"{url} could not be reached: {exc}") from exc
        if len(body) > MAX_BYTES:
            raise FetchError(f"{url} is larger than {MAX_BYTES} bytes")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise FetchError(f"{url} is not JSON") from exc


class InMemoryDocumentFetcher:
    """A fake fetcher serving a dict of URL → document; records what was asked."""

    def __init__(self, documents: dict[str, Any] | None = None, **_: Any) -> None:
        self.documents = dict(documents or {})
        self.requested: list[str] = []

    def fetch_json(self, url: str) -> Any:
        self.requested.append(url)
        if url not in self.documents:
            raise FetchError(f"{url} answered HTTP 404")
        return json.loads(json.dumps(self.documents[url]))
