"""Writing the log, inside the storing transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from lrs.models import (
    Statement,
    StatementLogEntry,
)
from lrs.statement_log.apply import apply_inline, write_entries
from lrs.statement_log.consumers import active_consumers, inline, registry
from lrs.statement_log.nudge import nudge_on_commit


def on_statements_stored(sender: Any, statements: list[Statement], **kwargs: Any) -> None:
    """Receiver of ``statements_stored``: one entry per actor, deliveries for every consumer."""
    groups: dict[str, list[int]] = {}
    for row in statements:
        groups.setdefault(row.actor_ifi, []).append(row.pk)
    _append(StatementLogEntry.Kind.STORED, groups, statements)


def on_statements_voided(sender: Any, statement_ids: list[int], **kwargs: Any) -> None:
    """Receiver of ``statements_voided``: the voiding goes to the voided statements' actors'
    partitions, so it is applied after what it undoes, by the same ordered stream."""
    actors = dict(Statement.objects.filter(pk__in=statement_ids).values_list("pk", "actor_ifi"))
    groups: dict[str, list[int]] = {}
    for pk in statement_ids:
        if pk in actors:
            groups.setdefault(actors[pk], []).append(pk)
    _append(StatementLogEntry.Kind.VOIDED, groups)


def _append(kind: str, groups: dict[str, list[int]], rows: Sequence[Statement] = ()) -> None:
    consumers = active_consumers()
    if not groups or not consumers:
        return
    # Entries go to the consumers that accept their actor; groups with the same consumers are
    # written together (usually all of them in one set).
    by_consumers: dict[tuple[str, ...], dict[str, list[int]]] = {}
    for partition, pks in groups.items():
        names = tuple(name for name in consumers if registry[name].accepts(partition))
        if names:
            by_consumers.setdefault(names, {})[partition] = pks
    if not by_consumers:
        return
    now = timezone.now()
    if inline():
        for names, accepted in by_consumers.items():
            apply_inline(kind, accepted, list(names), now, rows)
        return
    for names, accepted in by_consumers.items():
        write_entries(kind, accepted, list(names), now)
    nudge_on_commit()
