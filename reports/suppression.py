"""Small-cell suppression for one- and two-dimension tables of counts.

Primary suppression hides every cell whose population is below ``k`` (but above zero: an empty
cell reveals no one). Complementary suppression then protects published totals against
subtraction: in every line (a row or a column together with its published marginal total),
one hidden cell alone could be recovered as ``total - sum(visible cells)``, so whenever exactly
one cell of a line is hidden, the smallest other non-empty visible cell of that line is hidden
too (or, if there is none, the line's total). Hiding a cell can open another line, so the pass
repeats until nothing changes. Margins take part as cells of the crossing lines, which makes the
two-dimension case (rows, columns, row totals, column totals, grand total) one procedure.

Ties are broken by key so the outcome never depends on the database's row order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

TOTAL = "__total__"

Key = tuple[Hashable, Hashable]
_Category = TypeVar("_Category", bound=Hashable)


@dataclass(frozen=True)
class Line:
    """Cells whose counts add up to ``total`` (a published marginal)."""

    cells: tuple[Key, ...]
    total: Key


def primary(counts: Mapping[Key, int], k: int) -> set[Key]:
    """Keys of the cells with ``0 < count < k``."""
    return {key for key, count in counts.items() if 0 < count < k}


def complementary(counts: Mapping[Key, int], lines: Iterable[Line], hidden: set[Key]) -> set[Key]:
    """Extend ``hidden`` until no line has exactly one hidden cell that subtraction would reveal."""
    hidden = set(hidden)
    lines = list(lines)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if line.total in hidden:
                # An unpublished total gives nothing to subtract from.
                continue
            members = [key for key in line.cells if counts.get(key, 0) > 0]
            hidden_members = [key for key in members if key in hidden]
            if len(hidden_members) != 1:
                continue
            candidates = sorted(
                (key for key in members if key not in hidden),
                key=lambda key: (counts[key], repr(key)),
            )
            hidden.add(candidates[0] if candidates else line.total)
            changed = True
    return hidden


def suppress_one_dimension(counts: Mapping[_Category, int], total: int, k: int) -> set[Hashable]:
    """Hidden categories of a one-dimension table whose grand ``total`` is published.

    Returns the hidden category keys; ``TOTAL`` is among them when the total itself must go.
    """
    grid: dict[Key, int] = {(category, TOTAL): count for category, count in counts.items()}
    grid[(TOTAL, TOTAL)] = total
    hidden = primary(grid, k)
    line = Line(cells=tuple((category, TOTAL) for category in counts), total=(TOTAL, TOTAL))
    hidden = complementary(grid, [line], hidden)
    return {row for row, _ in hidden}


def suppress_two_dimensions(
    cells: Mapping[Key, int],
    row_totals: Mapping[Hashable, int],
    column_totals: Mapping[Hashable, int],
    grand_total: int,
    k: int,
) -> set[Key]:
    """Hidden keys of a two-dimension table with its margins.

    Keys are ``(row, column)`` for inner cells, ``(row, TOTAL)`` for row totals,
    ``(TOTAL, column)`` for column totals and ``(TOTAL, TOTAL)`` for the grand total.
    """
    grid: dict[Key, int] = dict(cells)
    for row, count in row_totals.items():
        grid[(row, TOTAL)] = count
    for column, count in column_totals.items():
        grid[(TOTAL, column)] = count
    grid[(TOTAL, TOTAL)] = grand_total
    rows = list(row_totals)
    columns = list(column_totals)
    lines: list[Line] = []
    for row in rows:
        lines.append(Line(tuple((row, c) for c in columns if (row, c) in grid), (row, TOTAL)))
    for column in columns:
        lines.append(Line(tuple((r, column) for r in rows if (r, column) in grid), (TOTAL, column)))
    lines.append(Line(tuple((row, TOTAL) for row in rows), (TOTAL, TOTAL)))
    lines.append(Line(tuple((TOTAL, column) for column in columns), (TOTAL, TOTAL)))
    return complementary(grid, lines, primary(grid, k))
