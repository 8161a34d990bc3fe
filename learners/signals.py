"""Events the learners app announces; apps above subscribe, learners imports none of them.

``teacher_account_cancelled`` is sent INSIDE the transaction of an ARCO cancellation, after the
account's personal data is erased, so receivers erase what they hold about the person in the
same transaction (if one raises, nothing is cancelled). Keyword arguments: ``user_id`` (int).

``enrollments_created`` is sent on commit after a bulk enrolment (a roster import), which
inserts rows without ``post_save``. Keyword arguments: ``enrollment_ids`` (list[int]) and
``course_id`` (int). Single enrolments are plain saves and send ``post_save`` as usual.

``enrollment_changed`` is sent when an enrolment changes through a queryset update, which
sends no ``post_save`` (its credential recorded or cleared). Keyword arguments:
``enrollment_id`` (int). The reports app re-syncs the enrolment's fact on it.
"""

from django.dispatch import Signal

teacher_account_cancelled = Signal()
enrollments_created = Signal()
enrollment_changed = Signal()
