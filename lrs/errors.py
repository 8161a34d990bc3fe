"""Errors of the LRS that carry their HTTP status."""

from __future__ import annotations

__all__ = ["XAPIError"]


class XAPIError(Exception):
    """A request the LRS refuses; ``status`` is the HTTP answer, ``path``/``rule`` name the
    field and the rule when the fault is in the content."""

    def __init__(self, status: int, message: str, *, path: str = "", rule: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.path = path
        self.rule = rule

    def as_dict(self) -> dict[str, str]:
        body = {"error": self.message}
        if self.path:
            body["path"] = self.path
        if self.rule:
            body["rule"] = self.rule
        return body
