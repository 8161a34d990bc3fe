"""Read-your-writes: a learner's own progress never lags behind what her browser sent.

The engine applies the statement log in workers, seconds behind the POST at worst. Before a
learner's own progress is read (her course and lesson pages, ``/api/v1/me/progress/``), her
pending entries are applied first, in order, in the request: one indexed query when nothing
waits (the usual case, and always on the embedded default), her own few statements otherwise.
Nobody else's statements are applied and nothing is added to the statement POST.
"""

from __future__ import annotations

from typing import Any

from lrs.conf import actor_for_user
from lrs.statement_log import Freshness, apply_pending, consumer_freshness, partition_of_actor

from .receivers import CONSUMER


def learner_partition(user: Any) -> str:
    """The learner's stream in the statement log: her account agent's IFI."""
    return partition_of_actor(actor_for_user(user))


def progress_catch_up(*, user: Any) -> int:
    """Apply the learner's statements the engine has not applied yet; returns how many
    log entries that took (0 when she was up to date)."""
    return apply_pending(consumer=CONSUMER, partition=learner_partition(user))


def progress_freshness(*, user: Any) -> Freshness:
    """How up to date the learner's progress is: the last log position applied in her stream's
    shard, when, and how many of her entries still wait."""
    return consumer_freshness(consumer=CONSUMER, partition=learner_partition(user))
