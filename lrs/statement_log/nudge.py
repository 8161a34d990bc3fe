"""Nudging a worker after a commit, never waiting on a broker that is down."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.db import connection, transaction

logger = logging.getLogger(__name__)

_local = threading.local()
NUDGE_CONNECT_TIMEOUT = 0.5  # seconds; the broker is on the local network


def nudge_on_commit() -> None:
    # One nudge per transaction, however many entries it wrote.
    if any(callback[1] is nudge for callback in connection.run_on_commit):
        return
    transaction.on_commit(nudge)


NUDGE_INTERVAL = 0.25  # seconds: under load, one nudge per process per interval is enough
_nudges = {"last": 0.0, "delayed_until": 0.0}
_nudges_lock = threading.Lock()


def _nudge_countdown() -> float | None:
    """None: publish a nudge now; a number: publish one that runs after so many seconds; -1:
    a delayed nudge already pending runs after this commit, nothing to publish.

    Every commit is followed by a drain that starts after it, but a process storing hundreds
    of statements a second sends a few nudges a second, not one per POST (each would be a task
    the workers dequeue, only to find the shards taken)."""
    now = time.monotonic()
    with _nudges_lock:
        if now - _nudges["last"] >= NUDGE_INTERVAL:
            _nudges["last"] = now
            return None
        if _nudges["delayed_until"] > now:
            return -1.0
        _nudges["delayed_until"] = _nudges["last"] + NUDGE_INTERVAL
        return _nudges["delayed_until"] - now


def nudge() -> None:
    """Ask a worker to drain now, never delaying the caller long: no publish retries and a
    short connect timeout. Entries are durable and the beat sweep drains them anyway."""
    from lrs.tasks import drain_statement_log

    app = drain_statement_log.app
    try:
        if app.conf.task_always_eager:
            drain_statement_log.apply()
            return
        countdown = _nudge_countdown()
        if countdown is not None and countdown < 0:
            return
        connection_ = getattr(_local, "connection", None)
        if connection_ is None:
            options = {**(app.conf.broker_transport_options or {}), "max_retries": 0}
            connection_ = app.connection_for_write(
                connect_timeout=NUDGE_CONNECT_TIMEOUT, transport_options=options
            )
            _local.connection = connection_
        # Celery passes the connection on among its options; celery-types does not list it.
        drain_statement_log.apply_async(  # type: ignore[call-arg]
            retry=False, connection=connection_, countdown=countdown or 0.0
        )
    except Exception:  # the broker is down: the beat sweep drains the log
        stale = getattr(_local, "connection", None)
        _local.connection = None
        if stale is not None:
            with contextlib.suppress(Exception):
                stale.release()
        logger.warning("could not enqueue drain_statement_log; the sweep will", exc_info=True)
