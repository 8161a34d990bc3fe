"""Forwarding through ``tincan``: statements built and serialised by tincan's ``Statement``,
sent with ``PUT /statements?statementId=...`` so a retry can never store a second copy.

tincan 1.0.0's ``RemoteLRS`` opens its HTTP connections without a timeout, so a silent
external LRS would hang a worker for ever; :class:`TimeoutRemoteLRS` passes one.
"""

from __future__ import annotations

import http.client
import json
from typing import Any, ClassVar
from urllib.parse import urlencode, urlparse

from tincan import RemoteLRS, Statement
from tincan.http_request import HTTPRequest
from tincan.lrs_response import LRSResponse

from .base import RETRY, ForwardResult, outcome_for_status

# Set by the LMS when it stores the statement; the external LRS records its own.
LRS_OWNED_FIELDS = ("stored", "authority")
XAPI_VERSION = "1.0.3"


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


def to_tincan(statement: dict[str, Any]) -> Statement:
    """The statement as a tincan ``Statement`` (without the fields the receiving LRS owns)."""
    return Statement({k: v for k, v in statement.items() if k not in LRS_OWNED_FIELDS})


class TinCanForwarder:
    """Forwards to a real LRS over HTTP(S) with Basic auth."""

    def __init__(self, *, endpoint: str, username: str, password: str, timeout: float) -> None:
        self.lrs = TimeoutRemoteLRS(
            endpoint=endpoint,
            username=username,
            password=password,
            version=XAPI_VERSION,
            timeout=timeout,
        )

    def send(self, statement: dict[str, Any]) -> ForwardResult:
        """PUT one statement with its id; never raises for network trouble."""
        tincan_statement = to_tincan(statement)
        request = HTTPRequest(method="PUT", resource="statements")
        request.query_params["statementId"] = str(statement["id"])
        request.headers["Content-Type"] = "application/json"
        request.content = tincan_statement.to_json(XAPI_VERSION)
        try:
            response = self.lrs._send_request(request)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            return ForwardResult(RETRY, None, f"{type(exc).__name__}: {exc}"[:500])
        status = response.response.status
        detail = ""
        if not response.success:
            detail = _detail(response.data)
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
