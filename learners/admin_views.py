"""Wagtail admin views of the progress app: CSV imports with live progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common.auth import signed_in_user
from learners.models import AuditEvent, ImportJob
from learners.selectors import audit_event_list, import_job_list
from learners.services import import_job_create

IMPORT_PERMISSION = "learners.add_importjob"


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Qué se importa"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("Archivo CSV"),
        help_text=_("UTF-8 o Windows-1252, separado por comas o por punto y coma."),
    )
    enroll_course_id = forms.IntegerField(
        label=_("Inscribir en el curso (id, opcional)"),
        required=False,
        min_value=1,
        help_text=_("Solo docentes: inscribe a cada docente importado en este curso."),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise ValidationError(_("Sube un archivo .csv."), code="extension")
        return upload

    def clean_enroll_course_id(self) -> int | None:
        course_id = self.cleaned_data.get("enroll_course_id")
        if course_id is not None:
            from courses.selectors import live_courses

            if not live_courses().filter(pk=course_id).exists():
                raise ValidationError(
                    _("No existe un curso publicado con ese id."), code="does_not_exist"
                )
        return course_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data  # Django's clean() gives cleaned_data
        if cleaned.get("enroll_course_id") and cleaned.get("kind") != ImportJob.Kind.TEACHERS:
            self.add_error("enroll_course_id", _("Solo se puede inscribir al importar docentes."))
        return cleaned


def _require_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def import_index(request: HttpRequest) -> HttpResponse:
    """Upload form and the latest import jobs."""
    _require_permission(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            created_by=signed_in_user(request),
            enroll_course_id=form.cleaned_data.get("enroll_course_id"),
        )
        return redirect("progress_imports:detail", pk=job.pk)
    return TemplateResponse(
        request,
        "learners/admin/import_index.html",
        {"form": form, "jobs": import_job_list(limit=50)},
    )


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One job: counts, a progress bar that polls the status URL, row errors and warnings."""
    _require_permission(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return TemplateResponse(request, "learners/admin/import_detail.html", {"job": job})


@require_GET
def import_file(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded roster of a job, to staff who may import, while it is kept (else 404)."""
    _require_permission(request)
    job = get_object_or_404(ImportJob.objects.exclude(file=""), pk=pk)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=job.original_name or "importacion.csv"
    )
    response["Content-Type"] = "text/csv"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The job's counts as JSON, polled by the detail page while it runs."""
    _require_permission(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_display": str(job.get_status_display()),
            "finished": job.is_finished,
            "percent": job.percent,
            "total_rows": job.total_rows,
            "processed_rows": job.processed_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": job.error_count,
            "warnings": job.warning_count,
            "enrolled": job.enrolled_count,
            "failure": job.failure,
        }
    )


AUDIT_PERMISSION = "learners.view_auditevent"


def audit_index(request: HttpRequest) -> HttpResponse:
    """The latest audit events (ARCO requests, imports, sign-ups), newest first; read-only."""
    if not request.user.has_perm(AUDIT_PERMISSION):
        raise PermissionDenied
    action = request.GET.get("action", "")
    events = audit_event_list(action=action or None, limit=200)
    return TemplateResponse(
        request,
        "learners/admin/audit_index.html",
        {"events": events, "actions": AuditEvent.Action.choices, "action": action},
    )
