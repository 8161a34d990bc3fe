"""Choose, once per database alias, the module of a backend package written for its dialect.

An app keeps its dialect-specific SQL in a ``backends`` package with one module per dialect
(``postgresql`` for PostgreSQL's own features, ``portable`` for any database Django supports,
SQLite included), and its services call ``backend(alias).<operation>(...)`` instead of
branching on ``connection.vendor``. This module is the one place that reads the vendor.
"""

from __future__ import annotations

import functools
from importlib import import_module
from types import ModuleType

from django.db import connections

__all__ = ["DIALECTS", "dialect_module"]

# Vendors with a module of their own; every other database gets ``portable``.
DIALECTS = frozenset({"postgresql"})
PORTABLE = "portable"


@functools.cache
def dialect_module(package: str, alias: str) -> ModuleType:
    """``<package>.<vendor>`` for the database behind ``alias`` if that dialect has its own
    module, else ``<package>.portable``. Cached: an alias's database does not change vendor
    while the process runs."""
    vendor = connections[alias].vendor
    return import_module(f"{package}.{vendor if vendor in DIALECTS else PORTABLE}")
