"""Keep a changed enrolment's report fact fresh: re-sync it once the change is committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def report_fact_resync(enrollment_id: int) -> None:
    """Re-sync one enrolment's report fact once the current transaction commits (also for
    changes made with a queryset update, which send no post_save)."""
    from reports.tasks import sync_report_fact

    transaction.on_commit(lambda: sync_report_fact.delay(enrollment_id))


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
