"""Why a package is refused: a list of problems, each with the path of what is wrong.

The path is an element path in the manifest (``/courseStructure/au[2]/@masteryScore``), the
name of an entry of the zip (``zip:media/../../etc/passwd``) or ``zip`` for the archive as a
whole. Every check collects its problems instead of stopping at the first one, so an author
fixes a package in one round.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package. ``rule`` is a stable code; ``message`` is for people
    (Spanish first, translated through gettext)."""

    path: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_api_error(self) -> dict[str, str]:
        """The API's error item shape (``common.api.ErrorItemSerializer``)."""
        return {"field": self.path, "rule": self.rule, "message": self.message}


class PackageRefused(Exception):
    """The package cannot be imported; ``problems`` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
        self.problems = problems

    def as_dict(self) -> dict[str, Any]:
        return {"refused": True, "problems": [p.as_dict() for p in self.problems]}
