"""Imported packages (cmi5 courses, SCORM 1.2/2004 packages), their versions and units.

A :class:`Package` is identified across uploads by what the specification gives it: the cmi5
course id (an IRI) or the SCORM manifest's ``identifier``. Each upload is a
:class:`PackageVersion` whose files live under one storage prefix with the version in the path.
The launchable units (:class:`PackageUnit`: cmi5 AUs, SCORM SCOs and assets) and the blocks
(:class:`PackageBlock`: cmi5 blocks, SCORM aggregations) keep their rows and pages from version
to version, so activity IRIs and learners' progress survive a re-import.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Package(models.Model):
    class Family(models.TextChoices):
        CMI5 = "cmi5", "cmi5"
        SCORM = "scorm", "SCORM"

    class Format(models.TextChoices):
        CMI5 = "cmi5", "cmi5"
        SCORM12 = "scorm12", "SCORM 1.2"
        SCORM2004 = "scorm2004", "SCORM 2004"

    class Mode(models.TextChoices):
        COURSE = "course", _("Curso")
        LESSON = "lesson", _("Lección")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family = models.CharField(_("familia"), max_length=8, choices=Family.choices)
    identifier = models.CharField(
        _("identificador"),
        max_length=2000,
        help_text=_("El id del curso cmi5 o el identifier del manifiesto SCORM."),
    )
    format = models.CharField(_("formato"), max_length=12, choices=Format.choices)
    schema_version = models.CharField(_("versión del esquema"), max_length=40)
    title = models.CharField(_("título"), max_length=255)
    mode = models.CharField(_("modo"), max_length=8, choices=Mode.choices)
    # The course the package became (course mode) or whose module holds its lesson (lesson
    # mode): who is enrolled there may read the package's files.
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("curso"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado el"), auto_now=True)

    class Meta:
        verbose_name = _("paquete")
        verbose_name_plural = _("paquetes")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "identifier"], name="packages_package_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> PackageVersion | None:
        """The newest version (from prefetched ``versions`` when the query prefetched them)."""
        versions = list(self.versions.all())
        return max(versions, key=lambda version: version.number) if versions else None


class PackageVersion(models.Model):
    """One upload of a package. Its files are under ``storage_prefix`` in default_storage;
    ``files`` lists them (name → [size, sha256]) and is the only set the serving view reaches."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versión"))
    storage_prefix = models.CharField(_("prefijo de almacenamiento"), max_length=300)
    manifest_name = models.CharField(_("manifiesto"), max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subido por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("subido el"), auto_now_add=True)
    sha256 = models.CharField(_("SHA-256 del zip"), max_length=64)
    size = models.BigIntegerField(_("tamaño del zip"))
    files = models.JSONField(_("archivos"), default=dict)

    class Meta:
        verbose_name = _("versión de paquete")
        verbose_name_plural = _("versiones de paquete")
        ordering = ["package", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "number"], name="packages_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package} v{self.number}"

    def storage_name(self, path: str) -> str:
        return f"{self.storage_prefix}{path}"


