"""Signal receivers that keep progress in step with the LRS.

Both run inside the transaction that stores (or voids) the statements: if they fail, the
statements are not stored, so progress never misses an accepted statement.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lrs.signals import statements_stored, statements_voided

from .core import apply_statements, refresh_course, void_statements
from .source import stored_statements


def on_statements_stored(sender: Any, statements: list[Any], **kwargs: Any) -> None:
    apply_statements(stored_statements(statements))


def on_statements_voided(sender: Any, statement_uuids: list[str], **kwargs: Any) -> None:
    void_statements(statement_uuids)


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
    statements_stored.connect(on_statements_stored, dispatch_uid="progress-engine-stored")
    statements_voided.connect(on_statements_voided, dispatch_uid="progress-engine-voided")
    post_save.connect(on_enrollment_saved, sender=Enrollment, dispatch_uid="progress-engine-enrol")
