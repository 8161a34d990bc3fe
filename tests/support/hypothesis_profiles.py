"""Hypothesis profiles: bounded everywhere, deterministic in CI.

``tests/conftest.py`` loads ``ci`` when ``CI`` is set (a fixed seed through ``derandomize``, no
example database, so every run tries the same inputs) and ``dev`` otherwise (random inputs,
failures remembered in ``.hypothesis/``). ``HYPOTHESIS_PROFILE`` picks one explicitly. Both
keep the property tests to a few dozen requests each, well under two minutes in all.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_COMMON = {
    "max_examples": 40,
    # A request with ten thousand nested brackets takes tens of milliseconds; a shared CI
    # machine can be ten times slower. A slower example than this is a finding of its own.
    "deadline": timedelta(seconds=3),
    # The property tests run requests inside pytest-django's per-test transaction and compare
    # row counts around each request, so a function-scoped fixture is what they want.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}

settings.register_profile("ci", derandomize=True, database=None, print_blob=True, **_COMMON)
settings.register_profile("dev", **_COMMON)


def load(in_ci: bool) -> str:
    """Load the profile for this run and return its name."""
    name = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci else "dev")
    settings.load_profile(name)
    return name
