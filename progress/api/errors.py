"""Error responses of the progress API: the shared shape of ``common.api``."""

from common.api import (
    BAD_REQUEST,
    FORBIDDEN,
    NOT_FOUND,
    UNAUTHENTICATED,
    ErrorSerializer,
    as_drf_validation_error,
)

__all__ = [
    "BAD_REQUEST",
    "FORBIDDEN",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "ErrorSerializer",
    "as_drf_validation_error",
]
