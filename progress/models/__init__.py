"""Models of the progress app, one module per area."""

from .identity import LearnerIdentity
from .lrs import (
    LRSActivity,
    LRSAttachment,
    LRSClient,
    LRSDocument,
    Statement,
    StatementActivity,
    StatementAgent,
)

__all__ = [
    "LRSActivity",
    "LRSAttachment",
    "LRSClient",
    "LRSDocument",
    "LearnerIdentity",
    "Statement",
    "StatementActivity",
    "StatementAgent",
]
