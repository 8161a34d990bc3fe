"""SEP report tables: a narrow fact table, course tags, monitor scopes and export jobs.

Reports never read personal data: ``ReportFact`` holds one row per enrolment with only ids,
codes, dates and numbers, refreshed from enrolments (see ``reports.refresh``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learners.mexico import STATE_CHOICES


class ReportFact(models.Model):
    """One enrolment, denormalised for aggregation: who (opaque id), where, which course, when.

    Dates are UTC calendar days. ``state`` is the school's state, else the profile's, else "".
    """

    enrollment_id = models.BigIntegerField(unique=True)
    user_id = models.BigIntegerField()
    course_id = models.IntegerField()
    state = models.CharField(max_length=2, blank=True, default="")
    subsystem_id = models.IntegerField(null=True, blank=True)
    school_id = models.IntegerField(null=True, blank=True)
    enrolled_on = models.DateField()
    enrolled_month = models.DateField()
    started_on = models.DateField(null=True, blank=True)
    started_month = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completed_month = models.DateField(null=True, blank=True)
    credentialed_on = models.DateField(null=True, blank=True)
    credentialed_month = models.DateField(null=True, blank=True)
    days_to_complete = models.IntegerField(null=True, blank=True)
    hours_completed = models.FloatField(default=0)

    class Meta:
        db_table = "progress_reportfact"  # kept from before the split of progress/
        verbose_name = _("hecho de reporte")
        verbose_name_plural = _("hechos de reporte")
        indexes = [
            models.Index(fields=["state", "enrolled_on"], name="rfact_state_enrolled"),
            models.Index(fields=["school_id"], name="rfact_school"),
            models.Index(fields=["subsystem_id"], name="rfact_subsystem"),
            # Course-filtered tables (a course, often with dates) read one course's facts
            # from this index alone on PostgreSQL: a course's facts are spread over the whole
            # table, which is stored in place order (state, subsystem, school).
            models.Index(
                fields=["course_id", "enrolled_on"],
                name="rfact_course_enrolled",
                include=[
                    "state",
                    "subsystem_id",
                    "school_id",
                    "enrolled_month",
                    "started_on",
                    "completed_on",
                    "credentialed_on",
                    "days_to_complete",
                    "hours_completed",
                ],
            ),
            models.Index(fields=["enrolled_on"], name="rfact_enrolled"),
        ]

    def __str__(self) -> str:
        return f"ReportFact {self.enrollment_id}"


class ReportCourseTag(models.Model):
    """A course's sector or topic, copied from the course snippets so reports can group by them."""

    class Kind(models.TextChoices):
        SECTOR = "sector", _("Sector")
        TOPIC = "topic", _("Tema")

    course_id = models.IntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=255)

    class Meta:
        db_table = "progress_reportcoursetag"  # kept from before the split of progress/
        verbose_name = _("etiqueta de curso para reportes")
        verbose_name_plural = _("etiquetas de curso para reportes")
        constraints = [
            models.UniqueConstraint(fields=["course_id", "kind", "slug"], name="rtag_unique")
        ]
        indexes = [models.Index(fields=["kind", "slug"], name="rtag_kind_slug")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.slug} ({self.course_id})"


class ReportRefresh(models.Model):
    """When the fact table was last rebuilt in full: the staleness shown on every report."""

    finished_at = models.DateTimeField(db_index=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        db_table = "progress_reportrefresh"  # kept from before the split of progress/
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"ReportRefresh {self.finished_at:%Y-%m-%d %H:%M}"


class ReportRefreshRequest(models.Model):
    """A monitor's request, from the dashboard, to recompute the figures now.

    The dashboard shows the latest one's state: queued, running, done (with its time) or
    failed. While one is queued or running, asking again joins it instead of queueing another.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("En proceso")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Fallida")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        db_table = "progress_reportrefreshrequest"  # kept from before the split of progress/
        ordering = ["-requested_at", "-id"]
        verbose_name = _("solicitud de actualización de reportes")
        verbose_name_plural = _("solicitudes de actualización de reportes")

    def __str__(self) -> str:
        return f"ReportRefreshRequest {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ExportJob(models.Model):
    """A report export (CSV or XLSX) built in the background; also its audit record."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        PENDING = "pending", _("En espera")
        RUNNING = "running", _("En proceso")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Fallida")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    report = models.CharField(max_length=32, default="completion")
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.CSV)
    # The validated query (group_by, filters, date range) and the scope it ran under.
    params = models.JSONField(default=dict, blank=True)
    scope = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    storage = models.CharField(max_length=8, blank=True)  # "s3" or "local"
    file_key = models.CharField(max_length=255, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "progress_exportjob"  # kept from before the split of progress/
        ordering = ["-created_at", "-id"]
        verbose_name = _("exportación de reporte")
        verbose_name_plural = _("exportaciones de reportes")

    def __str__(self) -> str:
        return f"ExportJob {self.pk} ({self.format}, {self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def filename(self) -> str:
        return f"capacita-{self.report}-{self.pk}.{self.format}"


class MonitorScope(models.Model):
    """What an SEP monitor may see: the whole country, one state or one school."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("Nacional")
        STATE = "state", _("Estatal")
        SCHOOL = "school", _("Escuela")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monitor_scope"
    )
    level = models.CharField(_("nivel"), max_length=16, choices=Level.choices)
    state = models.CharField(_("entidad"), max_length=2, choices=STATE_CHOICES, blank=True)
    school = models.ForeignKey(
        "learners.School",
        verbose_name=_("escuela"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "progress_monitorscope"  # kept from before the split of progress/
        verbose_name = _("alcance de monitoreo")
        verbose_name_plural = _("alcances de monitoreo")
        constraints = [
            models.CheckConstraint(
                name="monitorscope_level_fields",
                condition=(
                    models.Q(level="national", state="", school__isnull=True)
                    | models.Q(level="state", school__isnull=True) & ~models.Q(state="")
                    | models.Q(level="school", school__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"MonitorScope {self.user_id} ({self.level})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.level == self.Level.NATIONAL:
            self.state, self.school = "", None
        elif self.level == self.Level.STATE:
            self.school = None
            if not self.state:
                raise ValidationError({"state": _("Un alcance estatal necesita la entidad.")})
        elif self.level == self.Level.SCHOOL:
            if self.school is None:
                raise ValidationError({"school": _("Un alcance de escuela necesita la escuela.")})
            # The school's state is authoritative; keep the row consistent with it.
            self.state = self.school.state


class ReportSnapshot(models.Model):
    """One grouping set of an unfiltered national table, computed by Celery beat.

    ``data`` is JSON text (not jsonb): it is only ever read whole, and text skips the jsonb
    to text conversion of large documents. Raw cells; suppression is applied on read.
    """

    shape = models.CharField(max_length=64)
    grouping = models.CharField(max_length=64, blank=True)
    data = models.TextField()
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "progress_reportsnapshot"  # kept from before the split of progress/
        constraints = [
            models.UniqueConstraint(fields=["shape", "grouping"], name="rsnapshot_unique")
        ]
        verbose_name = _("instantánea de reporte")
        verbose_name_plural = _("instantáneas de reportes")

    def __str__(self) -> str:
        return f"ReportSnapshot {self.shape}"
