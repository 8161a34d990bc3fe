"""Events the progress app announces. Higher apps (credentials) subscribe; progress imports none.

``course_completed`` is sent on commit when an enrolment's course becomes complete (and again
never, unless a void undid it first). Keyword arguments:

- ``enrollment_id`` (int), ``user_id`` (int), ``course_id`` (int: the CoursePage id),
  ``completed_at`` (aware datetime), ``score`` (float in [0, 1] or None).

``course_completion_revoked`` is sent when voiding undoes a completion, with the same
``enrollment_id``, ``user_id`` and ``course_id``.
"""

from django.dispatch import Signal

course_completed = Signal()
course_completion_revoked = Signal()
module_completed = Signal()
