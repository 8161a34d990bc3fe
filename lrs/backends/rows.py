"""Row shapes the dialect backends share: the statement table's columns in order, a statement
row as a tuple of them, and how two activity definitions merge."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

from lrs.models import Statement

__all__ = ["STATEMENT_COLUMNS", "merge_definition", "statement_tuple"]

STATEMENT_COLUMNS = (
    "id",
    "statement_id",
    "data",
    "actor_ifi",
    "verb",
    "activity",
    "registration",
    "ref_target",
    "voiding",
    "voided",
    "has_attachments",
    "stored",
    "timestamp",
    "client_id",
    "user_id",
)

if tuple(f.attname for f in Statement._meta.concrete_fields) != STATEMENT_COLUMNS:
    raise ImproperlyConfigured("STATEMENT_COLUMNS must follow Statement's field order")


def statement_tuple(row: Statement) -> tuple:
    """A statement row's values in ``STATEMENT_COLUMNS`` order, the JSON encoded."""
    return (
        row.id,
        row.statement_id,
        # ASCII escapes: the C encoder's faster path; JSONB stores the same characters.
        json.dumps(row.data),
        row.actor_ifi,
        row.verb,
        row.activity,
        row.registration,
        row.ref_target,
        row.voiding,
        row.voided,
        row.has_attachments,
        row.stored,
        row.timestamp,
        row.client_id,
        row.user_id,
    )


def merge_definition(current: dict, incoming: dict) -> dict:
    """``incoming`` over ``current``: language maps (name, description) joined, the other
    properties replaced."""
    merged = dict(current)
    for key, value in incoming.items():
        if key in ("name", "description") and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
