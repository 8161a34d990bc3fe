"""Keep a changed enrolment's report fact fresh: re-sync it once the change is committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def report_fact_resync(enrollment_id: int) -> None:
    """Re-sync one enrolment's report fact once the current transaction commits (also for
    changes made with a queryset update, which send no post_save)."""
    from progress.tasks import sync_report_fact

    transaction.on_commit(lambda: sync_report_fact.delay(enrollment_id))


def _enqueue(sender: Any, instance: Any, **kwargs: Any) -> None:
    report_fact_resync(instance.pk)


def _grant_admin_access(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A scoped monitor needs to enter the Wagtail admin: put them in "Monitores SEP"."""
    from django.contrib.auth.models import Group

    from progress.reports.scopes import MONITOR_GROUP

    group, _ = Group.objects.get_or_create(name=MONITOR_GROUP)
    instance.user.groups.add(group)


def connect() -> None:
    """Connect to the Enrollment model's save and delete signals (called from ``ready()``)."""
    from django.apps import apps

    post_save.connect(
        _grant_admin_access, sender="progress.MonitorScope", dispatch_uid="reports-scope-group"
    )

    try:
        apps.get_model("progress", "Enrollment")
    except LookupError:  # enrolments live in another module of this app; nothing to follow yet
        return
    post_save.connect(_enqueue, sender="progress.Enrollment", dispatch_uid="reports-fact-save")
    post_delete.connect(_enqueue, sender="progress.Enrollment", dispatch_uid="reports-fact-del")
