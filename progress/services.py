"""Writes of the progress app that other code may use."""

from __future__ import annotations

import copy
import uuid

from progress.xapi.auth import lms_authority
from progress.xapi.errors import XAPIError
from progress.xapi.services import StoreContext, statements_store_checked
from progress.xapi.validation import validate_statements

__all__ = ["XAPIError", "statements_store"]


def statements_store(*, statements: list[dict], authority: dict | None = None) -> list[uuid.UUID]:
    """Store statements without HTTP, with the same rules as the LRS endpoint.

    Validated and atomic: raises ``XAPIValidationError`` (a rule broken, with its path) or
    ``XAPIError`` (409 conflict, voiding a voiding statement) and stores nothing in that case.
    ``authority`` defaults to Capacita's own agent. Sends ``statements_stored`` inside the
    transaction like the endpoint does. Returns the statement ids in order.
    """
    statements = copy.deepcopy(statements)
    validate_statements(statements)
    ctx = StoreContext(authority=authority or lms_authority())
    return [uuid.UUID(sid) for sid in statements_store_checked(statements, ctx)]
