"""Reading the LRS's statement store (``progress.Statement``) for the engine.

The learner is the statement's *actor* (their account agent, ``homePage`` = ``LMS_SITE_URL``),
whoever sent it: the page itself with the session, or an external tool with an LRS client.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection

from lrs.models import LearnerIdentity, Statement

from .core import StoredStatement
from .facts import ACTIVITY_VERBS, ADL_VERBS, SATISFIED_VERB, TRACKED_VERBS, about_a_lesson


def learner_account_name(data: dict[str, Any]) -> str | None:
    """The opaque account name when the actor is one of our learners' account agents."""
    account = (data.get("actor") or {}).get("account") or {}
    if account.get("homePage") != settings.LMS_SITE_URL:
        return None
    name = account.get("name")
    return name if isinstance(name, str) else None


def stored_statements(rows: Iterable[Any]) -> list[StoredStatement]:
    """The engine's view of ``progress.Statement`` rows, learners resolved in one query.

    Only statements that can be evidence (about one of our lessons) need their learner;
    the others, and voiding statements, keep ``user_id=None``, which the engine ignores
    anyway. The lookup is one plain SQL query: it runs inside every statement POST.
    """
    rows = list(rows)
    names = [learner_account_name(row.data) if about_a_lesson(row.data) else None for row in rows]
    wanted = sorted({name for name in names if name})
    users = _learner_users(wanted) if wanted else {}
    return [
        StoredStatement(
            statement_id=str(row.statement_id),
            user_id=users.get(name) if name else None,
            data=row.data,
            timestamp=row.timestamp,
        )
        for row, name in zip(rows, names, strict=True)
    ]


def _learner_users(account_names: list[str]) -> dict[str, int]:
    """``{account name: user id}`` for the learners among these account names."""
    table = LearnerIdentity._meta.db_table
    placeholders = ", ".join(["%s"] * len(account_names))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT account_name, user_id FROM {table} "  # noqa: S608 (table name from the model)
            f"WHERE account_name IN ({placeholders})",
            account_names,
        )
        return dict(cursor.fetchall())


def lesson_statements(*, chunk_size: int = 5000) -> Iterator[StoredStatement]:
    """Every non-voided statement by a learner about one of our lessons (or their parts),
    oldest first, read in keyset-paginated chunks so memory stays flat at any size."""
    users = dict(LearnerIdentity.objects.values_list("account_name", "user_id"))
    verbs = [ADL_VERBS + verb for verb in TRACKED_VERBS] + [*ACTIVITY_VERBS, SATISFIED_VERB]
    base = Statement.objects.filter(
        voided=False,
        voiding=False,
        verb__in=verbs,
        actor_ifi__startswith=f"account:{settings.LMS_SITE_URL}|",
        activity__startswith=f"{settings.LMS_SITE_URL}/xapi/activities/lesson/",
    ).order_by("id")
    last = 0
    while True:
        chunk = list(
            base.filter(id__gt=last).values_list("id", "statement_id", "data", "timestamp")[
                :chunk_size
            ]
        )
        if not chunk:
            return
        for _pk, statement_id, data, timestamp in chunk:
            name = learner_account_name(data)
            yield StoredStatement(str(statement_id), users.get(name or ""), data, timestamp)
        last = chunk[-1][0]
