"""Fixtures of the progress tests."""

from tests.progress.xapi_fixtures import xapi  # noqa: F401  (the LRS test client fixture)
