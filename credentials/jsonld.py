"""JSON-LD canonicalisation (RDFC-1.0 / URDNA2015) with a local, closed document loader.

Contexts come from files shipped in ``credentials/contexts/``; nothing is fetched over the
network, so a signature never depends on a remote server being up or honest. pyld keeps
processed contexts in its own LRU cache, keyed by URL, so after the first credential the
contexts are not parsed or processed again.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from frozendict import frozendict
from pyld import jsonld
from pyld.jsonld import _is_absolute_iri

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3P0_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

CONTEXT_FILES: dict[str, str] = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    CREDENTIALS_V1: "credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
    OB_V3P0_CONTEXT: "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "ob-v3p0-context-3.0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context-3.0.json",
}


class UnknownContextError(ValueError):
    """A document names a JSON-LD context this server does not ship."""


class UndefinedTermError(ValueError):
    """A document uses a term its contexts do not define: JSON-LD would silently drop it, so a
    signature would not cover it. Signing and verifying both refuse such documents."""


def _refuse_dropped(term: str | None, *args: object) -> None:
    raise UndefinedTermError(term)


@functools.cache
def _context_document(url: str) -> dict[str, Any]:
    filename = CONTEXT_FILES.get(url)
    if filename is None:
        raise UnknownContextError(url)
    return json.loads((CONTEXTS_DIR / filename).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves only the shipped contexts."""
    try:
        document = _context_document(url)
    except UnknownContextError as exc:
        raise jsonld.JsonLdError(
            f"Context {url} is not available offline.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading remote context failed",
        ) from exc
    # pyld may annotate what it is given; hand out a copy so the cached file stays pristine.
    # The "static" tag lets pyld keep the resolved context in its process-wide cache, so each
    # context file is resolved and processed once per process instead of once per document.
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(document),
        "tag": "static",
    }


class _Processor(jsonld.JsonLdProcessor):
    """pyld's processor with type-scoped contexts memoised across documents.

    pyld caches a processed context per (resolved context, active context id), but applying a
    type-scoped context (``Achievement``, ``Profile``, ``AchievementSubject``…) first clones the
    active context without its id, so the cache never hits and the OB 3.0 scoped contexts are
    re-processed for every node of every credential. Here the result is memoised by the active
    context's id and the identity of the scoped context object. Both are stable: active contexts
    come from pyld's process-wide cache (the loader tags contexts ``static``) and scoped contexts
    are objects inside those cached context documents, which the cache entry keeps alive (so an
    ``id`` cannot be reused while cached). Processed contexts are immutable once returned.
    """

    _scoped: OrderedDict[tuple[str, int, bool], tuple[Any, Any]] = OrderedDict()
    _lock = threading.Lock()
    MAX_ENTRIES = 4096

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        active_id = active_ctx.get("_uuid") if isinstance(active_ctx, dict | frozendict) else None
        key: tuple[str, int, bool] | None = None
        if not propagate and active_id is not None and isinstance(local_ctx, dict):
            key = (active_id, id(local_ctx), override_protected)
            hit = self._scoped.get(key)
            if hit is not None and hit[0] is local_ctx:
                return hit[1]
        result = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
        if key is not None:
            with self._lock:
                self._scoped[key] = (local_ctx, result)
                while len(self._scoped) > self.MAX_ENTRIES:
                    self._scoped.popitem(last=False)
        return result

    def _graph_to_rdf(self, graph: Any, issuer: Any, options: Any) -> Any:
        # pyld silently skips triples whose subject, predicate, type or object is a relative IRI
        # (an undefined type name such as "ProfilX"): the signature would not cover them.
        for node_id, node in graph.items():
            _require_absolute(node_id)
            for prop, items in node.items():
                if prop == "@type":
                    for value in items:
                        _require_absolute(value)
                    continue
                if prop.startswith("@"):
                    continue
                _require_absolute(prop)
                for item in items:
                    _require_absolute_object(item)
        return super()._graph_to_rdf(graph, issuer, options)


def _require_absolute(value: Any) -> None:
    if isinstance(value, str) and not value.startswith("_:") and not _is_absolute_iri(value):
        raise UndefinedTermError(f"{value} (not an absolute IRI)")


def _require_absolute_object(item: Any) -> None:
    if not isinstance(item, dict | frozendict) or "@value" in item:
        return
    if "@list" in item:
        for member in item["@list"]:
            _require_absolute_object(member)
        return
    _require_absolute(item.get("@id"))


def canonicalize(document: dict[str, Any]) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of ``document``.

    Raises ``UnknownContextError`` when the document needs a context that is not shipped.
    """
    try:
        processor = _Processor(on_property_dropped=_refuse_dropped)
        return processor.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                # No base: a relative IRI must never be resolved against a made-up one.
                "base": None,
            },
        )
    except jsonld.JsonLdError as exc:
        dropped = _cause_of_type(exc, UndefinedTermError)
        if dropped is not None:
            raise dropped from exc
        url = _unknown_context_in(exc)
        if url:
            raise UnknownContextError(url) from exc
        raise


def _unknown_context_in(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UnknownContextError):
            return str(current)
        details = getattr(current, "details", None)
        if isinstance(details, dict) and details.get("url") and "offline" in str(current):
            return str(details["url"])
        cause = getattr(current, "cause", None)
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


def _cause_of_type(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        cause = getattr(current, "cause", None)
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None
