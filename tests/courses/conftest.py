"""Fixtures of the course tests."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and Wagtail's site-root cache must not leak between tests."""
    cache.clear()
    yield
    cache.clear()


def _reload(snapshot: str) -> None:
    """Empty the tables without post-migrate signals (which would re-create content types
    that clash with the snapshot's), then load the snapshot, as serialized_rollback does."""
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(snapshot)
    # The rows came back with their ids: move PostgreSQL's sequences past them.
    models = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _flushed() -> bool:
    from wagtail.models import Page

    return not Page.objects.exists()


@pytest.fixture(scope="session", autouse=True)
def _migration_data_snapshot(django_db_setup, django_db_blocker) -> Iterator[str | None]:
    """What the migrations seeded (Wagtail's root and site, locales, catalogs, facets, groups),
    captured at session start and put back at the end if a transactional test (ours or another
    app's) flushed it, so a ``--reuse-db`` session never starts from an empty database."""
    from django.db import connection

    with django_db_blocker.unblock():
        snapshot = None if _flushed() else connection.creation.serialize_db_to_string()
    yield snapshot
    if snapshot:
        with django_db_blocker.unblock():
            if _flushed():
                _reload(snapshot)


@pytest.fixture
def migration_data(_migration_data_snapshot, transactional_db) -> None:
    """For transactional tests: make sure the migration data is there (an earlier
    transactional test may have flushed it)."""
    if _migration_data_snapshot and _flushed():
        _reload(_migration_data_snapshot)
