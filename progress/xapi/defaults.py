"""Settings of the LRS, with their defaults (override them in Django settings)."""

from __future__ import annotations

from django.conf import settings

__all__ = ["max_body", "statement_limit"]


def max_body() -> int:
    """Request bodies larger than this many bytes get 413 (``LMS_XAPI_MAX_BODY``)."""
    return getattr(settings, "LMS_XAPI_MAX_BODY", 20 * 1024 * 1024)


def statement_limit() -> int:
    """The most statements one GET returns (``LMS_XAPI_STATEMENT_LIMIT``)."""
    return getattr(settings, "LMS_XAPI_STATEMENT_LIMIT", 500)
