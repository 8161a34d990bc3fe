"""Receivers of Wagtail's workflow signals: a reviewer's decision on a course covers its pages."""

from __future__ import annotations

from typing import Any


def on_task_decided(sender: Any, *, instance: Any, user: Any = None, **kwargs: Any) -> None:
    """Approving or rejecting a course's review task does the same for its modules and lessons."""
    from courses.services import course_review_cascade

    course_review_cascade(task_state_id=instance.pk, user=user)
