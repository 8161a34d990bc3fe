"""An in-memory external LRS for tests: it behaves like a conformant one on PUT by id."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from .base import OK, REJECTED, RETRY, ForwardResult
from .tincan_client import to_tincan

XAPI_VERSION = "1.0.3"


class InMemoryForwarder:
    """Keeps forwarded statements in a class-level dict (shared by every instance, like a
    server would be). ``down`` makes it answer like an unreachable LRS; ``reject_ids`` makes
    it answer 400 for those statements."""

    statements: ClassVar[dict[str, dict[str, Any]]] = {}
    puts: ClassVar[list[str]] = []
    down: ClassVar[bool] = False
    reject_ids: ClassVar[set[str]] = set()

    def __init__(self, **_config: Any) -> None:
        pass

    @classmethod
    def reset(cls) -> None:
        cls.statements = {}
        cls.puts = []
        cls.down = False
        cls.reject_ids = set()

    def send(self, statement: dict[str, Any]) -> ForwardResult:
        """Store it unless down or rejecting; an identical repeat is a no-op, like an LRS."""
        if self.down:
            return ForwardResult(RETRY, None, "ConnectionRefusedError: fake LRS is down")
        statement_id = str(statement["id"])
        self.puts.append(statement_id)
        if statement_id in self.reject_ids:
            return ForwardResult(REJECTED, 400, "rejected by the fake LRS")
        serialised = to_tincan(statement).to_json(XAPI_VERSION)
        existing = self.statements.get(statement_id)
        if existing is not None and existing["json"] != serialised:
            return ForwardResult(REJECTED, 409, "a different statement has this id")
        self.statements[statement_id] = {"json": serialised, "statement": copy.deepcopy(statement)}
        return ForwardResult(OK, 204)
