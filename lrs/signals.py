"""Events the LRS announces. The LRS imports no app; apps above subscribe.

``statements_stored`` is sent INSIDE the transaction that stores statements (whether they came
through /xapi/ or from ``lrs.services.statements_store_checked``), so receivers may write in the
same transaction; if a receiver raises, nothing is stored. Keyword arguments:

- ``statement_ids`` (list[int]): primary keys of the new ``lrs.Statement`` rows, in storing
  order (statements already stored, i.e. no-op duplicates, are not included);
- ``statements`` (list[lrs.Statement]): the same rows, so receivers need no query.

``statements_voided`` is sent in the same transaction when stored statements become voided:

- ``statement_ids`` (list[int]): primary keys of the rows just marked voided;
- ``statement_uuids`` (list[str]): their xAPI statement ids.
"""

from django.dispatch import Signal

statements_stored = Signal()
statements_voided = Signal()
