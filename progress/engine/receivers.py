"""How the progress engine keeps up with the LRS: it consumes the LRS's statement log.

The engine is consumer ``"progress"`` of ``lrs.statement_log``. Storing statements only appends
to the log; the engine applies the entries afterwards, in a Celery worker (or, on the embedded
default, before the storing transaction ends, so the demo shows progress in the POST's answer).
A learner's entries come in log order; a failure undoes the batch's writes and the log retries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from lrs.models import Statement
from lrs.statement_log import LogEntry, register_consumer, statements_of

from .core import apply_statements, refresh_course, void_statements
from .source import stored_statements

CONSUMER = "progress"


def on_log_entries(entries: list[LogEntry]) -> None:
    """Apply log entries in order: runs of stored statements together (a learner's several
    statements on one lesson refresh it once), each voiding where it falls."""
    run: list[LogEntry] = []
    for entry in entries:
        if entry.kind == "voided":
            _apply_stored(run)
            run = []
            uuids = Statement.objects.filter(pk__in=entry.statement_ids).values_list(
                "statement_id", flat=True
            )
            void_statements([str(uuid) for uuid in uuids])
        else:
            run.append(entry)
    _apply_stored(run)


def _apply_stored(entries: list[LogEntry]) -> None:
    if not entries:
        return
    # Voiding statements act through the "voided" entries, which sit in the voided
    # statements' learner's stream (their own actor may be someone else).
    rows = [row for row in statements_of(entries) if not row.voiding]
    if rows:
        apply_statements(stored_statements(rows))


def is_learner_partition(partition: str) -> bool:
    """Whether a log partition (an actor's IFI) can be one of our learners: an account agent
    on this site. Statements of other actors are never evidence, so the engine is not sent
    them (the engine checks the account again; this only has to let every learner through)."""
    return partition.startswith(f"account:{settings.LMS_SITE_URL}|")


def on_enrollment_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    # Statements may come before the enrolment (an external tool, a late sign-up): bring the
    # new enrolment up to date with what the learner already did.
    if not created:
        return
    user_id = instance.user_id
    course_iri = instance.course.activity_id
    transaction.on_commit(lambda: refresh_course(user_id=user_id, course_iri=course_iri))


def connect() -> None:
    """Connect the receivers (called from ``ProgressConfig.ready``)."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from learners.models import Enrollment

    from .structure import forget_structures

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(forget_structures, dispatch_uid=f"progress-engine-structure-{id(signal)}")
    post_delete.connect(forget_structures, sender=Page, dispatch_uid="progress-engine-page-del")
    register_consumer(CONSUMER, on_log_entries, accepts=is_learner_partition)
    post_save.connect(on_enrollment_saved, sender=Enrollment, dispatch_uid="progress-engine-enrol")
