"""Keep a changed enrolment's report fact fresh: re-sync it once the change is committed."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

# Enrolments changed in the current transaction of this thread, re-synced in one task when it
# commits: the progress engine touches hundreds of enrolments in one batch, and a task per
# enrolment made the workers spend as long on report messages as on the batch itself.
_changed = threading.local()


def report_fact_resync(enrollment_id: int) -> None:
    """Re-sync one enrolment's report fact once the current transaction commits (also for
    changes made with a queryset update, which send no post_save). Enrolments changed in one
    transaction go in one task."""
    ids: set[int] = _changed.__dict__.setdefault("ids", set())
    ids.add(enrollment_id)
    # One flush per transaction (per atomic block): the one registered earlier in this block
    # takes these ids too, unless its block rolled back (its callbacks are gone; its ids then
    # ride along with this block's: re-syncing an unchanged fact changes nothing).
    registered = getattr(_changed, "flush", None)
    here = set(connection.savepoint_ids)
    if registered is not None and any(
        item[1] is registered and item[0] == here for item in connection.run_on_commit
    ):
        return

    def flush() -> None:
        if getattr(_changed, "flush", None) is flush:
            _changed.flush = None
        _flush()

    _changed.flush = flush
    transaction.on_commit(flush)


def _flush() -> None:
    from reports.tasks import sync_report_facts

    ids = sorted(_changed.__dict__.pop("ids", set()))
    if ids:
        sync_report_facts.delay(ids)


def _enqueue(sender: Any, instance: Any, **kwargs: Any) -> None:
    report_fact_resync(instance.pk)


def _grant_admin_access(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A scoped monitor needs to enter the Wagtail admin: put them in "Monitores SEP"."""
    from django.contrib.auth.models import Group

    from reports.scopes import MONITOR_GROUP

    group, _ = Group.objects.get_or_create(name=MONITOR_GROUP)
    instance.user.groups.add(group)


def _on_enrollment_changed(sender: Any, enrollment_id: int, **kwargs: Any) -> None:
    report_fact_resync(enrollment_id)


def connect() -> None:
    """Follow enrolments (saves, deletes and the learners app's ``enrollment_changed``) and
    monitor scopes (called from ``ready()``)."""
    from learners.signals import enrollment_changed

    post_save.connect(
        _grant_admin_access, sender="reports.MonitorScope", dispatch_uid="reports-scope-group"
    )
    post_save.connect(_enqueue, sender="learners.Enrollment", dispatch_uid="reports-fact-save")
    post_delete.connect(_enqueue, sender="learners.Enrollment", dispatch_uid="reports-fact-del")
    enrollment_changed.connect(_on_enrollment_changed, dispatch_uid="reports-fact-changed")
