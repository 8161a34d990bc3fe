"""The fetcher of other issuers' documents reaches public addresses only: every redirect hop
and every DNS answer is checked, and the connection goes to the address that was checked.

A server on 127.0.0.2 plays a public issuer (the tests count that one address as public); a
second server on 127.0.0.1 plays an internal service that must never be reached.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from integrations import http_documents
from integrations.http_documents import FetchError, HttpDocumentFetcher, is_public_address

DOCUMENT = {"id": "did:web:issuer.example"}
PUBLIC_STAND_IN = "127.0.0.2"


def _serve(host: str, routes: dict[str, tuple[int, dict[str, str], bytes]]):
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


@pytest.fixture
def internal() -> Iterator[tuple[str, list[str]]]:
    """The internal service on loopback: records any request that reaches it."""
    server, hits = _serve("127.0.0.1", {"/secret": (200, {}, json.dumps(DOCUMENT).encode())})
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def issuer(internal) -> Iterator[tuple[str, list[str]]]:
    internal_url, _ = internal
    body = json.dumps(DOCUMENT).encode()
    routes = {
        "/did.json": (200, {"Content-Type": "application/json"}, body),
        "/to-loopback": (302, {"Location": f"{internal_url}/secret"}, b""),
        "/to-loopback-by-name": (
            301,
            {"Location": internal_url.replace("127.0.0.1", "localhost") + "/secret"},
            b"",
        ),
        "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/to-ipv6-loopback": (307, {"Location": "http://[::1]:80/"}, b""),
        "/to-ftp": (302, {"Location": "ftp://127.0.0.1/secret"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/to-self": (302, {"Location": "/did.json"}, b""),
    }
    server, hits = _serve(PUBLIC_STAND_IN, routes)
    yield f"http://{PUBLIC_STAND_IN}:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def stand_in_is_public(monkeypatch):
    real = http_documents.is_public_address
    monkeypatch.setattr(
        http_documents, "is_public_address", lambda a: str(a) == PUBLIC_STAND_IN or real(a)
    )


def test_a_public_issuer_is_fetched_and_a_redirect_among_its_pages_followed(issuer):
    url, hits = issuer
    fetcher = HttpDocumentFetcher(timeout=5)
    assert fetcher.fetch_json(f"{url}/did.json") == DOCUMENT
    assert fetcher.fetch_json(f"{url}/to-self") == DOCUMENT
    assert hits == ["/did.json", "/to-self", "/did.json"]


@pytest.mark.parametrize(
    "path", ["/to-loopback", "/to-loopback-by-name", "/to-metadata", "/to-ipv6-loopback"]
)
def test_a_redirect_to_a_private_address_is_refused_before_connecting(issuer, internal, path):
    url, hits = issuer
    _, internal_hits = internal
    with pytest.raises(FetchError, match="non-public"):
        HttpDocumentFetcher(timeout=5).fetch_json(f"{url}{path}")
    assert hits == [path]  # the first hop was fetched: the refusal is the redirect's
    assert internal_hits == []


@pytest.mark.parametrize("path", ["/to-ftp", "/to-file"])
def test_a_redirect_to_another_scheme_is_refused(issuer, internal, path):
    url, _ = issuer
    with pytest.raises(FetchError):
        HttpDocumentFetcher(timeout=5).fetch_json(f"{url}{path}")
    assert internal[1] == []


def test_a_redirect_loop_ends_in_a_fetch_error(issuer):
    url, hits = issuer
    with pytest.raises(FetchError, match="HTTP 302"):
        HttpDocumentFetcher(timeout=5).fetch_json(f"{url}/loop")
    assert 1 < len(hits) <= http_documents.MAX_REDIRECTS + 1


def test_a_name_with_any_private_answer_is_refused(monkeypatch, internal):
    internal_url, internal_hits = internal
    port = int(internal_url.rsplit(":", 1)[1])
    real = socket.getaddrinfo

    def answers(host, *args, **kwargs):
        if host == "mixed.example":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            ]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", answers)
    with pytest.raises(FetchError, match="non-public"):
        HttpDocumentFetcher(timeout=5).fetch_json(f"http://mixed.example:{port}/secret")
    assert internal_hits == []


def test_a_name_that_rebinds_after_the_check_is_not_followed(monkeypatch, issuer, internal):
    # Answers the public stand-in once, then loopback: the connection must use the first
    # answer (the one checked), never ask again and reach the internal service.
    url, hits = issuer
    port = int(url.rsplit(":", 1)[1])
    calls: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example":
            return real(host, *args, **kwargs)
        calls.append(host)
        address = PUBLIC_STAND_IN if len(calls) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    assert HttpDocumentFetcher(timeout=5).fetch_json(f"http://rebind.example:{port}/did.json")
    assert calls == ["rebind.example"]
    assert hits == ["/did.json"]
    assert internal[1] == []


def test_allow_private_still_reaches_intranet_issuers(internal):
    internal_url, hits = internal
    fetcher = HttpDocumentFetcher(timeout=5, allow_private=True)
    assert fetcher.fetch_json(f"{internal_url}/secret") == DOCUMENT
    assert hits == ["/secret"]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
    ],
)
def test_non_public_addresses(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses(address):
    assert is_public_address(ipaddress.ip_address(address))
