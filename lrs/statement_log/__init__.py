"""The durable statement log: what the LRS stored, for consumers that follow it off the request.

Writing (inside the storing transaction, nothing else runs in the POST): the receivers of
``statements_stored`` and ``statements_voided`` append one ``StatementLogEntry`` per actor of
the request and, for every active consumer, one ``StatementLogDelivery``; on PostgreSQL that is
one round trip. A failing POST rolls both back with its statements.

Consumers register by name from the app above that owns them (``register_consumer`` in its
``AppConfig.ready``): the progress engine (``"progress"``), the forwarding outbox
(``"forwarding"``). The LRS imports none of them.

Applying, two modes (``LMS_LRS_LOG_INLINE``; default: inline when Celery runs eagerly, i.e.
the embedded default):

- *worker*: on commit a Celery task is nudged (never waiting on a broker that is down) and a beat
  entry sweeps every ``LMS_LRS_LOG_SWEEP_SECONDS``. A worker takes one shard of one consumer
  with ``SELECT … FOR UPDATE SKIP LOCKED`` on its ``StatementLogCursor`` row, applies that
  shard's due deliveries oldest first, deletes them and moves the cursor, all in one
  transaction: several workers run at once on different shards, nothing is applied twice, and
  a worker killed mid-batch rolls back and leaves the deliveries to the next one.
- *inline*: the storing transaction applies its own deliveries before it ends, each batch in a
  savepoint, so progress is in the POST's answer as before the log existed; a consumer that
  fails there leaves its delivery pending with the error and never fails the POST.

Order: a learner's entries share a partition (their IFI), hence a shard, so one worker at a
time applies them, in log order. A delivery that fails is retried with backoff
(``LMS_LRS_LOG_BACKOFF_BASE`` x 2^n, capped at ``LMS_LRS_LOG_BACKOFF_MAX``); while it waits,
the later entries of the same learner wait too (their order holds), everybody else's flow.
After ``LMS_LRS_LOG_MAX_ATTEMPTS`` tries it is parked with its error: listed in the Wagtail
admin with a retry button, and no longer holding anybody back.


Modules: ``consumers`` (registration, partitions, settings), ``append`` (writing, in the
storing transaction), ``apply`` (draining and inline application), ``nudge`` (waking a worker
after a commit), ``operations`` (sweep, retries, freshness, the admin summary).
"""

from lrs.statement_log.append import on_statements_stored, on_statements_voided
from lrs.statement_log.apply import DrainReport, apply_pending, drain, statements_of
from lrs.statement_log.consumers import (
    SHARDS,
    SHARDS_PER_BATCH,
    LogEntry,
    active_consumers,
    backoff_delay,
    inline,
    partition_of_actor,
    register_consumer,
    registry,
    shard_of,
    unregister_consumer,
)
from lrs.statement_log.operations import (
    Freshness,
    consumer_freshness,
    deliveries_retry,
    log_summary,
    sweep,
)

__all__ = [
    "SHARDS",
    "SHARDS_PER_BATCH",
    "DrainReport",
    "Freshness",
    "LogEntry",
    "active_consumers",
    "apply_pending",
    "backoff_delay",
    "consumer_freshness",
    "deliveries_retry",
    "drain",
    "inline",
    "log_summary",
    "on_statements_stored",
    "on_statements_voided",
    "partition_of_actor",
    "register_consumer",
    "registry",
    "shard_of",
    "statements_of",
    "sweep",
    "unregister_consumer",
]
