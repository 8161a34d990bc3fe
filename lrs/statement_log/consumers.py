"""Who follows the log: consumers registered by name, the log's partitions and shards, and
the settings every part of the log reads."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lrs.conf import app_settings
from lrs.models import (
    StatementLogDelivery,
)

SHARDS = 32
# Shards one drain transaction takes at once: under a steady load each shard has a few entries
# due, and a batch's fixed cost (the engine reads its learners' rows ahead) is paid per batch.
# Up to four workers still drain side by side.
SHARDS_PER_BATCH = 8

PENDING = StatementLogDelivery.Status.PENDING
PARKED = StatementLogDelivery.Status.PARKED


@dataclass(frozen=True)
class LogEntry:
    """One log entry as a consumer sees it: ``statement_ids`` are ``lrs.Statement`` keys."""

    position: int
    kind: str  # "stored" or "voided"
    partition: str
    statement_ids: list[int]
    created_at: datetime


Handler = Callable[[list[LogEntry]], None]


@dataclass(frozen=True)
class Consumer:
    name: str
    handler: Handler
    enabled: Callable[[], bool]
    accepts: Callable[[str], bool]


registry: dict[str, Consumer] = {}


def register_consumer(
    name: str,
    handler: Handler,
    *,
    enabled: Callable[[], bool] | None = None,
    accepts: Callable[[str], bool] | None = None,
) -> None:
    """Register ``handler`` as consumer ``name`` (call from ``AppConfig.ready``).

    ``handler(entries)`` gets a learner's entries in log order (several learners' in one call,
    each learner's in order) and runs inside the transaction that marks them applied: it must
    write only to this database, and raising undoes its writes and retries the entries.
    ``enabled`` says whether new entries are delivered to it (checked in every storing
    transaction; default: always). ``accepts(partition)`` says whether entries of an actor
    (its IFI, as in ``Statement.actor_ifi``) concern it at all (default: all): an entry no
    consumer accepts is not written, so statements nobody follows cost the log nothing.
    """
    registry[name] = Consumer(
        name, handler, enabled or (lambda: True), accepts or (lambda partition: True)
    )


def unregister_consumer(name: str) -> None:
    """Stop delivering new entries to ``name`` (its pending deliveries stay, unapplied)."""
    registry.pop(name, None)


def active_consumers() -> list[str]:
    return [c.name for c in registry.values() if c.enabled()]


def shard_of(partition: str) -> int:
    return zlib.crc32(partition.encode()) % SHARDS


def partition_of_actor(actor: dict[str, Any]) -> str:
    """The partition of an xAPI actor: its IFI, as stored in ``Statement.actor_ifi``."""
    from lrs.statements import agent_ifi

    return agent_ifi(actor) or ""


def setting(name: str) -> float:
    """A numeric setting of the log; its default is in lrs/conf.py."""
    return float(app_settings.get(name))


def inline() -> bool:
    """Whether consumers run inside the storing transaction (``LMS_LRS_LOG_INLINE``; default:
    when Celery is eager, so the embedded default shows progress in the POST's answer)."""
    value = app_settings.LMS_LRS_LOG_INLINE
    if isinstance(value, str):
        value = {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
    if value is not None:
        return bool(value)
    from lrs.tasks import drain_statement_log

    return bool(drain_statement_log.app.conf.task_always_eager)


def backoff_delay(attempts: int) -> timedelta:
    base = setting("LMS_LRS_LOG_BACKOFF_BASE")
    cap = setting("LMS_LRS_LOG_BACKOFF_MAX")
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))
