"""Fixtures of the packages tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def author(db):
    """A superuser: may enter the admin and add pages anywhere."""
    return get_user_model().objects.create_superuser("autora@example.mx", "autora@example.mx", "x")


@pytest.fixture
def teacher(db):
    return get_user_model().objects.create_user("docente@example.mx", "docente@example.mx", "x")
