"""Learner records: subsystems, schools, teacher profiles, audit events and import jobs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.mexico import STATE_CHOICES
from learners.validators import cct_warnings, validate_cct, validate_curp


class Subsystem(models.Model):
    """A technological upper-secondary subsystem (DGETI, CONALEP, …); operators edit the list."""

    class Kind(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        DECENTRALISED_FEDERAL = "descentralizado_federal", _("Organismo descentralizado federal")
        STATE = "estatal", _("Estatal descentralizado")
        OTHER = "otro", _("Otro")

    code = models.SlugField(_("clave"), max_length=32, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("descripción"), blank=True)
    active = models.BooleanField(_("activo"), default=True)

    class Meta:
        db_table = "progress_subsystem"  # kept from before the split of progress/
        ordering = ["name"]
        verbose_name = _("subsistema")
        verbose_name_plural = _("subsistemas")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show: subsystems are acronyms in every language, but the catch-all row
        ("otro", seeded as "Otro") reads in the active language."""
        if self.code == self.Kind.OTHER and self.name == "Otro":
            return str(_("Otro"))
        return self.name


class School(models.Model):
    """A school (centro de trabajo) identified by its CCT."""

    cct = models.CharField(_("CCT"), max_length=10, unique=True)
    name = models.CharField(_("nombre"), max_length=255)
    state = models.CharField(_("entidad"), max_length=2, choices=STATE_CHOICES, db_index=True)
    municipality = models.CharField(_("municipio"), max_length=150, blank=True)
    subsystem = models.ForeignKey(
        Subsystem,
        verbose_name=_("subsistema"),
        on_delete=models.PROTECT,
        related_name="schools",
        null=True,
        blank=True,
    )
    # The check letter rule is unofficial: a mismatch is kept and shown, never rejected.
    cct_check_letter_ok = models.BooleanField(_("letra verificadora coincide"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "progress_school"  # kept from before the split of progress/
        ordering = ["cct"]
        verbose_name = _("escuela")
        verbose_name_plural = _("escuelas")

    def __str__(self) -> str:
        return f"{self.cct} · {self.name}"

    @property
    def cct_warnings(self) -> list[str]:
        return cct_warnings(self.cct) if self.cct else []

    def clean(self) -> None:
        try:
            self.cct = validate_cct(self.cct, state=self.state or None)
        except ValidationError as error:
            raise ValidationError({"cct": error}) from None
        self.cct_check_letter_ok = not cct_warnings(self.cct)


class TeacherProfile(models.Model):
    """The teacher behind a user account. Personal data: erased on ARCO cancellation."""

    class Position(models.TextChoices):
        TEACHER = "docente", _("Docente")
        PRINCIPAL = "directivo", _("Directivo")
        COORDINATOR = "coordinador", _("Coordinador")
        OTHER = "otro", _("Otro")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher_profile"
    )
    # NULL after cancellation, so the unique constraint holds only for living accounts.
    curp = models.CharField(
        _("CURP"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        # It also returns the normalised CURP, which Django ignores here.
        validators=[validate_curp],  # type: ignore[list-item]
    )
    first_name = models.CharField(_("nombre(s)"), max_length=150, blank=True)
    paternal_surname = models.CharField(_("primer apellido"), max_length=150, blank=True)
    maternal_surname = models.CharField(_("segundo apellido"), max_length=150, blank=True)
    state = models.CharField(_("entidad"), max_length=2, choices=STATE_CHOICES, blank=True)
    subsystem = models.ForeignKey(
        Subsystem,
        verbose_name=_("subsistema"),
        on_delete=models.PROTECT,
        related_name="teachers",
        null=True,
        blank=True,
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("escuela"),
        on_delete=models.SET_NULL,
        related_name="teachers",
        null=True,
        blank=True,
    )
    position = models.CharField(
        _("función"), max_length=16, choices=Position.choices, default=Position.TEACHER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelado el"), null=True, blank=True)

    class Meta:
        db_table = "progress_teacherprofile"  # kept from before the split of progress/
        verbose_name = _("perfil docente")
        verbose_name_plural = _("perfiles docentes")
        indexes = [models.Index(fields=["state", "subsystem"])]

    def __str__(self) -> str:
        # No names or CURP: this string reaches logs and admin breadcrumbs.
        return f"TeacherProfile {self.pk}"

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.paternal_surname, self.maternal_surname]
        return " ".join(part for part in parts if part)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Enrollment(models.Model):
    """A teacher's enrolment in a course. Progress fields are kept up to date by the progress
    engine from statements; ``credentialed_at`` by the credentials app through
    ``learners.services.enrollment_mark_credentialed``.

    Unenrolling keeps the row (status ``unenrolled``) so the learning record survives; enrolling
    again reactivates it. At most one active enrolment per user and course.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Activa")
        UNENROLLED = "unenrolled", _("Baja")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    # PROTECT: a course with learners is unpublished, not deleted, so their records survive.
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    enrolled_at = models.DateTimeField(_("inscrito el"), default=timezone.now)
    unenrolled_at = models.DateTimeField(_("baja el"), null=True, blank=True)
    started_at = models.DateTimeField(_("iniciado el"), null=True, blank=True)
    completed_at = models.DateTimeField(_("concluido el"), null=True, blank=True)
    score = models.FloatField(
        _("calificación"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("De 0 a 1."),
    )
    credentialed_at = models.DateTimeField(_("credencial emitida el"), null=True, blank=True)
    hours_completed = models.FloatField(_("horas concluidas"), default=0.0)

    class Meta:
        db_table = "progress_enrollment"  # kept from before the split of progress/
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("inscripción")
        verbose_name_plural = _("inscripciones")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(status="active"),
                name="progress_enrollment_one_active",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=1),
                name="progress_enrollment_score_0_1",
            ),
        ]
        indexes = [models.Index(fields=["course", "status"], name="progress_enrol_course_status")]

    def __str__(self) -> str:
        return f"Enrollment {self.pk} (user {self.user_id}, course {self.course_id})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class AuditEvent(models.Model):
    """Who did what to which record and when. ``details`` never holds personal data."""

    class Action(models.TextChoices):
        ARCO_EXPORT = "arco_export", _("Descarga de datos personales (ARCO)")
        ARCO_CANCEL = "arco_cancel", _("Cancelación de datos personales (ARCO)")
        IMPORT_SCHOOLS = "import_schools", _("Importación de escuelas")
        IMPORT_TEACHERS = "import_teachers", _("Importación de docentes")
        ACCOUNT_SIGNUP = "account_signup", _("Registro de cuenta")
        ACCOUNT_CONFIRM = "account_confirm", _("Confirmación de cuenta")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "progress_auditevent"  # kept from before the split of progress/
        ordering = ["-created_at", "-id"]
        verbose_name = _("evento de auditoría")
        verbose_name_plural = _("eventos de auditoría")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class ImportJob(models.Model):
    """One CSV import (schools or teachers), run in the background with its progress counts."""

    class Kind(models.TextChoices):
        SCHOOLS = "schools", _("Escuelas")
        TEACHERS = "teachers", _("Docentes")

    class Status(models.TextChoices):
        PENDING = "pending", _("En espera")
        RUNNING = "running", _("En proceso")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Fallida")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Stored through the default storage (S3 in production) so any worker can read it.
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Teachers only: enrol every imported teacher in this course (a CoursePage id).
    enroll_course_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    enrolled_count = models.PositiveIntegerField(default=0)
    # [{"line": 7, "field": "curp", "rule": "curp_check_digit", "message": "..."}], capped.
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        db_table = "progress_importjob"  # kept from before the split of progress/
        ordering = ["-created_at", "-id"]
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")

    def __str__(self) -> str:
        return f"ImportJob {self.pk} ({self.kind}, {self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
