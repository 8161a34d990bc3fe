"""Fetching public JSON documents of other credential issuers (DID documents, keys, status
lists) over HTTP(S), with a timeout, a size limit and no access to private networks.

Plain data in, plain data out. ``InMemoryDocumentFetcher`` is the fake used by tests.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import urlsplit

MAX_BYTES = 1_000_000
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The document could not be fetched or is not JSON (the message says why)."""


class DocumentFetcher(Protocol):
    def fetch_json(self, url: str) -> Any:
        """Return the JSON document at ``url`` or raise ``FetchError``."""
        ...


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet (IANA's "globally reachable"): not
    private, loopback, link-local (cloud metadata at 169.254.169.254), shared (100.64/10),
    reserved, unspecified or multicast. An IPv4-mapped IPv6 address is judged by its IPv4
    address."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def _resolve_public(host: str, port: int) -> list[tuple]:
    """The addresses ``host`` resolves to, every one of them public, or ``FetchError``.

    Every answer is checked, not only the first: a name answering one public and one private
    address would otherwise reach the private one on a second connection attempt.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        if not is_public_address(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])):
            raise FetchError(f"{host} resolves to a non-public address")
    return infos


class _GuardedConnectionMixin:
    """Connects only to addresses checked just before, so neither a redirect (each hop opens
    its own connection) nor a DNS answer that changes between the check and the connection
    (rebinding) can lead to a private address."""

    host: str
    port: int
    timeout: float | None
    source_address: Any
    sock: Any

    def connect(self) -> None:
        last_error: OSError | None = None
        for family, socktype, proto, _, address in _resolve_public(self.host, self.port):
            sock = socket.socket(family, socktype, proto)
            try:
                sock.settimeout(self.timeout)
                sock.connect(address)
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
            self.sock = sock
            return
        raise last_error or OSError(f"cannot connect to {self.host}")


class _GuardedHTTPConnection(_GuardedConnectionMixin, http.client.HTTPConnection):
    pass


class _GuardedHTTPSConnection(http.client.HTTPSConnection, _GuardedHTTPConnection):
    """``HTTPSConnection.connect`` calls ``super().connect()`` (the guarded one) for the TCP
    socket, then wraps it in TLS for the original host name."""


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__(context=context)
        self._guarded_context = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._guarded_context)


class _HttpOnlyRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows at most ``MAX_REDIRECTS`` redirects, to http(s) URLs only (urllib would also
    follow one to ftp://, which has no guard)."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise FetchError(f"{req.full_url} redirects to a non-http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(*, allow_private: bool) -> urllib.request.OpenerDirector:
    """An opener with only the handlers needed: no file:, ftp: or data: URLs, and no proxy
    from the environment (the guard checks the address actually connected to)."""
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _HttpOnlyRedirectHandler(),
    ]
    if allow_private:
        handlers += [urllib.request.HTTPHandler(), urllib.request.HTTPSHandler()]
    else:
        handlers += [_GuardedHTTPHandler(), _GuardedHTTPSHandler()]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


class HttpDocumentFetcher:
    """Fetch JSON over HTTP(S) with ``urllib``.

    ``allow_private`` permits loopback and private addresses (tests, intranets); the default
    refuses them so the public verification endpoint cannot be used to probe internal hosts:
    every hop of a redirect, and every address a name resolves to, is checked, and the
    connection goes to the address that was checked.
    """

    def __init__(self, *, timeout: float = 5.0, allow_private: bool = False) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self._opener = _opener(allow_private=allow_private)

    def fetch_json(self, url: str) -> Any:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"only http(s) URLs can be fetched, not {url!r}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            headers={
                "Accept": "application/ld+json, application/json, application/did+json",
                "User-Agent": "Capacita-Verifier/1.0",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_BYTES + 1)
        except FetchError:
            raise
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url} answered HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, FetchError):
                raise exc.reason from exc
            raise FetchError(f"{url} could not be reached: {exc}") from exc
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
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
