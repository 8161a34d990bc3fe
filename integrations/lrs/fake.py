"""An in-memory external LRS for tests: it behaves like a conformant one on PUT by id."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, ClassVar

from .base import OK, REJECTED, RETRY, DocumentWrite, ForwardResult
from .tincan_client import statement_body


class InMemoryForwarder:
    """Keeps forwarded statements in a class-level dict (shared by every instance, like a
    server would be). ``down`` makes it answer like an unreachable LRS; ``reject_ids`` makes
    it answer 400 for those statements; ``crash_ids`` makes ``send`` raise for them, like an
    adapter meeting a statement it cannot handle."""

    statements: ClassVar[dict[str, dict[str, Any]]] = {}
    puts: ClassVar[list[str]] = []
    down: ClassVar[bool] = False
    reject_ids: ClassVar[set[str]] = set()
    crash_ids: ClassVar[set[str]] = set()
    # Called with the statement id before each send: lets a test act "while a worker works".
    on_send: ClassVar[Callable[[str], None] | None] = None
    # Documents held, by their resource's query string less nothing (see ``document_key``):
    # ``{"content": bytes, "content_type": str}``; every request, in order, as
    # ``(method, kind, params)``.
    documents: ClassVar[dict[tuple, dict[str, Any]]] = {}
    document_requests: ClassVar[list[tuple[str, str, dict[str, str]]]] = []
    reject_document_ids: ClassVar[set[str]] = set()
    crash_document_ids: ClassVar[set[str]] = set()
    # Called with the document before each send of one.
    on_send_document: ClassVar[Callable[[DocumentWrite], None] | None] = None

    def __init__(self, **_config: Any) -> None:
        pass

    @classmethod
    def reset(cls) -> None:
        cls.statements = {}
        cls.puts = []
        cls.down = False
        cls.reject_ids = set()
        cls.crash_ids = set()
        cls.on_send = None
        cls.documents = {}
        cls.document_requests = []
        cls.reject_document_ids = set()
        cls.crash_document_ids = set()
        cls.on_send_document = None

    def send(self, statement: dict[str, Any]) -> ForwardResult:
        """Store it unless down or rejecting; an identical repeat is a no-op, like an LRS."""
        if self.down:
            return ForwardResult(RETRY, None, "ConnectionRefusedError: fake LRS is down")
        statement_id = str(statement["id"])
        on_send = type(self).on_send
        if on_send is not None:
            on_send(statement_id)
        if statement_id in self.crash_ids:
            raise TypeError("the fake adapter cannot handle this statement")
        self.puts.append(statement_id)
        if statement_id in self.reject_ids:
            return ForwardResult(REJECTED, 400, "rejected by the fake LRS")
        # What the wire carries, compared as JSON values (key order means nothing).
        serialised = json.loads(statement_body(statement))
        existing = self.statements.get(statement_id)
        if existing is not None and existing["json"] != serialised:
            return ForwardResult(REJECTED, 409, "a different statement has this id")
        self.statements[statement_id] = {"json": serialised, "statement": copy.deepcopy(statement)}
        return ForwardResult(OK, 204)

    @staticmethod
    def document_key(document: DocumentWrite) -> tuple:
        return (document.kind, tuple(sorted(document.params().items())))

    def send_document(self, document: DocumentWrite) -> ForwardResult:
        """PUT or DELETE like an LRS would (a DELETE of nothing is fine); ``down``,
        ``reject_document_ids`` and ``crash_document_ids`` as for statements."""
        if self.down:
            return ForwardResult(RETRY, None, "ConnectionRefusedError: fake LRS is down")
        on_send = type(self).on_send_document
        if on_send is not None:
            on_send(document)
        if document.document_id in self.crash_document_ids:
            raise TypeError("the fake adapter cannot handle this document")
        method = "DELETE" if document.deleted else "PUT"
        self.document_requests.append((method, document.kind, document.params()))
        if document.document_id in self.reject_document_ids:
            return ForwardResult(REJECTED, 400, "rejected by the fake LRS")
        key = self.document_key(document)
        if document.content is None:
            self.documents.pop(key, None)
        else:
            self.documents[key] = {
                "content": bytes(document.content),
                "content_type": document.content_type,
            }
        return ForwardResult(OK, 204)
