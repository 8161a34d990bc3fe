"""Reading the LRS's statement store (``progress.Statement``) for the engine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from .core import StoredStatement
from .facts import ACTIVITY_VERBS, ADL_VERBS, TRACKED_VERBS


def stored_statement(row: Any) -> StoredStatement:
    """The engine's view of a ``progress.Statement`` row."""
    return StoredStatement(
        statement_id=str(row.statement_id),
        user_id=row.user_id,
        data=row.data,
        timestamp=row.timestamp,
    )


def stored_statements(rows: Iterable[Any]) -> list[StoredStatement]:
    return [stored_statement(row) for row in rows]


def lesson_statements(*, chunk_size: int = 5000) -> Iterator[StoredStatement]:
    """Every non-voided statement by a learner about one of our lessons (or their parts),
    oldest first, read in keyset-paginated chunks so memory stays flat at any size."""
    from progress.models import Statement

    verbs = [ADL_VERBS + verb for verb in TRACKED_VERBS] + list(ACTIVITY_VERBS)
    base = Statement.objects.filter(
        voided=False,
        voiding=False,
        user__isnull=False,
        verb__in=verbs,
        activity__startswith=f"{settings.LMS_SITE_URL}/xapi/activities/lesson/",
    ).order_by("id")
    last = 0
    while True:
        chunk = list(
            base.filter(id__gt=last).values_list(
                "id", "statement_id", "user_id", "data", "timestamp"
            )[:chunk_size]
        )
        if not chunk:
            return
        for _pk, statement_id, user_id, data, timestamp in chunk:
            yield StoredStatement(str(statement_id), user_id, data, timestamp)
        last = chunk[-1][0]
