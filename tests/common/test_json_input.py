"""common.json_input: the limits every JSON body meets, on examples and on arbitrary text."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given

from common.json_input import (
    MAX_JSON_DEPTH,
    UnsafeInputError,
    check_decoded,
    check_json_value,
    check_text,
    decode,
    loads,
)
from tests.support.json_strategies import hostile_json_text


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _leaves(value: object):
    if isinstance(value, dict):
        for key, member in value.items():
            yield key
            yield from _leaves(member)
    elif isinstance(value, list):
        for member in value:
            yield from _leaves(member)
    else:
        yield value


@given(hostile_json_text)
def test_loads_either_refuses_with_a_path_and_rule_or_returns_storable_json(text):
    try:
        value = loads(text, "body")
    except UnsafeInputError as exc:
        assert exc.rule in {"json.depth", "number.finite", "text.nul", "text.surrogate"}
        assert exc.path.startswith("body")
        exc.path.encode("utf-8")  # the path can be answered and logged
        assert "\x00" not in exc.path
        return
    except ValueError:
        return  # not JSON at all (e.g. an integer with too many digits): the caller's 400
    assert _depth(value) <= MAX_JSON_DEPTH
    for leaf in _leaves(value):
        if isinstance(leaf, float):
            assert math.isfinite(leaf)
        if isinstance(leaf, str):
            assert "\x00" not in leaf
            leaf.encode("utf-8")
    # What was accepted survives a round trip through strict JSON, as JSONB needs.
    assert json.loads(json.dumps(value, allow_nan=False, ensure_ascii=False)) == value


def test_depth_limit_is_inclusive():
    assert loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(UnsafeInputError) as caught:
        loads('{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}", "x")
    assert caught.value.rule == "json.depth"
    # The object is level 1, "a" level 2: the array at level 65 is a[0]...[0], 63 indexes in.
    assert caught.value.path == "x.a" + "[0]" * (MAX_JSON_DEPTH - 1)


def test_parser_recursion_is_refused_as_too_deep_at_the_root():
    with pytest.raises(UnsafeInputError) as caught:
        loads("[" * 100_000 + "]" * 100_000, "body")
    assert (caught.value.path, caught.value.rule) == ("body", "json.depth")


@pytest.mark.parametrize(
    ("text", "path", "rule"),
    [
        ('{"a": 1e400}', "a", "number.finite"),
        ('{"a": [1, -1e309]}', "a[1]", "number.finite"),
        ('{"a": NaN}', "a", "number.finite"),
        ('{"a": ' + "9" * 400 + "}", "a", "number.finite"),
        ('{"a\\u0000": 1}', "a\\u0000", "text.nul"),
        ('{"a": "\\udc00"}', "a", "text.surrogate"),
        ('{"\\ud800": 1}', "\\ud800", "text.surrogate"),
    ],
)
def test_refusals_name_the_path_and_rule(text, path, rule):
    with pytest.raises(UnsafeInputError) as caught:
        loads(text)
    assert (caught.value.path, caught.value.rule) == (path, rule)


def test_a_surrogate_pair_and_large_finite_numbers_are_accepted():
    assert loads('["\\ud83d\\ude00", 1e308, -1e-400, 0.5]') == ["😀", 1e308, -0.0, 0.5]


def test_check_text_on_plain_strings():
    check_text("ñandú 😀", "name")
    with pytest.raises(UnsafeInputError):
        check_text("a\x00", "name")
    with pytest.raises(UnsafeInputError):
        check_text("\ud800", "name")


def _outcome(check, data, value):
    try:
        check(data, value)
    except UnsafeInputError as exc:
        return exc.path, exc.rule
    return None


def _full_walk(data, value):
    check_json_value(value, "body")


def _checked_from_text(data, value):
    check_decoded(data, value, "body")


@given(hostile_json_text)
def test_check_decoded_refuses_exactly_what_the_full_walk_refuses(text):
    for encoding in ("utf-8", "utf-16"):
        data = text.encode(encoding, "surrogatepass")
        try:
            value = decode(data, "body")
        except (ValueError, UnicodeDecodeError):
            continue
        assert _outcome(_checked_from_text, data, value) == _outcome(_full_walk, data, value)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": "\\u0000"}',
        b'{"\\u0000": 1}',
        b'["\\ud800"]',
        b'["\\uDC00x"]',
        b'["\xed\xa0\x80"]',  # an encoded lone surrogate, which json.loads lets through
        b"[1e400]",
        b"[-1E+999]",
        b"[NaN]",
        b"[-Infinity]",
        b"[" + b"9" * 400 + b"]",
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        '{"a": "\\u0000"}'.encode("utf-16"),
    ],
)
def test_check_decoded_refuses_with_the_full_walks_path_and_rule(data):
    value = decode(data, "body")
    expected = _outcome(_full_walk, data, value)
    assert expected is not None
    assert _outcome(_checked_from_text, data, value) == expected


def test_check_decoded_accepts_clean_statements_and_deep_enough_json():
    clean = b'[{"verb": {"id": "x:y"}, "n": 1.5e10, "k": "\\u00e9", "i": -12}]'
    assert check_decoded(clean, decode(clean)) is None
    deep = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert check_decoded(deep, decode(deep)) is None
