"""Fixtures of the course tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and Wagtail's site-root cache must not leak between tests."""
    cache.clear()
    yield
    cache.clear()
