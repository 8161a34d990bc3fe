"""Fixtures of the course tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and Wagtail's site-root cache must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _restore_migration_data(django_db_setup, django_db_blocker):
    """Put back what the migrations seeded (catalogs, facets, groups, Wagtail's root) when a
    transactional test (the browser tests, a worker test) flushed the database.

    ``serialized_rollback`` reloads the data before each such test but not after the last
    one; with ``--reuse-db`` the next session would otherwise start with an empty database.
    """
    yield
    from django.db import connections
    from wagtail.models import Page

    with django_db_blocker.unblock():
        if Page.objects.exists():  # nothing was flushed
            return
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
