"""Settings of the LRS, with their defaults (override them in Django settings or, in Capacita,
through environment variables of the same names).

Read them through :data:`app_settings` (``app_settings.LMS_XAPI_MAX_BODY``) or the functions
below; both see ``override_settings``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from common.appconf import AppSettings

__all__ = ["actor_for_user", "app_settings", "max_body", "site_url", "statement_limit"]

app_settings = AppSettings(
    "lrs",
    {
        # Request bodies larger than this many bytes get 413.
        "LMS_XAPI_MAX_BODY": 20 * 1024 * 1024,
        # The most statements one GET returns.
        "LMS_XAPI_STATEMENT_LIMIT": 500,
        # Seconds a cmi5 AU's token keeps working after its session's "terminated" (cmi5
        # section 9.3.8 lets the LMS choose); statements of the session are refused anyway.
        "LMS_CMI5_TERMINATED_GRACE_SECONDS": 60.0,
        # Dotted path of ``function(user=...) -> Agent``: who a signed-in user is in xAPI.
        "LMS_LRS_ACTOR": "lrs.identity.learner_actor",
        # Forwarding to an external LRS: off while the URL is empty.
        "LMS_LRS_FORWARD_URL": "",
        "LMS_LRS_FORWARD_USERNAME": "",
        "LMS_LRS_FORWARD_PASSWORD": "",
        # Adapter class (dotted path); empty = the tincan client of integrations.lrs.
        "LMS_LRS_FORWARDER": "",
        # Seconds one forwarding request may take.
        "LMS_LRS_FORWARD_TIMEOUT": 10.0,
        # Outbox rows one forwarding task claims at a time.
        "LMS_LRS_FORWARD_BATCH_SIZE": 100,
        # Seconds a claim holds; a live worker renews it before each statement.
        "LMS_LRS_FORWARD_LEASE": 30.0,
        # Backoff after a failed try: base x 2^(tries-1) seconds, capped.
        "LMS_LRS_FORWARD_BACKOFF_BASE": 5.0,
        "LMS_LRS_FORWARD_BACKOFF_MAX": 30.0,
        # Seconds the external LRS's /about versions are cached.
        "LMS_LRS_FORWARD_VERSION_CACHE_SECONDS": 600,
        # Seconds between sweeps of the outbox (the delivery guarantee: a lost nudge, a dead
        # worker's lease, a backoff that ran out). A sweep with nothing due is one query.
        "LMS_LRS_FORWARD_SWEEP_SECONDS": 15.0,
        # The statement log (lrs/statement_log/). Whether its consumers run inside the
        # storing transaction: "auto" (when Celery runs eagerly, the embedded default), "true"
        # or "false" (workers drain it).
        "LMS_LRS_LOG_INLINE": "auto",
        # Seconds between sweeps of the log: what a lost nudge, a dead worker or a backoff
        # left due reaches the progress engine and the forwarding outbox within this.
        "LMS_LRS_LOG_SWEEP_SECONDS": 5.0,
        # Entries one worker applies in one transaction.
        "LMS_LRS_LOG_BATCH_SIZE": 200,
        # Tries before a failing entry is parked (visible and retryable in the admin).
        "LMS_LRS_LOG_MAX_ATTEMPTS": 5,
        # Backoff between tries of a failing entry: base x 2^(tries-1) seconds, capped.
        "LMS_LRS_LOG_BACKOFF_BASE": 2.0,
        "LMS_LRS_LOG_BACKOFF_MAX": 300.0,
        # Days applied entries are kept.
        "LMS_LRS_LOG_RETENTION_DAYS": 7.0,
    },
    beat=lambda value: {
        "lrs-forward-statements": {
            "task": "progress.tasks.forward_statements",
            "schedule": float(value("LMS_LRS_FORWARD_SWEEP_SECONDS")),
        },
        "lrs-forward-documents": {
            "task": "lrs.tasks.forward_documents",
            "schedule": float(value("LMS_LRS_FORWARD_SWEEP_SECONDS")),
        },
        "lrs-statement-log-sweep": {
            "task": "lrs.tasks.sweep_statement_log",
            "schedule": float(value("LMS_LRS_LOG_SWEEP_SECONDS")),
        },
    },
)


def max_body() -> int:
    """Request bodies larger than this many bytes get 413 (``LMS_XAPI_MAX_BODY``)."""
    return int(app_settings.LMS_XAPI_MAX_BODY)


def statement_limit() -> int:
    """The most statements one GET returns (``LMS_XAPI_STATEMENT_LIMIT``)."""
    return int(app_settings.LMS_XAPI_STATEMENT_LIMIT)


def site_url() -> str:
    """The site's public address, without a trailing slash (``LMS_SITE_URL``, the host
    project's setting): the home page of account agents the LRS itself names (its clients,
    the default learner actor)."""
    return str(getattr(settings, "LMS_SITE_URL", "http://localhost")).rstrip("/")


def actor_for_user(user: Any) -> dict:
    """The xAPI actor of a signed-in user, from the function named by ``LMS_LRS_ACTOR`` (a
    dotted path; default ``lrs.identity.learner_actor``: an account agent with an opaque,
    permanent name). The function is called as ``function(user=user)`` and returns an Agent."""
    actor: dict = import_string(app_settings.LMS_LRS_ACTOR)(user=user)
    return actor
