"""The limits every JSON body and text input meets before anything reads or stores it.

Python's ``json`` module accepts what the rest of the stack cannot hold: ``1e400`` becomes
``inf`` (PostgreSQL's JSONB and JSON itself have no such number), ``"\\u0000"`` becomes a NUL
(PostgreSQL refuses it in text and JSONB), ``"\\ud800"`` becomes a lone surrogate (which cannot
be encoded as UTF-8 when answered or stored) and ten thousand nested brackets exhaust the
parser's recursion. Each of those used to surface as a 500 long after parsing. Here they are
refused at the door with the path of the offending value and the rule it broke; the xAPI
validation (``lrs.validation``) and the API's JSON parser (``common.parsers``) call
these functions and map :class:`UnsafeInputError` to their own error shapes, once each.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from common.errors import InputError

__all__ = [
    "MAX_JSON_DEPTH",
    "UnsafeInputError",
    "check_decoded",
    "check_json_value",
    "check_text",
    "decode",
    "join_path",
    "loads",
    "printable_path",
]

# Arrays and objects nested deeper than this are refused. xAPI statements need about a dozen
# levels (statement > context > contextActivities > parent > definition > extensions > value),
# and no document or API body of Capacita needs more than a few; 64 leaves room for activity
# providers' own extension values and State documents while keeping every walk cheap.
MAX_JSON_DEPTH = 64
_FLOAT_MAX = sys.float_info.max


class UnsafeInputError(InputError):
    """A value that no part of the stack can hold; ``path`` names it (``field`` too, ``None``
    for the document as a whole), ``rule`` the rule."""

    def __init__(self, path: str, rule: str, message: str) -> None:
        path = printable_path(path)
        super().__init__(path, rule, message)
        self.args = (f"{path}: {message}" if path else message,)
        self.path = path


def printable_path(path: str) -> str:
    """A path that can be answered and logged: an offending key's NUL and unpaired surrogates
    are written as JSON escapes (``\\u0000``, ``\\ud800``) instead of being echoed."""
    if "\x00" in path:
        path = path.replace("\x00", "\\u0000")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        path = "".join(
            f"\\u{ord(char):04x}" if 0xD800 <= ord(char) <= 0xDFFF else char for char in path
        )
    return path


def join_path(path: str, key: str | int) -> str:
    """The path of a member: ``a.b`` for an object key, ``a[0]`` for an array index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check_text(value: str, path: str) -> None:
    """Refuse NUL characters and unpaired UTF-16 surrogates in a string."""
    if "\x00" in value:
        raise UnsafeInputError(path, "text.nul", "must not contain the NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Only a surrogate code point (U+D800..U+DFFF) makes a str unencodable as UTF-8, and
        # JSON's parser joins a valid pair into one character, so what is left is unpaired.
        raise UnsafeInputError(
            path, "text.surrogate", "must not contain an unpaired surrogate (U+D800..U+DFFF)"
        ) from None


def _check_number(value: int | float, path: str) -> None:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeInputError(
                path, "number.finite", "must be a finite number (no NaN, Infinity or overflow)"
            )
    elif not -_FLOAT_MAX <= value <= _FLOAT_MAX:
        # Integers beyond a double's range overflow wherever they meet a float (scores,
        # JSONB comparisons, JavaScript clients), so they are refused like 1e400.
        raise UnsafeInputError(
            path, "number.finite", "must be a finite number within the range of a double"
        )


def check_json_value(value: Any, path: str = "", *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Walk a parsed JSON value (iteratively, so depth cannot exhaust the stack) and refuse
    nesting beyond ``max_depth``, non-finite or out-of-range numbers, NUL and unpaired
    surrogates in strings and in object keys. Raises :class:`UnsafeInputError` at the first."""
    stack: list[tuple[Any, str, int]] = [(value, path, 1)]
    while stack:
        item, item_path, depth = stack.pop()
        if isinstance(item, dict):
            if depth > max_depth:
                raise _too_deep(item_path, max_depth)
            children = []
            for key, member in item.items():
                member_path = join_path(item_path, key) if isinstance(key, str) else item_path
                if isinstance(key, str):
                    check_text(key, member_path)
                children.append((member, member_path, depth + 1))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            if depth > max_depth:
                raise _too_deep(item_path, max_depth)
            stack.extend(
                (member, join_path(item_path, index), depth + 1)
                for index, member in reversed(list(enumerate(item)))
            )
        elif isinstance(item, str):
            check_text(item, item_path)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            _check_number(item, item_path)


def _too_deep(path: str, max_depth: int) -> UnsafeInputError:
    return UnsafeInputError(
        path, "json.depth", f"JSON must not nest arrays and objects more than {max_depth} deep"
    )


# What, in UTF-8 JSON text, could decode to a string check_text refuses: a NUL or a surrogate
# escape (JSON strings cannot hold a raw NUL or any other control character), or a raw encoded
# surrogate (json.loads decodes bytes with "surrogatepass"; every such sequence starts with
# 0xED). Found inside a longer escape (``\\u0000``) they are harmless false alarms: they only
# send the body to the full walk.
_SUSPECT_TEXT = (b"\\u0000", b"\\ud", b"\\uD", b"\xed")


def _within_limits(value: Any, max_depth: int) -> bool:
    """Whether no array or object nests deeper than ``max_depth`` and every number is finite
    and within a double's range (strings are left to ``_SUSPECT_TEXT``)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return False
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is float:
                if child - child != 0.0:  # inf - inf and nan - nan are nan
                    return False
            elif kind is int and not -_FLOAT_MAX <= child <= _FLOAT_MAX:
                return False
    return True


def check_decoded(
    data: bytes | str, value: Any, path: str = "", *, max_depth: int = MAX_JSON_DEPTH
) -> None:
    """:func:`check_json_value` for ``value`` parsed from ``data``, cheaper for clean input.

    For an array or object parsed from UTF-8 text in which no string can hold a refused
    character (see ``_SUSPECT_TEXT``), one walk over the containers checks nesting and
    numbers without building paths; anything else, and every refusal, goes through the full
    walk, so errors and their paths are exactly those of :func:`check_json_value`. On the
    statement path the full walk cost a quarter of the LRS's CPU per stored statement."""
    if (
        isinstance(data, bytes)
        and (type(value) is dict or type(value) is list)
        and json.detect_encoding(data) == "utf-8"
        and not any(suspect in data for suspect in _SUSPECT_TEXT)
        and _within_limits(value, max_depth)
    ):
        return
    check_json_value(value, path, max_depth=max_depth)


def decode(data: bytes | str, path: str = "", *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON without checking the values; nesting that exhausts the parser is refused
    as too deep. Callers must still run :func:`check_json_value` (or use :func:`loads`)."""
    try:
        return json.loads(data)
    except RecursionError:
        # The C parser gives up near the interpreter's recursion limit, far beyond max_depth.
        raise _too_deep(path, max_depth) from None


def loads(data: bytes | str, path: str = "", *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON and check it with :func:`check_json_value`.

    Raises ``ValueError`` for text that is not JSON (``json.JSONDecodeError`` or
    ``UnicodeDecodeError``) and :class:`UnsafeInputError` (also a ``ValueError``) for JSON that
    breaks a limit; callers that must tell the two apart catch the latter first."""
    value = decode(data, path, max_depth=max_depth)
    check_decoded(data, value, path, max_depth=max_depth)
    return value
