"""Fixtures of these tests."""

import pytest

from tests.lrs.xapi_fixtures import xapi  # noqa: F401  (the LRS test client fixture)


def pytest_collection_modifyitems(config, items) -> None:
    """In a site with the LRS alone (tests/lrs/settings_standalone.py), tests of the LRS's
    Wagtail admin screens and of Capacita's own settings have nothing to test: skip them."""
    from django.apps import apps

    missing = {
        "wagtail_admin": not apps.is_installed("wagtail.admin"),
        "capacita": not apps.is_installed("lms"),
    }
    for item in items:
        for marker, absent in missing.items():
            if absent and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"this site has no {marker}"))