class PackageBlock(models.Model):
    """A cmi5 block or SCORM aggregation at the top of the package, and the module it became.
    ``identifier`` is empty for the module that holds the units at the top level."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="blocks")
    identifier = models.CharField(_("identificador"), max_length=2000, blank=True)
    title = models.CharField(_("título"), max_length=255)
    order = models.PositiveIntegerField(_("orden"), default=0)
    module = models.ForeignKey(
        "courses.ModulePage",
        verbose_name=_("módulo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bloque de paquete")
        verbose_name_plural = _("bloques de paquete")
        ordering = ["package", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "identifier"], name="packages_block_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PackageUnit(models.Model):
    """A launchable unit: a cmi5 AU or a SCORM SCO/asset, and the lesson it lives in.

    ``uuid`` is what a "Contenido empaquetado" block names; ``identifier`` is the AU's IRI or
    the SCORM item's identifier; ``mastery_score`` is scaled (cmi5 0..1, SCORM 1.2 masteryscore
    / 100, SCORM 2004 minNormalizedMeasure -1..1). ``retired`` marks a unit a later version
    dropped: its lesson and the learners' records stay.
    """

    class Kind(models.TextChoices):
        AU = "au", "AU (cmi5)"
        SCO = "sco", "SCO"
        ASSET = "asset", _("recurso (asset)")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="units")
    version = models.ForeignKey(
        PackageVersion,
        verbose_name=_("última versión"),
        # A version its units point to cannot be deleted alone, only with its package.
        on_delete=models.RESTRICT,
        related_name="units",
    )
    identifier = models.CharField(_("identificador"), max_length=2000)
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("título"), max_length=255)
    description = models.TextField(_("descripción"), blank=True)
    launch_url = models.CharField(_("URL de lanzamiento"), max_length=2000)
    parameters = models.TextField(_("parámetros"), blank=True)
    move_on = models.CharField(_("moveOn"), max_length=24, blank=True)
    mastery_score = models.FloatField(_("calificación de dominio"), null=True, blank=True)
    launch_method = models.CharField(_("launchMethod"), max_length=12, blank=True)
    activity_type = models.CharField(_("activityType"), max_length=2000, blank=True)
    entitlement_key = models.CharField(_("entitlementKey"), max_length=2000, blank=True)
    completion_threshold = models.FloatField(_("umbral de compleción"), null=True, blank=True)
    data_from_lms = models.TextField(_("datos del LMS"), blank=True)
    block = models.CharField(_("bloque"), max_length=2000, blank=True)
    block_path = models.JSONField(_("bloques anidados"), default=list, blank=True)
    objectives = models.JSONField(_("objetivos"), default=list, blank=True)
    order = models.PositiveIntegerField(_("orden"), default=0)
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("lección"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired = models.BooleanField(_("retirada"), default=False)

    class Meta:
        verbose_name = _("unidad lanzable")
        verbose_name_plural = _("unidades lanzables")
        ordering = ["package", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "identifier"], name="packages_unit_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_absolute(self) -> bool:
        return self.launch_url.startswith(("http://", "https://"))


class UnitPlacement(models.Model):
    """A published lesson whose body shows a unit through a "Contenido empaquetado" block:
    learners enrolled in that lesson's course may read the unit's package."""

    unit = models.ForeignKey(PackageUnit, on_delete=models.CASCADE, related_name="placements")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "lesson"], name="packages_placement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.lesson_id}"


def _upload_name(instance: PackageImport, filename: str) -> str:
    from packages.conf import app_settings

    return f"{app_settings.LMS_PACKAGE_STORAGE_PREFIX}/uploads/{instance.uuid}.zip"


class PackageImport(models.Model):
    """One upload waiting for, going through or done with its import, which a Celery worker
    runs (eagerly in the request on the embedded default).

    The zip is kept in default_storage (S3 in production), where every worker reads it, under
    a name no serving view reaches; it is deleted once the import is done. ``result`` is the
    import's JSON (as ``POST /api/v1/packages/`` answers it), ``problems`` a refusal's list.
    ``claim`` is the token of the run that holds the job: a second delivery of the same task
    finds it taken and leaves it alone."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En espera")
        RUNNING = "running", _("Importando")
        IMPORTED = "imported", _("Importado")
        REFUSED = "refused", _("Rechazado")
        FAILED = "failed", _("Falló")

    FINISHED = (Status.IMPORTED, Status.REFUSED, Status.FAILED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("zip"), upload_to=_upload_name, max_length=400, blank=True)
    original_name = models.CharField(_("nombre del archivo"), max_length=255, blank=True)
    size = models.BigIntegerField(_("tamaño"), default=0)
    mode = models.CharField(_("modo"), max_length=8, choices=Package.Mode.choices)
    parent_id = models.PositiveIntegerField(_("página madre"), null=True, blank=True)
    # The package this upload must be a new version of (the admin's "new version" form).
    expected_package = models.ForeignKey(
        Package, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    package = models.ForeignKey(
        Package,
        verbose_name=_("paquete"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subido por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Problems and results are worded in the language of whoever uploaded the zip.
    language = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(_("subido el"), auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("importación de paquete")
        verbose_name_plural = _("importaciones de paquetes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="packages_import_status")]

    def __str__(self) -> str:
        return f"{self.original_name or self.uuid} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED


# The SCORM run-time's model lives with its code; importing it here registers it with the app.
from packages.scorm.models import ScormAttempt  # noqa: E402, F401
