"""One type for input a service refuses, so the API maps it in one place.

A service that refuses its input raises :class:`InputError` (or a subclass that keeps its own
name and constructor): ``field`` is where the problem is, as a dotted path into the service's
input (``group_by``, ``answers.q1``, ``params.sector``; ``None`` for the input as a whole),
``rule`` the rule broken as a short machine code (``required``, ``json.depth``,
``too_many_groups``), ``message`` the sentence for a person, translated where the service
translates. The API's exception handler (``lms.api_errors``) turns any of them into a 400 in
the error shape of :mod:`common.api`; a web page shows ``message``.
"""

from __future__ import annotations

from typing import Self

__all__ = ["InputError"]


class InputError(ValueError):
    """Input that breaks a rule: ``field`` (dotted path or ``None``), ``rule``, ``message``."""

    status_code = 400

    def __init__(self, field: str | None, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field or None
        self.rule = rule
        self.message = message

    def within(self, prefix: str) -> Self:
        """This error, its field now a member of ``prefix`` (``sector`` → ``params.sector``),
        for a service whose input holds another's: re-raise it after calling this."""
        self.field = f"{prefix}.{self.field}" if self.field else prefix
        return self
