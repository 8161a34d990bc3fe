"""Fixtures of these tests."""

from tests.lrs.xapi_fixtures import xapi  # noqa: F401  (the LRS test client fixture)
