"""Forwarding through ``tincan``'s ``RemoteLRS``: ``PUT /statements?statementId=...`` with the
statement exactly as Capacita stored it, so a retry can never store a second copy and the
external LRS receives the same statement the learner's tool sent.

The body is the stored JSON, not a ``tincan.Statement`` round trip: tincan 1.0.0's models
rewrite durations (``PT1M30S`` → ``PT01M30S``, ``P1Y2M`` → ``P425DT00H00M00S``, which means
something else), turn integer scores into floats, drop ``null`` extension values and know
nothing of xAPI 2.0 (``contextAgents`` made them raise). ``RemoteLRS`` still makes the request
and its Basic auth; :class:`TimeoutRemoteLRS` gives its connections a socket timeout, which
tincan 1.0.0 lacks (a silent external LRS would otherwise hang a worker for ever).

The xAPI version sent is the newest one the external LRS lists in ``GET about`` (cached). A
statement that version cannot carry (a 2.0-only property to a 1.0.x-only LRS) is not sent: the
adapter answers ``rejected`` with the reason, and the outbox parks it.
"""

from __future__ import annotations

import hashlib
import http.client
import json
from typing import Any, ClassVar
from urllib.parse import urlencode, urlparse

from django.core.cache import cache
from tincan import RemoteLRS
from tincan.http_request import HTTPRequest
from tincan.lrs_response import LRSResponse

from .base import (
    DOCUMENT_RESOURCES,
    OK,
    REJECTED,
    RETRY,
    DocumentWrite,
    ForwardResult,
    outcome_for_status,
)

# Set by the LMS when it stores the statement; the external LRS records its own.
LRS_OWNED_FIELDS = ("stored", "authority")
# The versions this adapter can speak, newest first; the first one the external LRS lists wins.
KNOWN_VERSIONS = ("2.0.0", "1.0.3", "1.0.2", "1.0.1", "1.0.0")
# An LRS whose About cannot be read is spoken to in the version every 1.0.x LRS accepts.
FALLBACK_VERSION = "1.0.3"
DEFAULT_VERSION_CACHE_SECONDS = 600
# Properties that exist only in xAPI 2.0 (in a statement's or a SubStatement's context).
XAPI2_CONTEXT_PROPERTIES = ("contextAgents", "contextGroups")


