"""The Open Badges 3.0 AchievementCredential JSON Schema, as the tests apply it.

``data/ob3_achievementcredential.schema.json`` is our own schema, written from the OB 3.0 data
model and the W3C VC Data Model 2.0 (sources in ``data/README.md``); every credential the tests
issue is validated against it.

An operator may also point ``LMS_TEST_OB3_SCHEMA`` at a local copy of 1EdTech's generated
schema (not kept in this repository; its pinned SHA-256 is ``PINNED_1EDTECH_SHA256``). That
schema still follows the VC Data Model 1.1 (``issuanceDate`` required); our credentials follow
the VC Data Model 2.0 (context 3.0.3), whose context defines ``validFrom``/``validUntil`` and not
``issuanceDate``. ``vcdm2(...)`` makes exactly that substitution and nothing else.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from jsonschema.validators import validator_for

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "ob3_achievementcredential.schema.json"
OPERATOR_SCHEMA_ENV = "LMS_TEST_OB3_SCHEMA"
# docs/schema/achievementcredential.json of 1EdTech/openbadges-specification at commit
# e0fdb03dfe8e710508d690ba6d612d0b913e3ac8 (the version with the 3.0.1 errata).
PINNED_1EDTECH_SHA256 = "513c2b614bb1598f7ad2617854e06f5aa50bc2588e8efc433972de48635081e7"
PINNED_1EDTECH_COMMIT = "e0fdb03dfe8e710508d690ba6d612d0b913e3ac8"
_DATE_TIME = {"type": "string", "format": "date-time"}


@functools.cache
def our_schema() -> dict[str, Any]:
    """Our schema (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def operator_schema_path() -> Path | None:
    """The file ``LMS_TEST_OB3_SCHEMA`` names, or None when the variable is unset or empty."""
    value = os.environ.get(OPERATOR_SCHEMA_ENV, "").strip()
    return Path(value) if value else None


def operator_schema_skip_reason() -> str | None:
    """Why the checks against 1EdTech's schema cannot run (None when they can)."""
    path = operator_schema_path()
    if path is None:
        return (
            f"{OPERATOR_SCHEMA_ENV} is not set: the extra check against a local copy of "
            "1EdTech's generated OB 3.0 schema is skipped (see tests/credentials/data/README.md)"
        )
    if not path.is_file():
        return f"{OPERATOR_SCHEMA_ENV}={path} is not a file"
    return None


@functools.cache
def _load(path: Path) -> tuple[bytes, dict[str, Any]]:
    data = path.read_bytes()
    return data, json.loads(data)


def operator_schema_bytes() -> bytes:
    path = operator_schema_path()
    assert path is not None
    return _load(path)[0]


def operator_schema() -> dict[str, Any]:
    """1EdTech's schema exactly as the operator's file has it."""
    path = operator_schema_path()
    assert path is not None
    return _load(path)[1]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _to_vcdm2(node: Any) -> None:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and "issuanceDate" in properties:
            properties["validFrom"] = dict(_DATE_TIME)
            properties["validUntil"] = dict(_DATE_TIME)
        required = node.get("required")
        if isinstance(required, list) and "issuanceDate" in required:
            node["required"] = [
                "validFrom" if name == "issuanceDate" else name for name in required
            ]
        for value in node.values():
            _to_vcdm2(value)
    elif isinstance(node, list):
        for value in node:
            _to_vcdm2(value)


def vcdm2(original: dict[str, Any]) -> dict[str, Any]:
    """``original`` with ``issuanceDate`` (VCDM 1.1) read as ``validFrom`` (VCDM 2.0)."""
    converted = copy.deepcopy(original)
    _to_vcdm2(converted)
    return converted


@functools.cache
def operator_vcdm2_schema() -> dict[str, Any]:
    return vcdm2(operator_schema())


def errors(document: dict[str, Any], *, schema: dict[str, Any] | None = None) -> list[str]:
    """Every violation of ``schema`` (ours by default; the validator its ``$schema`` names),
    formats checked, each with its JSON path; empty when valid."""
    chosen = schema if schema is not None else our_schema()
    validator_class = validator_for(chosen)
    validator = validator_class(chosen, format_checker=validator_class.FORMAT_CHECKER)
    return sorted(
        f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)
    )
