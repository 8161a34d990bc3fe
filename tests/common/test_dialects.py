"""Dialect backends: one module per dialect, chosen once per database alias."""

from __future__ import annotations

import pytest
from django.db import connection

from common.dialects import dialect_module


@pytest.mark.parametrize("package", ["progress.engine.backends", "reports.backends"])
def test_each_app_gets_the_module_of_its_databases_dialect(package):
    from importlib import import_module

    chosen = import_module(package).backend("default")
    expected = "postgresql" if connection.vendor == "postgresql" else "portable"
    assert chosen is import_module(f"{package}.{expected}")


def test_a_database_without_a_module_of_its_own_gets_the_portable_one(monkeypatch):
    from django.db import connections

    dialect_module.cache_clear()
    monkeypatch.setattr(connections["default"], "vendor", "mysql")
    try:
        assert dialect_module("reports.backends", "default").__name__ == "reports.backends.portable"
    finally:
        dialect_module.cache_clear()


def test_the_choice_is_made_once_per_alias(monkeypatch):
    from django.db import connections

    dialect_module.cache_clear()
    first = dialect_module("reports.backends", "default")
    # Were the vendor read again, this would choose another module.
    monkeypatch.setattr(
        connections["default"],
        "vendor",
        "oracle" if first.__name__.endswith("postgresql") else "postgresql",
    )
    try:
        assert dialect_module("reports.backends", "default") is first
    finally:
        dialect_module.cache_clear()
