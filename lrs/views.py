"""HTTP face of the LRS: plain Django views (cheaper than DRF on the statement hot path).

Every resource goes through :class:`XAPIView`, which handles CORS, the 1.0.3 alternate request
syntax, the version header, the body quota (413), authentication and errors, then calls the
resource's handler with a small :class:`XAPIRequest`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, overload
from urllib.parse import parse_qsl, urlencode, urlparse

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from lrs.models import Cmi5Session, LRSDocument

from . import conf, selectors, services
from .attachments import build_multipart, check_attachments, parse_multipart
from .auth import Principal, authenticate
from .cmi5 import LAUNCH_DATA_STATE_ID, LEARNER_PREFERENCES_PROFILE_ID
from .errors import XAPIError
from .statements import agent_ifi, format_statement, parse_timestamp, person_for_agent, to_iso
from .validation import (
    MAX_MEDIA_TYPE_LENGTH,
    VOIDED_VERB,
    XAPIValidationError,
    check_length,
    check_params,
    is_iri,
    is_timestamp,
    is_uuid,
    parse_agent_param,
    parse_json,
    validate_statements,
)

SUPPORTED_VERSIONS = ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")
# xAPI 1.0.3 Communication 3.3: "1.0" MUST be accepted as "1.0.0"; IEEE 9274.1.1 §4.1.7 says
# the same of "2.0" for "2.0.0".
_VERSION_ALIASES = {"1.0": "1.0.0", "2.0": "2.0.0"}
_VERSION_HEADER = "X-Experience-API-Version"
_CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"
_ALLOWED_HEADERS = (
    "Content-Type, Content-Length, Authorization, X-Experience-API-Version, If-Match, "
    "If-None-Match, If-Modified-Since, Accept-Language, X-Requested-With"
)
_EXPOSED_HEADERS = (
    "ETag, Last-Modified, Content-Type, X-Experience-API-Version, "
    "X-Experience-API-Consistent-Through"
)
# Headers the alternate request syntax may carry as form fields.
_FORM_HEADERS = {
    "authorization": "Authorization",
    "x-experience-api-version": _VERSION_HEADER,
    "content-type": "Content-Type",
    "content-length": "Content-Length",
    "if-match": "If-Match",
    "if-none-match": "If-None-Match",
}


_max_body = conf.max_body
_statement_limit = conf.statement_limit


def _site_origin() -> str:
    parsed = urlparse(conf.site_url())
    return f"{parsed.scheme}://{parsed.netloc}"


@dataclass
class XAPIRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    principal: Principal | None
    version: str
    django: HttpRequest

    @property
    def auth(self) -> Principal:
        """The principal, in the views that require authentication (all but ``about``)."""
        if self.principal is None:
            raise RuntimeError("this view does not authenticate its requests")
        return self.principal

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


def _json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _error_response(status: int, body: dict) -> HttpResponse:
    return _json_response(body, status=status)


def _bool_param(params: dict[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise XAPIError(400, f"{name} must be true or false", path=name, rule="type.boolean")
    return value == "true"


def _json_param(params: dict[str, str], name: str) -> Any:
    return parse_json(params[name], name)


def _agent_param(params: dict[str, str], name: str = "agent") -> dict:
    if name not in params:
        raise XAPIError(400, f"{name} is required", path=name, rule="required")
    return parse_agent_param(_json_param(params, name), name)


@overload
def _iri_param(params: dict[str, str], name: str, *, required: Literal[True] = True) -> str: ...
@overload
def _iri_param(params: dict[str, str], name: str, *, required: bool) -> str | None: ...
def _iri_param(params: dict[str, str], name: str, *, required: bool = True) -> str | None:
    value = params.get(name)
    if value is None:
        if required:
            raise XAPIError(400, f"{name} is required", path=name, rule="required")
        return None
    if not is_iri(value):
        raise XAPIError(400, f"{name} must be an IRI", path=name, rule="format.iri")
    check_length(value, name)
    return value


def _time_param(params: dict[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    if not is_timestamp(value):
        raise XAPIError(
            400, f"{name} must be an ISO 8601 timestamp", path=name, rule="format.timestamp"
        )
    return parse_timestamp(value)


def _check_params(params: dict[str, str], allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise XAPIError(
                400, f"unexpected parameter {name!r}", path=name, rule="parameter.unknown"
            )


def _languages(request: XAPIRequest) -> list[str]:
    header = request.headers.get("Accept-Language", "")
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        if not tag or tag == "*":
            continue
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((-weight, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


@method_decorator(csrf_exempt, name="dispatch")
class XAPIView(View):
    """Shared request handling of every LRS resource."""

    http_method_names = ["get", "head", "put", "post", "delete", "options"]
    requires_auth = True
    requires_version = True
    # Communication 2.1.3: "on all responses to Statements Resource requests".
    consistent_through = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
        else:
            try:
                response = self._handle(request)
            except XAPIValidationError as exc:
                response = _error_response(400, exc.as_dict())
            except XAPIError as exc:
                response = _error_response(exc.status, exc.as_dict())
                if exc.status == 401:
                    response["WWW-Authenticate"] = 'Basic realm="xAPI"'
        return self._finish(request, response)

    def _finish(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        requested = request.headers.get(_VERSION_HEADER, "")
        requested = _VERSION_ALIASES.get(requested, requested)
        response[_VERSION_HEADER] = "2.0.0" if requested == "2.0.0" else "1.0.3"
        origin = request.headers.get("Origin")
        if origin and origin == _site_origin():
            # Only Capacita's own pages may send the learner's session cookie along.
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
            response["Vary"] = "Origin"
        else:
            # Tools on other origins authenticate with an Authorization header, which needs
            # no credentials mode; a wildcard keeps cookies out of cross-site requests.
            response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "HEAD, GET, POST, PUT, DELETE, OPTIONS"
        response["Access-Control-Allow-Headers"] = _ALLOWED_HEADERS
        response["Access-Control-Expose-Headers"] = _EXPOSED_HEADERS
        if self.consistent_through and _CONSISTENT_THROUGH not in response:
            # Errors and writes too (400, 401, 403, 409, 413 ...): every committed statement
            # is visible once its transaction ends, so "now" is consistent.
            response[_CONSISTENT_THROUGH] = to_iso(timezone.now())
        if request.method == "HEAD":
            response.content = b""
        return response

    def _handle(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            declared = int(length)
        except ValueError:
            declared = 0
        if declared > _max_body():
            return _error_response(413, {"error": "request body too large", "rule": "quota"})
        method = request.method or "GET"
        headers = {
            "Authorization": request.headers.get("Authorization", ""),
            _VERSION_HEADER: request.headers.get(_VERSION_HEADER, ""),
            "Content-Type": request.headers.get("Content-Type", ""),
            "Accept-Language": request.headers.get("Accept-Language", ""),
        }
        for name in ("If-Match", "If-None-Match"):
            if name in request.headers:
                headers[name] = request.headers[name]
        body = request.read(_max_body() + 1) if method in ("POST", "PUT") else b""
        if len(body) > _max_body():
            return _error_response(413, {"error": "request body too large", "rule": "quota"})
        params = {key: request.GET[key] for key in request.GET}  # the last value of each
        if "method" in params:
            method, params, headers, body = self._alternate(request, params, headers, body)
            check_params(headers)
        elif method == "POST" and headers["Content-Type"].startswith(
            "application/x-www-form-urlencoded"
        ):
            raise XAPIError(400, "form posts need the method parameter", rule="alternate_syntax")
        # Parameters reach the database (PostgreSQL refuses NUL in text) and the answers.
        check_params(params)
        version = headers[_VERSION_HEADER]
        if version in _VERSION_ALIASES:
            version = headers[_VERSION_HEADER] = _VERSION_ALIASES[version]
        if self.requires_version:
            if not version:
                raise XAPIError(400, f"{_VERSION_HEADER} header is required", rule="version")
            if version not in SUPPORTED_VERSIONS:
                raise XAPIError(400, f"unsupported xAPI version {version}", rule="version")
        principal = None
        if self.requires_auth:
            principal = authenticate(
                request, headers, unsafe=request.method not in ("GET", "HEAD", "OPTIONS")
            )
        handler = getattr(self, f"do_{method.lower()}", None)
        if method == "HEAD":
            handler = getattr(self, "do_get", None)
        if handler is None:
            return _error_response(405, {"error": f"{method} is not allowed here"})
        xreq = XAPIRequest(method, params, headers, body, principal, version, request)
        response = handler(xreq)
        return response

    def _alternate(
        self, request: HttpRequest, params: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[str, dict[str, str], dict[str, str], bytes]:
        """The 1.0.3 alternate request syntax: POST ?method=X with headers and content as
        form fields."""
        if request.method != "POST":
            raise XAPIError(400, "the method parameter needs a POST", rule="alternate_syntax")
        method = params.pop("method").upper()
        if params:
            raise XAPIError(
                400, "only 'method' may be in the query string", rule="alternate_syntax"
            )
        if method not in ("GET", "PUT", "POST", "DELETE"):
            raise XAPIError(400, "unsupported method", rule="alternate_syntax")
        if not headers["Content-Type"].startswith("application/x-www-form-urlencoded"):
            raise XAPIError(
                400, "alternate syntax needs a form-encoded body", rule="alternate_syntax"
            )
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        content = form.pop("content", "").encode()
        new_headers = dict(headers)
        new_headers["Content-Type"] = "application/json"
        for key in list(form):
            header = _FORM_HEADERS.get(key.lower())
            if header:
                new_headers[header] = form.pop(key)
        return method, form, new_headers, content


# --- statements ---------------------------------------------------------------------------------

_STATEMENT_GET_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
}
# Kept from before the split of progress/: more links issued then stay valid.
_MORE_SALT = "progress.xapi.more"


def _position_token(stored: datetime, pk: int) -> list[Any]:
    """A page position as the ``more`` token carries it (JSON: full-precision time, id)."""
    return [stored.isoformat(), pk]


def _position_from_token(value: Any) -> tuple[datetime, int]:
    if isinstance(value, int):
        # A token issued before pages followed (stored, id) carries the row id alone.
        position = selectors.statement_position(value)
        if position is None:
            raise XAPIError(400, "the more token has expired", path="more", rule="more")
        return position
    stored, pk = value
    return datetime.fromisoformat(stored), pk


def _check_learner_voiding(statements: list[dict], principal: Principal) -> None:
    """A learner may void only statements she stored herself through her session, about
    herself. Statements an LRS client (an activity provider, an assessment tool) or Capacita
    itself (server-graded answers) stored about her are not hers to withdraw, and neither is a
    statement the LRS does not have yet: its owner cannot be known (xAPI Data 2.3.2 lets an
    LRS reject a voiding statement for want of permission). LRS clients keep what their
    scopes give: ``statements/write`` writes, and so voids, any statement.
    """
    in_batch = {s["id"].lower() for s in statements if "id" in s and s["verb"]["id"] != VOIDED_VERB}
    targets = {
        index: s["object"]["id"].lower()
        for index, s in enumerate(statements)
        if s["verb"]["id"] == VOIDED_VERB
    }
    stored = [t for t in targets.values() if t not in in_batch]
    owners = selectors.statement_owners(stored) if stored else {}
    for index, target in targets.items():
        if target in in_batch:
            continue  # about herself, stored by her in this very request
        owner = owners.get(target)
        if owner != (principal.user_id, None, principal.learner_ifi):
            raise XAPIError(
                403,
                "learners may only void statements they stored about themselves",
                path=f"statements[{index}].object.id",
                rule="learner.void_own",
            )


def _check_au_statements(statements: list[dict], session: Cmi5Session) -> None:
    """An AU's token stores statements of its registration, and never voids (cmi5 6.3)."""
    registration = str(session.registration).lower()
    for index, statement in enumerate(statements):
        if statement["verb"]["id"] == VOIDED_VERB:
            raise XAPIError(
                403,
                "an AU may not void statements",
                path=f"statements[{index}].verb.id",
                rule="cmi5.au.no_voiding",
            )
        context = statement.get("context") or {}
        if str(context.get("registration") or "").lower() != registration:
            raise XAPIError(
                403,
                "an AU's statements must carry the registration of its launch",
                path=f"statements[{index}].context.registration",
                rule="cmi5.au.registration",
            )


