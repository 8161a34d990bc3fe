"""Hypothesis strategies for hostile JSON and text, shared by the property tests.

Everything here produces JSON *text* (``str``), not Python values: nesting ten thousand deep,
``1e400`` and a lone ``\\ud800`` escape cannot all be built as Python values and dumped, and
what the server must survive is the text a client sends anyway.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

__all__ = [
    "DEPTHS",
    "HOSTILE_NUMBER_TOKENS",
    "field_paths",
    "hostile_json_text",
    "hostile_text",
    "query_string",
    "substitute",
]

# Around the documented limit (64), around the parser's own recursion limit, and far beyond.
DEPTHS = (63, 64, 65, 100, 900, 1_100, 10_000)
HOSTILE_NUMBER_TOKENS = (
    "1e400",
    "-1e400",
    "1e309",
    "1e-400",
    "NaN",
    "Infinity",
    "-Infinity",
    "1" + "0" * 400,
    "-0",
    "0.1e1",
    "9007199254740993",
)
# Characters that break storage or encoding: NUL, both kinds of lone surrogate, a valid pair
# (which is fine), other controls, and multi-byte ones.
_HOSTILE_CHARS = ["\x00", "\ud800", "\udbff", "\udc00", "\udfff", "\x01", "\x7f", "é", "😀"]

_ALL_CHARS = st.characters(exclude_categories=())  # surrogates too, unlike the default
hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.one_of(st.sampled_from(_HOSTILE_CHARS), _ALL_CHARS), max_size=12),
    st.sampled_from(["", "\x00", "\ud800", "a\x00b", "x\udfffy", "\ud83d\ude00"]),
    # Longer than the columns that keep identifiers (512) and media types (255).
    st.sampled_from(["http://example.com/" + "a" * 600, "x" * 513, "text/" + "y" * 300]),
)


def _dumps(value: Any) -> str:
    # ensure_ascii writes lone surrogates as \\uXXXX escapes, as a JavaScript client would.
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(hostile_text, children, max_size=4),
    ),
    max_leaves=12,
)


def _nested(depth: int, opener: str) -> str:
    if opener == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


deep_json_text = st.builds(_nested, st.sampled_from(DEPTHS), st.sampled_from(["[", "{"]))

hostile_json_text = st.one_of(
    json_values.map(_dumps),
    st.sampled_from(HOSTILE_NUMBER_TOKENS),
    deep_json_text,
    st.lists(st.sampled_from(HOSTILE_NUMBER_TOKENS), min_size=1, max_size=3).map(
        lambda tokens: "[" + ",".join(tokens) + "]"
    ),
)
"""A JSON text: arbitrary values of every type (wrong types included), deep nesting, numbers
beyond a double, NaN and Infinity, NUL and lone surrogates in strings and keys."""


def field_paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path in a JSON value, containers included (so a whole ``result`` is replaced
    too), as tuples of keys and indexes."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, member in value.items():
            found.extend(field_paths(member, (*path, key)))
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found.extend(field_paths(member, (*path, index)))
    return found


_PLACEHOLDER = "\u0001hostile\u0001"


def substitute(document: Any, path: tuple, json_text: str) -> str:
    """The JSON text of ``document`` with the value at ``path`` replaced by ``json_text``."""
    copy = json.loads(json.dumps(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = _PLACEHOLDER
    return json.dumps(copy).replace(json.dumps(_PLACEHOLDER), json_text)


def query_string(params: dict[str, str]) -> str:
    """A query string from any text, lone surrogates included (sent as their WTF-8 bytes,
    which is what a client with a broken encoder sends)."""
    return "&".join(
        f"{quote(name.encode('utf-8', 'surrogatepass'), safe='')}="
        f"{quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in params.items()
    )
