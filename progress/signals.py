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

# --- LRS events -------------------------------------------------------------------------------
# ``statements_stored`` is sent INSIDE the transaction that stores statements (whether they came
# through /xapi/ or from ``progress.services.statements_store``), so receivers may write in the
# same transaction; if a receiver raises, nothing is stored. Keyword arguments:
#
# - ``statement_ids`` (list[int]): primary keys of the new ``progress.Statement`` rows, in
#   storing order (statements already stored, i.e. no-op duplicates, are not included);
# - ``statements`` (list[progress.Statement]): the same rows, so receivers need no query.
#
# ``statements_voided`` is sent in the same transaction when stored statements become voided:
#
# - ``statement_ids`` (list[int]): primary keys of the rows just marked voided;
# - ``statement_uuids`` (list[str]): their xAPI statement ids.
statements_stored = Signal()
statements_voided = Signal()

# --- Accounts ---------------------------------------------------------------------------------
# ``teacher_account_cancelled`` is sent INSIDE the transaction of an ARCO cancellation, after the
# account's personal data is erased, so receivers erase what they hold about the person in the
# same transaction (if one raises, nothing is cancelled). Keyword arguments: ``user_id`` (int).
teacher_account_cancelled = Signal()

# --- Enrolments -------------------------------------------------------------------------------
# ``enrollments_created`` is sent on commit after a bulk enrolment (a roster import), which
# inserts rows without ``post_save``. Keyword arguments: ``enrollment_ids`` (list[int]) and
# ``course_id`` (int). Single enrolments are plain saves and send ``post_save`` as usual.
enrollments_created = Signal()