class TimeoutRemoteLRS(RemoteLRS):
    """tincan's ``RemoteLRS`` with a socket timeout on every request."""

    # tincan objects accept only declared properties.
    _props: ClassVar[list[str]] = [*RemoteLRS._props, "timeout"]

    def __init__(self, *args: Any, timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout = timeout

    def _send_request(self, request: HTTPRequest) -> LRSResponse:
        headers = {"X-Experience-API-Version": self.version}
        if self.auth is not None:
            headers["Authorization"] = self.auth
        headers.update(request.headers)
        url = (
            request.resource
            if request.resource.startswith("http")
            else self.endpoint + request.resource
        )
        parsed = urlparse(url)
        connection_class = (
            http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parsed.hostname, parsed.port, timeout=self.timeout)
        query = "&".join(
            part
            for part in (
                parsed.query,
                urlencode({k: str(v) for k, v in request.query_params.items()}),
            )
            if part
        )
        path = parsed.path + (f"?{query}" if query else "")
        try:
            body = getattr(request, "content", None)
            if isinstance(body, str):
                # tincan keeps the body as text; http.client would encode it as Latin-1.
                body = body.encode("utf-8")
            connection.request(request.method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return LRSResponse(
            success=200 <= response.status < 300,
            request=request,
            response=response,
            data=data,
        )


def forwardable(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement as it is forwarded: as stored, less the fields the receiving LRS owns."""
    return {k: v for k, v in statement.items() if k not in LRS_OWNED_FIELDS}


def statement_body(statement: dict[str, Any]) -> bytes:
    """The request body: the stored JSON, numbers and strings untouched."""
    return json.dumps(
        forwardable(statement), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def xapi2_only_property(statement: dict[str, Any]) -> str | None:
    """The path of the first property that only xAPI 2.0 can carry, or None."""
    contexts = [("statement.context", statement.get("context"))]
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        contexts.append(("statement.object.context", obj.get("context")))
    for path, context in contexts:
        if isinstance(context, dict):
            for name in XAPI2_CONTEXT_PROPERTIES:
                if name in context:
                    return f"{path}.{name}"
    version = statement.get("version")
    if isinstance(version, str) and version.startswith("2."):
        return "statement.version"
    return None


def unsupported_reason(statement: dict[str, Any], version: str) -> str | None:
    """Why ``statement`` cannot be sent to an LRS speaking ``version``, or None if it can."""
    if version.startswith("2."):
        return None
    path = xapi2_only_property(statement)
    if path is None:
        return None
    return (
        f"{path} is xAPI 2.0 only and the external LRS accepts xAPI {version} "
        "(its /about); forward it once that LRS accepts 2.0.0"
    )


def newest_known_version(listed: Any) -> str | None:
    """The newest version both sides know, from an About resource's ``version`` list."""
    if not isinstance(listed, list):
        return None
    for version in KNOWN_VERSIONS:
        if version in listed:
            return version
    return None


class TinCanForwarder:
    """Forwards to a real LRS over HTTP(S) with Basic auth."""

    def __init__(
        self,
        *,
        endpoint: str,
        username: str,
        password: str,
        timeout: float,
        version_cache_seconds: float = DEFAULT_VERSION_CACHE_SECONDS,
    ) -> None:
        self.endpoint = endpoint
        self.version_cache_seconds = version_cache_seconds
        self.lrs = TimeoutRemoteLRS(
            endpoint=endpoint,
            username=username,
            password=password,
            version=FALLBACK_VERSION,
            timeout=timeout,
        )
        self._version: str | None = None

    def _version_cache_key(self) -> str:
        digest = hashlib.sha256(self.endpoint.encode()).hexdigest()[:32]
        return f"lms:lrs-forward:version:{digest}"

    def accepted_version(self) -> str:
        """The xAPI version to speak: the newest the external LRS lists in ``GET about``.

        Cached for ``version_cache_seconds`` so it costs one request per period,
        not one per statement. Raises ``OSError``/``HTTPException`` while the LRS is unreachable,
        which the caller treats as "try again later".
        """
        if self._version is not None:
            return self._version
        key = self._version_cache_key()
        version = cache.get(key)
        if version is None:
            request = HTTPRequest(method="GET", resource="about")
            # Ask as 2.0 so an LRS that tailors About to the caller (as Capacita's does for
            # tincan's sake) lists every version it has.
            request.headers["X-Experience-API-Version"] = KNOWN_VERSIONS[0]
            response = self.lrs._send_request(request)
            status = response.response.status
            if status >= 500 or status in (408, 429):
                raise http.client.HTTPException(f"GET about answered {status}")
            listed = None
            if response.success:
                try:
                    listed = json.loads(response.data).get("version")
                except (ValueError, AttributeError):
                    listed = None
            version = newest_known_version(listed) or FALLBACK_VERSION
            cache.set(key, version, timeout=self.version_cache_seconds)
        self._version = version
        return version

    def send(self, statement: dict[str, Any]) -> ForwardResult:
        """PUT one statement with its id, exactly as stored; never raises for network trouble."""
        try:
            version = self.accepted_version()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            return ForwardResult(RETRY, None, f"GET about: {type(exc).__name__}: {exc}"[:500])
        reason = unsupported_reason(statement, version)
        if reason is not None:
            return ForwardResult(REJECTED, None, reason)
        request = HTTPRequest(method="PUT", resource="statements")
        request.query_params["statementId"] = str(statement["id"])
        request.headers["Content-Type"] = "application/json; charset=utf-8"
        request.headers["X-Experience-API-Version"] = version
        request.content = statement_body(statement)
        try:
            response = self.lrs._send_request(request)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            return ForwardResult(RETRY, None, f"{type(exc).__name__}: {exc}"[:500])
        status = response.response.status
        detail = ""
        if not response.success:
            detail = _detail(response.data)
        return ForwardResult(outcome_for_status(status), status, detail)

    def send_document(self, document: DocumentWrite) -> ForwardResult:
        """PUT the document's content (or DELETE it) by its resource's query string.

        The body is the stored bytes with the stored content type, not a tincan
        ``StateDocument`` round trip (which would re-encode text content). An unconditional PUT
        replaces a State document under xAPI 1.0.x; an LRS that wants the current ETag first
        (Agent and Activity Profiles, State under 2.0) answers 409, so the adapter reads the
        ETag and PUTs again with ``If-Match`` (or ``If-None-Match: *`` if the document is gone).
        DELETE of a document the external LRS does not hold (404) counts as done.
        """
        try:
            version = self.accepted_version()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            return ForwardResult(RETRY, None, f"GET about: {type(exc).__name__}: {exc}"[:500])
        try:
            if document.deleted:
                response = self._document_request("DELETE", document, version)
                status = response.response.status
                if status == 404:
                    return ForwardResult(OK, status)
                return _result(response)
            return self._put_document(document, version)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            return ForwardResult(RETRY, None, f"{type(exc).__name__}: {exc}"[:500])

    def _put_document(self, document: DocumentWrite, version: str) -> ForwardResult:
        headers: dict[str, str] = {}
        for _ in range(PUT_DOCUMENT_TRIES):
            response = self._document_request("PUT", document, version, headers)
            if response.response.status not in (409, 412):
                return _result(response)
            # 409: the LRS wants a precondition; 412: the document changed since we read its
            # ETag (another writer at the external LRS): read it again.
            current = self._document_request("GET", document, version)
            status = current.response.status
            etag = current.response.getheader("ETag") if status == 200 else None
            if status == 404:
                headers = {"If-None-Match": "*"}
            elif etag:
                headers = {"If-Match": etag}
            else:
                return _result(current) if status != 200 else _result(response)
        return ForwardResult(
            RETRY, response.response.status, "the document kept changing at the external LRS"
        )

    def _document_request(
        self,
        method: str,
        document: DocumentWrite,
        version: str,
        headers: dict[str, str] | None = None,
    ) -> LRSResponse:
        request = HTTPRequest(method=method, resource=DOCUMENT_RESOURCES[document.kind])
        request.query_params.update(document.params())
        request.headers["X-Experience-API-Version"] = version
        request.headers.update(headers or {})
        if method == "PUT":
            request.headers["Content-Type"] = document.content_type
            # Any bytes: tincan's ``content`` setter would decode them as UTF-8 (and fail on
            # a binary document); ``_send_request`` sends bytes as they are.
            request._content = document.content
        return self.lrs._send_request(request)


# A PUT may meet a 409 (precondition wanted) and then a 412 (changed meanwhile): a few rounds.
PUT_DOCUMENT_TRIES = 3


def _result(response: LRSResponse) -> ForwardResult:
    status = response.response.status
    detail = "" if response.success else _detail(response.data)
    return ForwardResult(outcome_for_status(status), status, detail)


def _detail(data: bytes | str | None) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data or "")
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            text = str(parsed.get("detail") or parsed.get("error") or parsed)
    except ValueError:
        pass
    return text[:500]
