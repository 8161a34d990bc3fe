"""Models of the credentials app: issuers and their keys, microcredentials, achievements,
endorsements, awards and the audit trail.

Signed documents are built by services (``credentials/services.py``) and stored on the award as
issued, so what a verifier fetches later is byte-for-byte what was signed.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel

if TYPE_CHECKING:
    # modelcluster and Wagtail ship no types: their two abstract models, as the checker sees
    # them, so the models below get their fields' and related managers' types.
    class ClusterableModel(models.Model):
        class Meta:
            abstract = True

    class Orderable(models.Model):
        sort_order = models.IntegerField(null=True, blank=True, editable=False)

        class Meta:
            abstract = True
            ordering = ["sort_order"]

else:
    from modelcluster.models import ClusterableModel
    from wagtail.models import Orderable

EC_CODE_PATTERN = r"^EC\d{4}(\.\d{2})?$"
ec_code_validator = RegexValidator(
    EC_CODE_PATTERN,
    _("A CONOCER Estándar de Competencia code looks like EC0217 or EC0217.01."),
    code="ec_code",
)
hex_colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("A colour is written #RRGGBB."), code="hex_colour"
)


class Issuer(models.Model):
    """An issuing (or endorsing) organisation: SEP, one of its subsystems, a chamber."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body (SEP)")
        SUBSYSTEM = "subsystem", _("Education subsystem")
        INDUSTRY = "industry", _("Industry chamber or company")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(_("web site"))
    email = models.EmailField(_("contact e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("url"),
        FieldPanel("email"),
        FieldPanel("description"),
        FieldPanel("parent"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """One key pair of an issuer. Retired keys stay published so old credentials verify."""

    # Nothing references these from content; indexing them would only slow issuing down.
    wagtail_reference_index_ignore = True

    class Algorithm(models.TextChoices):
        ED25519 = "ed25519", "Ed25519"
        RSA = "rsa", "RSA 2048"

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="signing_keys")
    algorithm = models.CharField(max_length=10, choices=Algorithm.choices)
    kid = models.CharField(max_length=100, help_text="RFC 7638 JWK thumbprint")
    public_jwk = models.JSONField()
    # "fernet:<token>", "plain:<pem>" (embedded default only) or "env:" (key in the environment).
    sealed_private_key = models.TextField(editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "algorithm", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kid"], name="signingkey_unique_kid"),
            models.UniqueConstraint(
                fields=["issuer", "algorithm"],
                condition=Q(active=True),
                name="signingkey_one_active_per_algorithm",
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.active else "retired"
        return f"{self.issuer.slug} {self.algorithm} {self.kid[:12]} ({state})"


class AlignmentBase(Orderable):
    """An alignment to a framework: a CONOCER EC, a skill, a sector, or another target."""

    class Framework(models.TextChoices):
        CONOCER = "conocer", _("CONOCER Estándar de Competencia")
        SKILL = "skill", _("Skill")
        SECTOR = "sector", _("Sector")
        OTHER = "other", _("Other framework")

    framework = models.CharField(max_length=20, choices=Framework.choices)
    target_code = models.CharField(_("code"), max_length=40, blank=True)
    target_name = models.CharField(_("name"), max_length=200)
    target_url = models.URLField(_("URL"), blank=True)
    target_description = models.CharField(_("description"), max_length=300, blank=True)

    panels = [
        FieldPanel("framework"),
        FieldPanel("target_code"),
        FieldPanel("target_name"),
        FieldPanel("target_url"),
        FieldPanel("target_description"),
    ]

    class Meta(Orderable.Meta):
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.framework == self.Framework.CONOCER:
            if not self.target_code:
                raise ValidationError({"target_code": _("A CONOCER alignment needs its EC code.")})
            try:
                ec_code_validator(self.target_code)
            except ValidationError as exc:
                raise ValidationError({"target_code": exc.messages}, code="ec_code") from exc


class Microcredential(ClusterableModel):
    """A microcredential with the EU Council Recommendation (2022) elements."""

    class AssessmentType(models.TextChoices):
        NONE = "none", _("No assessment")
        QUIZ = "quiz", _("Online knowledge checks")
        PROJECT = "project", _("Project or portfolio")
        PRACTICAL = "practical", _("Practical demonstration")
        EXAM = "exam", _("Supervised examination")

    class Participation(models.TextChoices):
        ONLINE = "online", _("Online")
        ONSITE = "onsite", _("On site")
        BLENDED = "blended", _("Blended")

    class IdentityVerification(models.TextChoices):
        NONE = "none", _("None")
        ACCOUNT = "account", _("Authenticated account")
        PROCTORED = "proctored", _("Online supervision with identity verification")
        IN_PERSON = "in_person", _("In person with identity verification")

    class Stackability(models.TextChoices):
        STANDALONE = "standalone", _("Stand-alone")
        STACKABLE = "stackable", _("Stackable toward another credential")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(_("description"))
    awarding_body = models.ForeignKey(
        Issuer, verbose_name=_("awarding body"), on_delete=models.PROTECT
    )
    country = models.CharField(_("country"), max_length=2, default="MX")
    region = models.CharField(_("region"), max_length=100, blank=True)
    learning_outcomes = models.TextField(_("learning outcomes"), help_text=_("One per line."))
    workload_hours = models.DecimalField(
        _("notional workload (hours)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    level_description = models.CharField(_("level and cycle"), max_length=200, blank=True)
    assessment_type = models.CharField(
        _("type of assessment"), max_length=20, choices=AssessmentType.choices
    )
    participation = models.CharField(
        _("form of participation"), max_length=20, choices=Participation.choices
    )
    quality_assurance = models.TextField(_("type of quality assurance"))
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    identity_verification = models.CharField(
        _("supervision and identity verification"),
        max_length=20,
        choices=IdentityVerification.choices,
        default=IdentityVerification.ACCOUNT,
    )
    stackability = models.CharField(
        _("integration / stackability"),
        max_length=20,
        choices=Stackability.choices,
        default=Stackability.STANDALONE,
    )
    further_information = models.TextField(_("further information"), blank=True)
    skills = ParentalManyToManyField(
        "courses.Skill", verbose_name=_("skills"), blank=True, related_name="microcredentials"
    )
    sectors = ParentalManyToManyField(
        "courses.Sector", verbose_name=_("sectors"), blank=True, related_name="microcredentials"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("description"),
                FieldPanel("awarding_body"),
                FieldPanel("country"),
                FieldPanel("region"),
                FieldPanel("learning_outcomes"),
                FieldPanel("workload_hours"),
                FieldPanel("eqf_level"),
                FieldPanel("level_description"),
                FieldPanel("assessment_type"),
                FieldPanel("participation"),
                FieldPanel("quality_assurance"),
            ],
            heading=_("Mandatory elements"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("prerequisites"),
                FieldPanel("identity_verification"),
                FieldPanel("stackability"),
                FieldPanel("further_information"),
            ],
            heading=_("Optional elements"),
        ),
        InlinePanel("courses", heading=_("Courses that lead to this microcredential")),
        MultiFieldPanel(
            [FieldPanel("skills"), FieldPanel("sectors")], heading=_("Skills, sectors")
        ),
        InlinePanel("alignments", heading=_("Alignments (CONOCER EC, other frameworks)")),
        InlinePanel("pathway_parts", heading=_("Pathway: parts that earn this credential")),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("microcredential")
        verbose_name_plural = _("microcredentials")

    def __str__(self) -> str:
        return self.title

    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]


class MicrocredentialAlignment(AlignmentBase):
    microcredential = ParentalKey(
        Microcredential, on_delete=models.CASCADE, related_name="alignments"
    )


class MicrocredentialCourse(Orderable):
    """A course that leads to the microcredential: the link lives here, above courses
    (DESIGN.md), and the course page shows it through a hook (credentials/wagtail_hooks.py)."""

    microcredential = ParentalKey(Microcredential, on_delete=models.CASCADE, related_name="courses")
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("course"),
    )

    panels = [FieldPanel("course")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["microcredential", "course"], name="microcredentialcourse_unique"
            )
        ]


class PathwayPart(Orderable):
    """``pathway`` is awarded automatically once a learner holds every ``part``."""

    pathway = ParentalKey(Microcredential, on_delete=models.CASCADE, related_name="pathway_parts")
    part = models.ForeignKey(
        Microcredential, on_delete=models.PROTECT, related_name="leads_to", verbose_name=_("part")
    )

    panels = [FieldPanel("part")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["pathway", "part"], name="pathwaypart_unique"),
            models.CheckConstraint(
                condition=~Q(pathway=models.F("part")), name="pathwaypart_not_self"
            ),
        ]


class Achievement(ClusterableModel):
    """What a badge certifies (OB 3.0 Achievement / OB 2.0 BadgeClass)."""

    class AchievementType(models.TextChoices):
        MICROCREDENTIAL = "MicroCredential", "MicroCredential"
        COURSE = "Course", "Course"
        CERTIFICATE = "Certificate", "Certificate"
        COMPETENCY = "Competency", "Competency"
        BADGE = "Badge", "Badge"
        CERTIFICATION = "Certification", "Certification"

    class Language(models.TextChoices):
        ES_MX = "es-MX", "Español (México)"
        EN = "en", "English"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="achievements")
    microcredential = models.OneToOneField(
        Microcredential,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="achievement",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The course whose completion earns this achievement."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    criteria_narrative = models.TextField(_("criteria (Markdown)"))
    achievement_type = models.CharField(
        max_length=30, choices=AchievementType.choices, default=AchievementType.COURSE
    )
    credits_available = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    human_code = models.CharField(_("human code"), max_length=40, blank=True)
    field_of_study = models.CharField(_("field of study"), max_length=200, blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated."))
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ES_MX)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Uploaded artwork (PNG). Empty: generated from the colours."),
    )
    primary_colour = models.CharField(
        max_length=7, default="#691C32", validators=[hex_colour_validator]
    )
    secondary_colour = models.CharField(
        max_length=7, default="#BC955C", validators=[hex_colour_validator]
    )
    valid_for_days = models.PositiveIntegerField(
        _("valid for (days)"), null=True, blank=True, help_text=_("Empty: never expires.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("issuer"),
        FieldPanel("microcredential"),
        FieldPanel("course"),
        FieldPanel("description"),
        FieldPanel("criteria_narrative"),
        FieldPanel("achievement_type"),
        FieldPanel("credits_available"),
        FieldPanel("human_code"),
        FieldPanel("field_of_study"),
        FieldPanel("tags"),
        FieldPanel("language"),
        FieldPanel("image"),
        FieldPanel("primary_colour"),
        FieldPanel("secondary_colour"),
        FieldPanel("valid_for_days"),
        InlinePanel("alignments", heading=_("Alignments")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.microcredential_id and self.course_id:
            raise ValidationError(
                {"course": _("An achievement is for a microcredential or for a course, not both.")}
            )

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class AchievementAlignment(AlignmentBase):
    achievement = ParentalKey(Achievement, on_delete=models.CASCADE, related_name="alignments")


class Endorsement(models.Model):
    """An endorser (chamber, company) vouching for an achievement: OB 3.0 EndorsementCredential."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="endorsements"
    )
    endorser = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="endorsements")
    comment = models.TextField(_("endorsement comment"))
    valid_from = models.DateTimeField(null=True, blank=True, editable=False)
    credential = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("achievement"), FieldPanel("endorser"), FieldPanel("comment")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "endorser"], name="endorsement_unique_endorser"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endorser} → {self.achievement}"


class CourseCompletion(models.Model):
    """A completion announced by progress, kept so microcredentials spanning several courses
    can be awarded when the last one is done, without reading progress' tables."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_id = models.BigIntegerField()
    enrollment_id = models.BigIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField()
    score = models.FloatField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_id"], name="completion_once")
        ]

    def __str__(self) -> str:
        return f"course {self.course_id} completed {self.completed_at:%Y-%m-%d}"


class Award(models.Model):
    """One achievement awarded to one learner: the issued credential in every format."""

    # Nothing references these from content; indexing them would only slow issuing down.
    wagtail_reference_index_ignore = True

    class Source(models.TextChoices):
        COMPLETION = "completion", _("Course completion")
        MICROCREDENTIAL = "microcredential", _("Microcredential courses completed")
        PATHWAY = "pathway", _("Pathway completed")
        STAFF = "staff", _("Awarded by staff")

    class RevocationCause(models.TextChoices):
        # A revocation decided by a person stands; one that only followed a voided completion
        # does not stop the learner from earning the achievement again (a new award).
        STAFF = "staff", _("Revoked by staff")
        COMPLETION_VOIDED = "completion_voided", _("Completion voided")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="awards")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credential_awards"
    )
    enrollment_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    reason = models.TextField(blank=True)
    recipient_salt = models.CharField(max_length=64)
    recipient_hash = models.CharField(max_length=80)
    # Set by an ARCO cancellation: salt and hash are blanked and the documents carrying them are
    # no longer published, so nothing here confirms a guess of the person's e-mail.
    recipient_erased_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    credits_earned = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revocation_cause = models.CharField(
        max_length=20, choices=RevocationCause.choices, blank=True, default=""
    )
    ob2_assertion = models.JSONField(null=True, blank=True)
    ob3_credential = models.JSONField(null=True, blank=True)
    ob3_jwt = models.TextField(blank=True)
    baked_png = models.FileField(upload_to="credentials/baked/", blank=True)
    # When the holder was e-mailed the verification link; the notification task sends only
    # while this is empty, so a retried or duplicated task never mails her twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            # At most one standing (unrevoked) award per learner and achievement, however many
            # tasks race; revoked awards stay beside a later one, never reused.
            models.UniqueConstraint(
                fields=["achievement", "recipient"],
                condition=models.Q(revoked_at__isnull=True),
                name="award_once_per_learner_standing",
            )
        ]
        indexes = [models.Index(fields=["recipient", "-issued_at"])]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.achievement} #{self.pk}"

    @property
    def status_index(self) -> int:
        """Position in the issuer's BitstringStatusList: the primary key, never reused."""
        return int(self.pk)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuditEvent(models.Model):
    """Who did what to credentials and keys, and why. Never holds personal data."""

    # Nothing references these from content; indexing them would only slow issuing down.
    wagtail_reference_index_ignore = True

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")
        KEY_CREATED = "key_created", _("Signing key created")
        KEY_ROTATED = "key_rotated", _("Signing key rotated")
        ENDORSED = "endorsed", _("Endorsement signed")

    action = models.CharField(max_length=20, choices=Action.choices)
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    issuer = models.ForeignKey(Issuer, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


class StatusList(models.Model):
    """The issuer's signed BitstringStatusListCredential, kept as signed.

    Signed again only when the list changes (a revocation, or the list growing past its size)
    or when its validity period nears its end, never per request; ``fingerprint`` names the
    state it was signed for and doubles as the HTTP ``ETag``.
    """

    wagtail_reference_index_ignore = True

    issuer = models.OneToOneField(Issuer, on_delete=models.CASCADE, related_name="status_list")
    fingerprint = models.CharField(max_length=64)
    credential = models.JSONField()
    signed_at = models.DateTimeField()
    valid_until = models.DateTimeField()

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"{self.issuer} status list"
