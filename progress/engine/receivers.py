"""How the progress engine keeps up with the LRS: it consumes the LRS's statement log.

The engine is consumer ``"progress"`` of ``lrs.statement_log``. Storing statements only appends
to the log; the engine applies the entries afterwards, in a Celery worker (or, on the embedded
default, before the storing transaction ends, so the demo shows progress in the POST's answer).
A learner's entries come in log order; a failure undoes the batch's writes and the log retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from courses import selectors as course_selectors
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


# --- an editor lowers what a course requires (see ``requirements.py``) ----------------------

_STOPS_COUNTING = "_progress_stops_counting"


def on_lesson_pre_save(
    sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any
) -> None:
    # Wagtail's publish writes the revision onto the page row and announces it afterwards,
    # without the values it replaced: note here whether the row counted (live and required)
    # and the version being written does not.
    setattr(
        instance,
        _STOPS_COUNTING,
        instance.pk is not None
        and not instance.required
        and (update_fields is None or "required" in update_fields)
        and course_selectors.lesson_counts_as_stored(lesson_id=instance.pk),
    )


def on_lesson_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A published revision made a required lesson optional."""
    if getattr(instance, _STOPS_COUNTING, False) and instance.live:
        setattr(instance, _STOPS_COUNTING, False)
        _requirements_lowered(instance)


def on_lesson_unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An unpublished lesson leaves its course (the row keeps its last live values)."""
    if instance.required:
        _requirements_lowered(instance)


def on_lesson_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A lesson about to be deleted (``pre_delete``: its course can still be found above it)."""
    if instance.live and instance.required:
        _requirements_lowered(instance)


def on_module_unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An unpublished module takes its lessons out of the course."""
    _requirements_lowered(instance)


def on_module_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.live:
        _requirements_lowered(instance)


@dataclass(frozen=True)
class _RefreshAfterCommit:
    course_iri: str

    def __call__(self) -> None:
        from progress.tasks import course_requirements_lowered

        course_requirements_lowered.delay(self.course_iri)


def _requirements_lowered(page: Any) -> None:
    course_iri = course_selectors.course_activity_id_of(page=page)
    if course_iri is None:
        return
    callback = _RefreshAfterCommit(course_iri)
    connection = transaction.get_connection()
    # A module deleted with its lessons lowers the course once per page: one refresh will do.
    if connection.in_atomic_block and any(
        queued == callback for _savepoints, queued, _robust in connection.run_on_commit
    ):
        return
    # robust: a broker that is down must not fail the editor's publish, which is committed.
    transaction.on_commit(callback, robust=True)


def connect() -> None:
    """Connect the receivers (called from ``ProgressConfig.ready``)."""
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from learners.models import Enrollment

    from .structure import forget_structures

    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(forget_structures, dispatch_uid=f"progress-engine-structure-{id(signal)}")
    post_delete.connect(forget_structures, sender=Page, dispatch_uid="progress-engine-page-del")
    register_consumer(CONSUMER, on_log_entries, accepts=is_learner_partition)
    post_save.connect(on_enrollment_saved, sender=Enrollment, dispatch_uid="progress-engine-enrol")
    # Changes that can only lower what a course requires refresh its learners who are not done.
    lesson = course_selectors.ACTIVITY_KINDS["lesson"]
    module = course_selectors.ACTIVITY_KINDS["module"]
    pre_save.connect(on_lesson_pre_save, sender=lesson, dispatch_uid="progress-lesson-pre-save")
    page_published.connect(on_lesson_published, sender=lesson, dispatch_uid="progress-lesson-pub")
    page_unpublished.connect(
        on_lesson_unpublished, sender=lesson, dispatch_uid="progress-lesson-unpub"
    )
    pre_delete.connect(on_lesson_deleted, sender=lesson, dispatch_uid="progress-lesson-delete")
    page_unpublished.connect(
        on_module_unpublished, sender=module, dispatch_uid="progress-module-unpub"
    )
    pre_delete.connect(on_module_deleted, sender=module, dispatch_uid="progress-module-delete")