class StatementsView(XAPIView):
    consistent_through = True

    def _read_statements(self, request: XAPIRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
        content_type = request.content_type
        if content_type.startswith("multipart/mixed"):
            return parse_multipart(request.body, content_type)
        if not content_type.startswith("application/json"):
            raise XAPIError(
                400, "statements must be application/json or multipart/mixed", rule="content_type"
            )
        return parse_json(request.body), {}

    def _store(self, request: XAPIRequest, payload: Any, payloads: dict) -> list[str]:
        principal = request.auth
        principal.require("statements/write")
        statements = validate_statements(payload)
        check_attachments(statements, payloads, version=request.version)
        if principal.learner_ifi is not None:
            for index, statement in enumerate(statements):
                actor = statement["actor"]
                if agent_ifi(actor) != principal.learner_ifi or set(actor) - {
                    "objectType",
                    "account",
                }:
                    raise XAPIError(
                        403,
                        "learners may only store statements about themselves",
                        path=f"statements[{index}].actor",
                        rule="learner.own_actor",
                    )
            if principal.cmi5_session is None:
                _check_learner_voiding(statements, principal)
        session = principal.cmi5_session
        if session is not None:
            _check_au_statements(statements, session)
        ctx = services.StoreContext(
            authority=principal.authority,
            client=principal.client,
            user_id=principal.user_id,
            can_define=principal.can("define") or (principal.client is None and session is None),
            version="2.0.0" if request.version == "2.0.0" else "1.0.0",
            attachments=payloads,
            request_version=request.version,
            cmi5_session_id=session.session_id if session is not None else None,
        )
        return services.statements_store_checked(statements, ctx)

    def do_put(self, request: XAPIRequest) -> HttpResponse:
        _check_params(request.params, {"statementId"})
        statement_id = request.params.get("statementId")
        if not statement_id:
            raise XAPIError(400, "statementId is required", path="statementId", rule="required")
        if not is_uuid(statement_id):
            raise XAPIError(
                400, "statementId must be a UUID", path="statementId", rule="format.uuid"
            )
        payload, payloads = self._read_statements(request)
        if not isinstance(payload, dict):
            raise XAPIError(400, "PUT takes one statement", path="statement", rule="type.object")
        if "id" in payload and str(payload["id"]).lower() != statement_id.lower():
            raise XAPIError(
                400,
                "the statement id differs from statementId",
                path="statement.id",
                rule="statement.id_matches",
            )
        payload["id"] = statement_id
        self._store(request, payload, payloads)
        return HttpResponse(status=204)

    def do_post(self, request: XAPIRequest) -> HttpResponse:
        _check_params(request.params, set())
        payload, payloads = self._read_statements(request)
        ids = self._store(request, payload, payloads)
        return _json_response(ids)

    def do_get(self, request: XAPIRequest) -> HttpResponse:
        principal = request.auth
        if not principal.can("statements/read", "statements/read/mine"):
            raise XAPIError(403, "needs statements/read", rule="scope")
        params = request.params
        _check_params(params, _STATEMENT_GET_PARAMS)
        after: tuple[datetime, int] | None = None
        ceiling: tuple[datetime, int] | None = None
        if "more" in params:
            # A more token carries the original query: format, filters and all.
            params, after, ceiling = self._unpack_more(params)
        fmt = params.get("format", "exact")
        if fmt not in ("exact", "ids", "canonical"):
            raise XAPIError(
                400, "format must be exact, ids or canonical", path="format", rule="enum"
            )
        attachments = _bool_param(params, "attachments")
        mine_only = not principal.can("statements/read")
        if "statementId" in params or "voidedStatementId" in params:
            return self._get_one(request, params, fmt, attachments, mine_only)
        query = self._query(params, principal, mine_only, after, ceiling)
        rows, more = selectors.statements_query(query)
        more_url = ""
        if more and rows:
            state: dict[str, Any] = {k: v for k, v in params.items() if k != "more"}
            state["_after"] = _position_token(rows[-1].stored, rows[-1].id)
            if query.ascending and query.ceiling is not None:
                state["_ceiling"] = _position_token(*query.ceiling)
            token = signing.dumps(state, salt=_MORE_SALT, compress=True)
            more_url = f"{request.django.path.rstrip('/')}?{urlencode({'more': token})}"
        newest = max((row.stored for row in rows), default=None)
        if fmt == "exact" and not attachments:
            # The stored JSON is already the exact format: splice it in without parsing.
            body = '{"statements":[%s],"more":%s}' % (  # noqa: UP031
                ",".join(row.raw for row in rows),
                json.dumps(more_url),
            )
            response = HttpResponse(body, content_type="application/json")
            return self._stamp(response, newest)
        statements = [json.loads(row.raw) for row in rows]
        result = {"statements": self._format(request, statements, fmt), "more": more_url}
        return self._statements_response(result, statements, attachments, newest)

    def _unpack_more(
        self, params: dict[str, str]
    ) -> tuple[dict[str, str], tuple[datetime, int], tuple[datetime, int] | None]:
        if len(params) > 1:
            raise XAPIError(
                400, "more takes no other parameters", path="more", rule="parameter.unknown"
            )
        try:
            state = signing.loads(params["more"], salt=_MORE_SALT)
        except signing.BadSignature as exc:
            raise XAPIError(400, "invalid more token", path="more", rule="more") from exc
        after = _position_from_token(state.pop("_after"))
        ceiling = state.pop("_ceiling", None)
        return state, after, None if ceiling is None else _position_from_token(ceiling)

    def _query(
        self,
        params: dict[str, str],
        principal: Principal,
        mine_only: bool,
        after: tuple[datetime, int] | None,
        ceiling: tuple[datetime, int] | None,
    ) -> selectors.StatementQuery:
        query = selectors.StatementQuery()
        if "agent" in params:
            query.agent_ifi = agent_ifi(_agent_param(params, "agent"))
        query.verb = _iri_param(params, "verb", required=False)
        query.activity = _iri_param(params, "activity", required=False)
        if "registration" in params:
            if not is_uuid(params["registration"]):
                raise XAPIError(
                    400, "registration must be a UUID", path="registration", rule="format.uuid"
                )
            query.registration = params["registration"].lower()
        query.related_activities = _bool_param(params, "related_activities")
        query.related_agents = _bool_param(params, "related_agents")
        query.since = _time_param(params, "since")
        query.until = _time_param(params, "until")
        query.ascending = _bool_param(params, "ascending")
        _bool_param(params, "attachments")
        limit = params.get("limit", "0")
        if not limit.isdigit():
            raise XAPIError(
                400, "limit must be a non-negative integer", path="limit", rule="type.integer"
            )
        query.limit = min(int(limit) or _statement_limit(), _statement_limit())
        query.after = after
        if query.ascending:
            # An ascending walk ends at the newest statement stored when it began: its pages
            # stay a fixed set while statements keep arriving.
            query.ceiling = ceiling if after is not None else selectors.statements_newest_position()
        if principal.learner_ifi is not None:
            query.only_actor_ifi = principal.learner_ifi
        elif mine_only and principal.client is not None:
            query.only_client_id = principal.client.pk
        return query

    def _get_one(
        self,
        request: XAPIRequest,
        params: dict[str, str],
        fmt: str,
        attachments: bool,
        mine_only: bool,
    ) -> HttpResponse:
        if "statementId" in params and "voidedStatementId" in params:
            raise XAPIError(
                400,
                "statementId and voidedStatementId exclude each other",
                rule="parameter.exclusive",
            )
        extra = set(params) - {"statementId", "voidedStatementId", "format", "attachments"}
        if extra:
            raise XAPIError(
                400,
                f"{sorted(extra)[0]} cannot be used with a statement id",
                path=sorted(extra)[0],
                rule="parameter.exclusive",
            )
        voided = "voidedStatementId" in params
        statement_id = params["voidedStatementId" if voided else "statementId"]
        if not is_uuid(statement_id):
            raise XAPIError(
                400,
                "the statement id must be a UUID",
                path="voidedStatementId" if voided else "statementId",
                rule="format.uuid",
            )
        row = selectors.statement_by_id(statement_id.lower(), voided=voided)
        principal = request.auth
        if row is not None and (
            (principal.learner_ifi is not None and row.actor_ifi != principal.learner_ifi)
            or (
                mine_only
                and principal.learner_ifi is None
                and principal.client is not None
                and row.client_id != principal.client.pk
            )
        ):
            row = None
        if row is None:
            return _error_response(404, {"error": "no such statement"})
        statements = [row.data]
        body = self._format(request, statements, fmt)[0]
        return self._statements_response(body, statements, attachments, row.stored)

    def _format(self, request: XAPIRequest, statements: list[dict], fmt: str) -> list[dict]:
        if fmt == "exact":
            return statements
        languages = _languages(request)
        definitions = None
        if fmt == "canonical":
            iris = {s["object"]["id"] for s in statements if "id" in s["object"]}
            definitions = selectors.activity_definitions(list(iris))
        return [format_statement(s, fmt, languages, definitions) for s in statements]

    def _statements_response(
        self, result: Any, statements: list[dict], attachments: bool, newest: datetime | None
    ) -> HttpResponse:
        if attachments:
            files = selectors.attachments_for(statements)
            parts = []
            for attachment in files:
                with attachment.file.open("rb") as handle:
                    parts.append((attachment.sha2, attachment.content_type, handle.read()))
            body, content_type = build_multipart(
                json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode(), parts
            )
            response = HttpResponse(body, content_type=content_type)
        else:
            response = _json_response(result)
        return self._stamp(response, newest)

    def _stamp(self, response: HttpResponse, newest: datetime | None) -> HttpResponse:
        now = timezone.now()
        response[_CONSISTENT_THROUGH] = to_iso(now)
        response["Last-Modified"] = http_date((newest or now).timestamp())
        return response


# --- documents ----------------------------------------------------------------------------------


class _DocumentView(XAPIView):
    kind: str
    id_param: str
    scope_params: set[str]

    def _scope(self, request: XAPIRequest) -> dict[str, str]:
        raise NotImplementedError

    def _document_id(self, request: XAPIRequest) -> str | None:
        document_id = request.params.get(self.id_param)
        if document_id is not None:
            check_length(document_id, self.id_param)
        return document_id

    def _authorize(self, request: XAPIRequest, write: bool) -> None:
        raise NotImplementedError

    def do_get(self, request: XAPIRequest) -> HttpResponse:
        _check_params(request.params, self.scope_params | {self.id_param, "since"})
        self._authorize(request, write=False)
        scope = self._scope(request)
        document_id = self._document_id(request)
        if document_id is None:
            since = _time_param(request.params, "since")
            ids = selectors.documents_list(scope=scope, since=since)
            response = _json_response(ids)
            response["Last-Modified"] = http_date(timezone.now().timestamp())
            return response
        if "since" in request.params:
            raise XAPIError(
                400, "since is only for listing documents", path="since", rule="parameter.exclusive"
            )
        document = selectors.document_get(scope=scope, document_id=document_id)
        if document is None:
            return _error_response(404, {"error": "no such document"})
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
        response["ETag"] = f'"{document.etag}"'
        response["Last-Modified"] = http_date(document.updated.timestamp())
        return response

    def _write(self, request: XAPIRequest, merge: bool) -> HttpResponse:
        _check_params(request.params, self.scope_params | {self.id_param})
        self._authorize(request, write=True)
        scope = self._scope(request)
        document_id = self._document_id(request)
        if document_id is None:
            raise XAPIError(
                400, f"{self.id_param} is required", path=self.id_param, rule="required"
            )
        content_type = request.content_type or "application/octet-stream"
        check_length(content_type, "Content-Type", MAX_MEDIA_TYPE_LENGTH)
        document = services.document_write(
            scope=scope,
            document_id=document_id,
            content=request.body,
            content_type=content_type,
            merge=merge,
            if_match=request.headers.get("If-Match"),
            if_none_match=request.headers.get("If-None-Match"),
            version=request.version,
        )
        response = HttpResponse(status=204)
        response["ETag"] = f'"{document.etag}"'
        return response

    def do_put(self, request: XAPIRequest) -> HttpResponse:
        return self._write(request, merge=False)

    def do_post(self, request: XAPIRequest) -> HttpResponse:
        return self._write(request, merge=True)

    def do_delete(self, request: XAPIRequest) -> HttpResponse:
        _check_params(request.params, self.scope_params | {self.id_param})
        self._authorize(request, write=True)
        scope = self._scope(request)
        document_id = self._document_id(request)
        if document_id is None and self.kind != LRSDocument.Kind.STATE:
            raise XAPIError(
                400, f"{self.id_param} is required", path=self.id_param, rule="required"
            )
        services.document_delete(
            scope=scope, document_id=document_id, if_match=request.headers.get("If-Match")
        )
        return HttpResponse(status=204)


def _agent_param_ifi(params: dict[str, str]) -> str:
    """The IFI of the ``agent`` parameter (``parse_agent_param`` accepts none without one)."""
    ifi = agent_ifi(_agent_param(params))
    if ifi is None:
        raise XAPIError(400, "agent has no identifier", path="agent", rule="agent.ifi")
    return ifi


def _own_agent(request: XAPIRequest, ifi: str | None) -> None:
    learner = request.auth.learner_ifi
    if learner is not None and learner != ifi:
        raise XAPIError(
            403, "learners may only use their own documents", path="agent", rule="learner.own_agent"
        )


class StateView(_DocumentView):
    kind = LRSDocument.Kind.STATE
    id_param = "stateId"
    scope_params = {"activityId", "agent", "registration"}

    def _authorize(self, request: XAPIRequest, write: bool) -> None:
        request.auth.require("state")
        session = request.auth.cmi5_session
        if session is None:
            return
        params = request.params
        if params.get("activityId") != session.activity_id or (
            params.get("registration", "").lower() != str(session.registration).lower()
        ):
            raise XAPIError(
                403,
                "an AU's token reaches only the State of its own activity and registration",
                path="activityId",
                rule="cmi5.au.state_scope",
            )
        if write and params.get(self.id_param) in (None, LAUNCH_DATA_STATE_ID):
            raise XAPIError(
                403,
                "an AU may not change or delete LMS.LaunchData",
                path=self.id_param,
                rule="cmi5.au.launch_data",
            )

    def _scope(self, request: XAPIRequest) -> dict[str, str]:
        params = request.params
        activity = _iri_param(params, "activityId")
        ifi = _agent_param_ifi(params)
        _own_agent(request, ifi)
        registration = params.get("registration", "")
        if registration and not is_uuid(registration):
            raise XAPIError(
                400, "registration must be a UUID", path="registration", rule="format.uuid"
            )
        return {
            "kind": self.kind,
            "activity": activity,
            "agent_ifi": ifi,
            "registration": registration.lower(),
        }


class ActivityProfileView(_DocumentView):
    kind = LRSDocument.Kind.ACTIVITY_PROFILE
    id_param = "profileId"
    scope_params = {"activityId"}

    def _authorize(self, request: XAPIRequest, write: bool) -> None:
        request.auth.require("profile")
        if request.auth.cmi5_session is not None:
            raise XAPIError(403, "an AU's token has no Activity Profile rights", rule="scope")
        if write and request.auth.learner_ifi is not None:
            raise XAPIError(403, "learners may not write activity profiles", rule="scope")

    def _scope(self, request: XAPIRequest) -> dict[str, str]:
        activity = _iri_param(request.params, "activityId")
        return {"kind": self.kind, "activity": activity, "agent_ifi": "", "registration": ""}


class AgentProfileView(_DocumentView):
    kind = LRSDocument.Kind.AGENT_PROFILE
    id_param = "profileId"
    scope_params = {"agent"}

    def _authorize(self, request: XAPIRequest, write: bool) -> None:
        request.auth.require("profile")
        if request.auth.cmi5_session is not None and (
            write or request.params.get(self.id_param) != LEARNER_PREFERENCES_PROFILE_ID
        ):
            # cmi5 section 11: the LMS may refuse an AU's changes with a 403.
            raise XAPIError(
                403,
                "an AU's token reads only the cmi5LearnerPreferences Agent Profile",
                path=self.id_param,
                rule="cmi5.au.agent_profile",
            )

    def _scope(self, request: XAPIRequest) -> dict[str, str]:
        ifi = _agent_param_ifi(request.params)
        _own_agent(request, ifi)
        return {"kind": self.kind, "activity": "", "agent_ifi": ifi, "registration": ""}


# --- activities, agents, about ------------------------------------------------------------------

_READ_SCOPES = ("statements/read", "statements/read/mine", "profile", "state", "define")


class ActivitiesView(XAPIView):
    def do_get(self, request: XAPIRequest) -> HttpResponse:
        request.auth.require(*_READ_SCOPES)
        _check_params(request.params, {"activityId"})
        activity = _iri_param(request.params, "activityId")
        definitions = selectors.activity_definitions([activity])
        body: dict[str, Any] = {"objectType": "Activity", "id": activity}
        if definitions.get(activity):
            body["definition"] = definitions[activity]
        return _json_response(body)


class AgentsView(XAPIView):
    def do_get(self, request: XAPIRequest) -> HttpResponse:
        request.auth.require(*_READ_SCOPES)
        _check_params(request.params, {"agent"})
        agent = _agent_param(request.params)
        _own_agent(request, agent_ifi(agent))
        return _json_response(person_for_agent(agent))


class AboutView(XAPIView):
    requires_auth = False
    requires_version = False

    def do_get(self, request: XAPIRequest) -> HttpResponse:
        # 1.0.x clients such as tincan reject an About that lists versions they do not know,
        # so a request that declares 1.0.x sees the 1.0.x versions; others see all of them.
        versions = list(SUPPORTED_VERSIONS)
        if request.version.startswith("1.0"):
            versions = [v for v in versions if v.startswith("1.0")]
        return _json_response(
            {
                "version": versions,
                "extensions": {
                    f"{conf.site_url()}/xapi/extensions/statement-limit": (_statement_limit()),
                },
            }
        )
