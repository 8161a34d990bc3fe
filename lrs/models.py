"""Storage of the xAPI Learning Record Store: statements, documents, activities, clients.

A statement is kept whole as JSON (JSONB on PostgreSQL) next to indexed columns for every query
parameter of the Statement resource. Pages follow ``(stored, id)``: the specification's order,
with the bigint primary key breaking ties, so ``more`` links stay stable while new statements
arrive.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

__all__ = [
    "Cmi5Session",
    "ForwardedDocument",
    "ForwardedStatement",
    "LRSActivity",
    "LRSAttachment",
    "LRSClient",
    "LRSDocument",
    "LearnerIdentity",
    "Statement",
    "StatementActivity",
    "StatementAgent",
    "StatementLogCursor",
    "StatementLogDelivery",
    "StatementLogEntry",
]

LRS_SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "profile",
    "define",
    "all",
)


class LRSClient(models.Model):
    """An activity provider allowed to use the LRS with HTTP Basic credentials.

    The secret is high-entropy and random, so a single HMAC-SHA256 is enough to keep it
    unrecoverable from the database while costing microseconds per request (a password hash
    such as PBKDF2 would cost tens of milliseconds on every statement POST).
    """

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "progress_lrsclient"  # kept from before the split of progress/
        verbose_name = "LRS client"
        verbose_name_plural = "LRS clients"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, *wanted: str) -> bool:
        scopes = set(self.scopes or ())
        return "all" in scopes or bool(scopes.intersection(wanted))


class Statement(models.Model):
    """One stored statement: the JSON as served in the ``exact`` format plus query columns."""

    id = models.BigAutoField(primary_key=True)
    statement_id = models.UUIDField(unique=True)
    data = models.JSONField()
    actor_ifi = models.CharField(max_length=512)
    verb = models.CharField(max_length=512)
    activity = models.CharField(max_length=512, null=True, blank=True)
    registration = models.UUIDField(null=True, blank=True)
    ref_target = models.UUIDField(null=True, blank=True)
    voiding = models.BooleanField(default=False)
    voided = models.BooleanField(default=False)
    has_attachments = models.BooleanField(default=False)
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    # Indexed by lrs_stmt_client (client, -id) below; a second index on client alone would
    # only cost one more b-tree insert per statement.
    client = models.ForeignKey(
        LRSClient,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        db_table = "progress_statement"  # kept from before the split of progress/
        # No index on actor_ifi: StatementAgent's (ifi, statement) key already finds an actor's
        # statements, and a second copy cost one more random b-tree leaf per stored statement
        # (a quarter of the full-page images written to the WAL after each checkpoint).
        indexes = [
            models.Index(fields=["verb", "-id"], name="lrs_stmt_verb"),
            models.Index(fields=["activity", "-id"], name="lrs_stmt_activity"),
            models.Index(
                fields=["registration", "-id"],
                name="lrs_stmt_registration",
                condition=models.Q(registration__isnull=False),
            ),
            models.Index(
                fields=["ref_target"],
                name="lrs_stmt_ref_target",
                condition=models.Q(ref_target__isnull=False),
            ),
            # Statement pages follow (stored, id) and start at ``since``: one index serves the
            # bound and the order in both directions (it replaced one on ``stored`` alone, so
            # a stored statement still costs one b-tree insert here).
            models.Index(fields=["stored", "id"], name="lrs_stmt_stored_id"),
            models.Index(fields=["client", "-id"], name="lrs_stmt_client"),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementAgent(models.Model):
    """An agent a statement is about: ``direct`` for the actor/object (and their group
    members), otherwise one of the places ``related_agents`` looks at."""

    # The composite key (ifi, stored, statement) is the only index: one b-tree insert per row
    # on the hot path, and an agent's statements in the order pages follow, so a page reads
    # its own rows and no more (on PostgreSQL the key INCLUDEs ``direct``: migration 0008).
    # ``stored`` is the statement's, written with it.
    pk = models.CompositePrimaryKey("ifi", "stored", "statement")
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="agent_rows", db_index=False
    )
    ifi = models.CharField(max_length=512)
    stored = models.DateTimeField()
    direct = models.BooleanField(default=False)

    class Meta:
        db_table = "progress_statementagent"  # kept from before the split of progress/

    def __str__(self) -> str:
        return self.ifi


class StatementActivity(models.Model):
    """An activity a statement mentions anywhere (object, context, sub-statement), for
    ``related_activities``."""

    pk = models.CompositePrimaryKey("activity", "statement")
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    activity = models.CharField(max_length=512)

    class Meta:
        db_table = "progress_statementactivity"  # kept from before the split of progress/

    def __str__(self) -> str:
        return self.activity


class LRSActivity(models.Model):
    """The LRS's canonical definition of an activity (Activities resource)."""

    iri = models.CharField(max_length=512, unique=True)
    definition = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "progress_lrsactivity"  # kept from before the split of progress/
        verbose_name = "LRS activity"
        verbose_name_plural = "LRS activities"

    def __str__(self) -> str:
        return self.iri


