"""Settings of the LRS, with their defaults (override them in Django settings)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["actor_for_user", "max_body", "site_url", "statement_limit"]


def max_body() -> int:
    """Request bodies larger than this many bytes get 413 (``LMS_XAPI_MAX_BODY``)."""
    return getattr(settings, "LMS_XAPI_MAX_BODY", 20 * 1024 * 1024)


def statement_limit() -> int:
    """The most statements one GET returns (``LMS_XAPI_STATEMENT_LIMIT``)."""
    return getattr(settings, "LMS_XAPI_STATEMENT_LIMIT", 500)


def site_url() -> str:
    """The site's public address, without a trailing slash (``LMS_SITE_URL``): the home page
    of account agents the LRS itself names (its clients, the default learner actor)."""
    return str(getattr(settings, "LMS_SITE_URL", "http://localhost")).rstrip("/")


def actor_for_user(user: Any) -> dict:
    """The xAPI actor of a signed-in user, from the function named by ``LMS_LRS_ACTOR`` (a dotted
    path; default ``lrs.identity.learner_actor``: an account agent with an opaque, permanent
    name). The function is called as ``function(user=user)`` and returns an Agent object."""
    path = getattr(settings, "LMS_LRS_ACTOR", "lrs.identity.learner_actor")
    actor: dict = import_string(path)(user=user)
    return actor
