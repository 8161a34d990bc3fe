"""A learner's attempts on a SCORM SCO (imported into ``packages.models``, app label packages)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScormAttempt(models.Model):
    """One attempt of a learner on a SCO, in the lesson it was launched from.

    ``uuid`` is the xAPI registration of every statement and of the State document of the
    attempt. ``cmi`` holds the last committed values of the elements Capacita keeps
    (:mod:`packages.scorm.datamodel`), flat (``{"cmi.location": "3", ...}``). An attempt is
    ``ended`` once the SCO terminated it (LMSFinish / Terminate); it stays ``suspended`` when
    the SCO exited with ``suspend``, and then the next launch resumes it. ``recorded`` says
    which xAPI statements were already written for it, so a repeated commit writes nothing new.
    """

    class Entry(models.TextChoices):
        AB_INITIO = "ab-initio", "ab-initio"
        RESUME = "resume", "resume"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_attempts"
    )
    unit = models.ForeignKey(
        "packages.PackageUnit", on_delete=models.CASCADE, related_name="scorm_attempts"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("lección"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    number = models.PositiveIntegerField(_("intento"))
    entry = models.CharField(_("entrada"), max_length=12, choices=Entry.choices)
    cmi = models.JSONField(_("datos del modelo CMI"), default=dict)
    recorded = models.JSONField(_("declaraciones escritas"), default=dict)
    session_open = models.BooleanField(_("sesión abierta"), default=False)
    suspended = models.BooleanField(_("suspendido"), default=False)
    ended = models.BooleanField(_("terminado"), default=False)
    total_seconds = models.FloatField(_("tiempo total (s)"), default=0)
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado el"), auto_now=True)

    class Meta:
        app_label = "packages"
        verbose_name = _("intento SCORM")
        verbose_name_plural = _("intentos SCORM")
        ordering = ["user", "unit", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "number"], name="packages_scormattempt_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} #{self.number}"