def attachment_upload_to(instance: LRSAttachment, filename: str) -> str:
    """A random name: the SHA-2 is in every statement that carries the attachment, so a name
    built from it could be guessed. Only the LRS (which checks who may read the statement)
    serves the file; the name is a second line of defence."""
    token = uuid.uuid4().hex
    return f"xapi/attachments/{token[:2]}/{token}"


class LRSAttachment(models.Model):
    """Raw attachment content, stored once per SHA-2 in the default storage (S3 in production)."""

    sha2 = models.CharField(max_length=128, unique=True)
    content_type = models.CharField(max_length=255)
    length = models.BigIntegerField()
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "progress_lrsattachment"  # kept from before the split of progress/

    def __str__(self) -> str:
        return self.sha2


class LRSDocument(models.Model):
    """A State, Activity Profile or Agent Profile document."""

    class Kind(models.TextChoices):
        STATE = "state", "State"
        ACTIVITY_PROFILE = "activity_profile", "Activity profile"
        AGENT_PROFILE = "agent_profile", "Agent profile"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity = models.CharField(max_length=512, blank=True, default="")
    agent_ifi = models.CharField(max_length=512, blank=True, default="")
    registration = models.CharField(max_length=36, blank=True, default="")
    document_id = models.CharField(max_length=512)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=40)
    updated = models.DateTimeField()

    class Meta:
        db_table = "progress_lrsdocument"  # kept from before the split of progress/
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity", "agent_ifi", "registration", "document_id"],
                name="lrs_document_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["kind", "activity", "agent_ifi", "registration"], name="lrs_document_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.document_id}"


class ForwardedStatement(models.Model):
    """One accepted statement waiting to be (or already) forwarded.

    Written in the transaction that stores the statement, so a statement is never accepted
    without its row; the forwarding task PUTs it with its id (an external LRS ignores an
    identical repeat), so retrying after a crash never doubles it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    statement_id = models.UUIDField(unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Due time of the next try; also the lease a worker takes while sending.
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "progress_forwardedstatement"  # kept from before the split of progress/
        indexes = [
            # Sent rows pile up; the sweep only ever reads the unsent ones.
            models.Index(
                fields=["next_attempt_at"],
                name="progress_fwd_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["status", "id"],
                name="progress_fwd_status",
                condition=~models.Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} ({self.status})"


class ForwardedDocument(models.Model):
    """The latest write of one document (State, Activity or Agent Profile) not yet forwarded,
    or already forwarded.

    One row per document, written in the transaction that writes or deletes the document: the
    document's stored content after the write (a POST's merged JSON), or a delete marker
    (``content`` null). A newer write replaces the content and bumps ``revision``, so the
    outbox never holds an older content behind a newer one; a worker marks the row sent only
    if the revision it sent is still the row's (otherwise it sends the newer one next).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    # SHA-256 of the document's identity (kind, activity, agent IFI, registration, id): one
    # short unique key instead of five long columns.
    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    activity = models.CharField(max_length=512, blank=True, default="")
    agent_ifi = models.CharField(max_length=512, blank=True, default="")
    # The agent parameter as the external LRS gets it (rebuilt from the IFI).
    agent = models.JSONField(null=True, blank=True)
    registration = models.CharField(max_length=36, blank=True, default="")
    document_id = models.CharField(max_length=512)
    # Null: the document was deleted.
    content = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=255, blank=True, default="")
    revision = models.PositiveBigIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Due time of the next try; also the lease a worker takes while sending.
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    written_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="lrs_fwd_doc_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["status", "id"],
                name="lrs_fwd_doc_status",
                condition=~models.Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.document_id} r{self.revision} ({self.status})"

    @property
    def deleted(self) -> bool:
        return self.content is None


def _new_account_name() -> str:
    return str(uuid.uuid4())


