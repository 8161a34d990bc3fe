"""1EdTech's OB 3.0 AchievementCredential JSON Schema, as the tests apply it.

The schema file (``data/ob_v3p0_achievementcredential_schema.json``, source and hash in
``data/README.md``) is kept byte-for-byte. Its generated schema still follows the VC Data Model
1.1 (``issuanceDate`` required); OB 3.0 credentials on the VC Data Model 2.0, which ours are
(context 3.0.3), carry ``validFrom``/``validUntil`` instead, and the credentials v2 context does
not define ``issuanceDate`` at all. ``vcdm2_schema`` makes exactly that substitution and nothing
else; ``test_ob3_schema`` proves the unmodified schema finds nothing else to reject.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft201909Validator

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "ob_v3p0_achievementcredential_schema.json"
_DATE_TIME = {"type": "string", "format": "date-time"}


@functools.cache
def original_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


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


@functools.cache
def vcdm2_schema() -> dict[str, Any]:
    """The schema with ``issuanceDate`` (VCDM 1.1) read as ``validFrom`` (VCDM 2.0)."""
    schema = copy.deepcopy(original_schema())
    _to_vcdm2(schema)
    return schema


def errors(document: dict[str, Any], *, schema: dict[str, Any] | None = None) -> list[str]:
    """Every violation of the schema (with its JSON path), formats checked; empty when valid."""
    validator = Draft201909Validator(
        schema or vcdm2_schema(), format_checker=Draft201909Validator.FORMAT_CHECKER
    )
    return sorted(
        f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)
    )