class LearnerIdentity(models.Model):
    """Links a user to the opaque account name of their xAPI account agent.

    Created lazily by ``lrs.identity.learner_actor``; the name never changes, so
    statements stored years ago still point at the same person.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_identity"
    )
    account_name = models.CharField(max_length=64, unique=True, default=_new_account_name)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "progress_learneridentity"  # kept from before the split of progress/
        verbose_name = "learner identity"
        verbose_name_plural = "learner identities"

    def __str__(self) -> str:
        return self.account_name


# --- the durable statement log -----------------------------------------------------------------
#
# See lrs/statement_log/ for how it is written and drained. New tables (no progress_ prefix):
# they did not exist before the split.


class StatementLogEntry(models.Model):
    """What one storing transaction did for one actor: the statements stored, or voided.

    One entry per (request, actor) rather than per statement or per request: a browser's single
    POST is one row, a tool's batch of 100 statements by one learner is one row, and a batch
    mixing learners splits into one entry per learner, so every entry belongs to exactly one
    ``partition`` (the actor's IFI) and a learner's entries can be applied in order without
    tying them to anyone else's. The primary key is the log position.
    """

    class Kind(models.TextChoices):
        STORED = "stored", "stored"
        VOIDED = "voided", "voided"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The actor's IFI (for a voiding, the IFI of the voided statements' actor).
    partition = models.CharField(max_length=512)
    shard = models.SmallIntegerField()
    # Primary keys of lrs.Statement rows, in storing order.
    statement_ids = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "statement log entry"
        verbose_name_plural = "statement log entries"

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({len(self.statement_ids or ())})"


class StatementLogDelivery(models.Model):
    """An entry one consumer has not applied yet (deleted once applied, in the same transaction
    as the consumer's own writes). Parked deliveries wait for a retry from the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        PARKED = "parked", "parked"

    id = models.BigAutoField(primary_key=True)
    consumer = models.CharField(max_length=64)
    entry = models.ForeignKey(StatementLogEntry, on_delete=models.CASCADE, related_name="+")
    shard = models.SmallIntegerField()
    partition = models.CharField(max_length=512)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "statement log delivery"
        verbose_name_plural = "statement log deliveries"
        constraints = [
            models.UniqueConstraint(fields=["consumer", "entry"], name="lrs_log_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["consumer", "shard", "entry"], name="lrs_log_delivery_shard"),
            models.Index(fields=["consumer", "partition", "entry"], name="lrs_log_delivery_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} #{self.entry_id} ({self.status})"


class StatementLogCursor(models.Model):
    """One consumer's state in one shard: the row a worker locks (``FOR UPDATE SKIP LOCKED``)
    to own the shard while it applies a batch, and how far the consumer got there."""

    consumer = models.CharField(max_length=64)
    shard = models.SmallIntegerField()
    # Highest log position applied in this shard, and when.
    position = models.BigIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "shard"], name="lrs_log_cursor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer}/{self.shard} @{self.position}"


class Cmi5Session(models.Model):
    """One cmi5 AU session (cmi5 section 9.6.3.1): opened by the LMS at launch, driven by the
    AU's statements, ended by ``terminated`` or by the LMS's ``abandoned``.

    The rows the LRS needs to enforce the cmi5 statement rules: the launch data the AU was
    given (mode, mastery score, moveOn, the contextTemplate's context activities) and what the
    session has said so far. Tokens are kept only as SHA-256 digests. What the LMS has stated
    ``satisfied`` is no flag here: the ``satisfied`` statements themselves are the record
    (``lrs.cmi5.cmi5_satisfied_objects``), and whether an AU's moveOn is met is derived from the
    flags below (``lrs.cmi5.cmi5_au_status``).
    """

    class Mode(models.TextChoices):
        NORMAL = "Normal", "Normal"
        BROWSE = "Browse", "Browse"
        REVIEW = "Review", "Review"

    class State(models.TextChoices):
        LAUNCHED = "launched", "launched"
        INITIALIZED = "initialized", "initialized"
        TERMINATED = "terminated", "terminated"
        ABANDONED = "abandoned", "abandoned"
        WAIVED = "waived", "waived"  # a session the LMS opens only to write a waived statement

    session_id = models.CharField(max_length=64, unique=True)
    registration = models.UUIDField()
    actor = models.JSONField()
    actor_ifi = models.CharField(max_length=512)
    activity_id = models.CharField(max_length=512)  # the LMS-generated AU activity id
    publisher_id = models.CharField(max_length=2000)  # the AU id of the course structure
    launch_mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.NORMAL)
    mastery_score = models.FloatField(null=True, blank=True)
    move_on = models.CharField(max_length=24)
    return_url = models.CharField(max_length=2000, blank=True, default="")
    state = models.CharField(max_length=12, choices=State.choices, default=State.LAUNCHED)
    completed = models.BooleanField(default=False)
    passed = models.BooleanField(default=False)
    failed = models.BooleanField(default=False)
    waived = models.BooleanField(default=False)
    # The contextTemplate's contextActivities, as written in LMS.LaunchData: every cmi5 defined
    # statement of the session must carry each of them (cmi5 9.6.2).
    context_activities = models.JSONField(default=dict, blank=True)
    fetch_token_hash = models.CharField(max_length=64, blank=True, default="")
    fetch_used = models.BooleanField(default=False)
    auth_token_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["registration", "activity_id"], name="lrs_cmi5_reg_au"),
            # The abandonment sweep reads only the open sessions.
            models.Index(
                fields=["last_activity_at"],
                name="lrs_cmi5_open",
                condition=models.Q(state__in=["launched", "initialized"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fetch_token_hash"],
                name="lrs_cmi5_fetch_token",
                condition=~models.Q(fetch_token_hash=""),
            )
        ]

    def __str__(self) -> str:
        return f"cmi5 session {self.session_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.LAUNCHED, self.State.INITIALIZED)
