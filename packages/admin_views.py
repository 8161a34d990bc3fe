"""Wagtail admin view of packages: upload a zip, see every problem or the created pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.permission_policies.pages import PagePermissionPolicy

from courses.models import ModulePage
from lrs import cmi5 as lrs_cmi5
from lrs.conf import actor_for_user
from lrs.errors import XAPIError
from packages import import_jobs, selectors, services
from packages.cmi5 import services as cmi5_services
from packages.models import Package, PackageImport
from packages.problems import PackageRefused

WAIVE_REASON_LABELS = {
    "Tested Out": _("Acreditó la evaluación (Tested Out)"),
    "Equivalent AU": _("AU equivalente (Equivalent AU)"),
    "Equivalent Outside Activity": _("Actividad externa equivalente (Equivalent Outside Activity)"),
    "Administrative": _("Administrativa (Administrative)"),
}


def may_import(user: Any) -> bool:
    return selectors.user_may_author(user) and PagePermissionPolicy().user_has_permission(
        user, "add"
    )


class ModuleChoiceField(forms.ModelChoiceField):
    """Modules named with their course and language: titles such as "Introducción" repeat
    across courses, and a translated module has its own page."""

    def label_from_instance(self, obj: Any) -> str:
        course = obj.get_parent()
        return f"{course.title} / {obj.title} ({obj.locale.language_code})"


class PackageUploadForm(forms.Form):
    file = forms.FileField(label=_("Paquete (zip cmi5 o SCORM)"))
    mode = forms.ChoiceField(
        label=_("Importar como"), choices=Package.Mode.choices, initial=Package.Mode.COURSE
    )
    parent = ModuleChoiceField(
        label=_("Módulo (solo en modo lección)"),
        queryset=ModulePage.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modules = ModulePage.objects.select_related("locale").order_by("path")
        self.fields["parent"].queryset = modules  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("mode") == Package.Mode.LESSON and not cleaned.get("parent"):
            self.add_error("parent", _("En modo lección, elige el módulo."))
        return cleaned


def package_index(request: HttpRequest) -> HttpResponse:
    """Upload form (or the problems found before queueing), the latest imports and the packages
    imported so far. A valid upload is queued and the author taken to its import's page."""
    if not may_import(request.user):
        raise PermissionDenied
    form = PackageUploadForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        parent = form.cleaned_data.get("parent")
        try:
            job = import_jobs.package_import_queue(
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                parent_id=parent.pk if parent else None,
                user=request.user,
            )
        except PackageRefused as refused:
            problems = refused.problems
        else:
            return redirect("packages_admin_import", job=job.uuid)
    return TemplateResponse(
        request,
        "packages/admin/index.html",
        {
            "form": form,
            "problems": problems,
            "imports": [job for job in selectors.import_job_list(limit=10)],
            "packages": selectors.package_list()[:50],
        },
        status=400 if problems else 200,
    )


def _job_or_404(job: Any) -> PackageImport:
    found = selectors.import_job_get(job_uuid=job)
    if found is None:
        raise Http404(gettext("No existe esa importación."))
    return found


def package_import_detail(request: HttpRequest, job: Any) -> HttpResponse:
    """One import: its status while a worker runs it (the page asks again until it is done),
    then the pages it created or updated, every problem of a refused zip, or the failure with
    a button to try again."""
    if not may_import(request.user):
        raise PermissionDenied
    found = _job_or_404(job)
    result = found.result if found.status == PackageImport.Status.IMPORTED else None
    return TemplateResponse(
        request,
        "packages/admin/import.html",
        {
            "job": found,
            "result": result,
            "changes": services.UnitChanges.from_dict(result["changes"]) if result else None,
            "problems": found.problems if found.status == PackageImport.Status.REFUSED else None,
        },
    )


def package_import_status(request: HttpRequest, job: Any) -> JsonResponse:
    """The import's status, which its page asks for every few seconds while it runs."""
    if not may_import(request.user):
        raise PermissionDenied
    found = _job_or_404(job)
    return JsonResponse(
        {
            "status": found.status,
            "status_display": str(found.get_status_display()),
            "finished": found.finished,
        }
    )


@require_POST
def package_import_retry(request: HttpRequest, job: Any) -> HttpResponse:
    """Queue a failed import again."""
    if not may_import(request.user):
        raise PermissionDenied
    found = import_jobs.package_import_retry(job=_job_or_404(job))
    return redirect("packages_admin_import", job=found.uuid)


@require_POST
def package_preview(request: HttpRequest, package_id: int | None = None) -> JsonResponse:
    """What importing the chosen zip would do, before the author confirms (the upload forms'
    script asks this first). JSON: ``updates`` (a new version of a package imported before),
    ``refused``, and ``html``, the fragment to show. Nothing is stored."""
    if not may_import(request.user):
        raise PermissionDenied
    detail = _detail_or_404(package_id) if package_id is not None else None
    form: forms.Form = (
        NewVersionForm(request.POST, request.FILES)
        if detail
        else PackageUploadForm(request.POST, request.FILES)
    )
    if not form.is_valid():
        # The real submit shows the form's errors in place.
        return JsonResponse({"updates": False, "refused": False, "html": ""})
    parent = form.cleaned_data.get("parent")
    try:
        preview = services.package_import_preview(
            upload=form.cleaned_data["file"],
            mode=detail.package.mode if detail else form.cleaned_data["mode"],
            parent_id=parent.pk if parent else None,
            user=request.user,
            expected_package_id=detail.package.pk if detail else None,
        )
    except PackageRefused as refused:
        problems = render_to_string(
            "packages/admin/_problems.html", {"problems": refused.problems}, request=request
        )
        return JsonResponse({"updates": False, "refused": True, "html": problems}, status=400)
    html = (
        render_to_string("packages/admin/_preview.html", {"preview": preview}, request=request)
        if preview.updates
        else ""
    )
    return JsonResponse({"updates": preview.updates, "refused": False, "html": html})


class NewVersionForm(forms.Form):
    file = forms.FileField(label=_("Nueva versión (zip)"))


class WaiveForm(forms.Form):
    unit = forms.ChoiceField(label=_("AU"))
    learner = forms.CharField(
        label=_("Docente (usuario o correo)"),
        max_length=254,
        help_text=_("La cuenta con la que el docente entra a Capacita."),
    )
    reason = forms.ChoiceField(
        label=_("Motivo"),
        choices=[(key, WAIVE_REASON_LABELS.get(key, key)) for key in lrs_cmi5.WAIVE_REASONS],
    )

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(unit.uuid): unit for unit in units}
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            (key, unit.title) for key, unit in self.units.items()
        ]

    def clean_learner(self) -> Any:
        learner = selectors.learner_by_login(login=self.cleaned_data["learner"])
        if learner is None:
            raise forms.ValidationError(
                _("No hay una cuenta activa con ese usuario o correo."), code="unknown"
            )
        return learner


def _detail_or_404(package_id: int) -> selectors.PackageDetail:
    detail = selectors.package_detail(package_id=package_id)
    if detail is None:
        raise Http404(gettext("No existe ese paquete."))
    return detail


def _detail_response(
    request: HttpRequest,
    detail: selectors.PackageDetail,
    *,
    upload_form: NewVersionForm | None = None,
    waive_form: WaiveForm | None = None,
    problems: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    latest = detail.latest
    return TemplateResponse(
        request,
        "packages/admin/detail.html",
        {
            "detail": detail,
            "package": detail.package,
            "next_version": (latest.number if latest else 0) + 1,
            "upload_form": upload_form or NewVersionForm(),
            "waive_form": waive_form or WaiveForm(units=detail.waivable),
            "problems": problems,
        },
        status=status,
    )


def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    """One package: format, versions, pages, units with counts; upload a new version (queued,
    and the author taken to its import's page)."""
    if not may_import(request.user):
        raise PermissionDenied
    detail = _detail_or_404(package_id)
    if request.method != "POST":
        return _detail_response(request, detail)
    form = NewVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_response(request, detail, upload_form=form, status=400)
    try:
        job = import_jobs.package_import_queue(
            upload=form.cleaned_data["file"],
            mode=detail.package.mode,
            user=request.user,
            expected_package_id=detail.package.pk,
        )
    except PackageRefused as refused:
        return _detail_response(request, detail, problems=refused.problems, status=400)
    return redirect("packages_admin_import", job=job.uuid)


@require_POST
def package_waive(request: HttpRequest, package_id: int) -> HttpResponse:
    """Waive one of the package's AUs for a learner, with a reason (cmi5 section 9.3.8)."""
    if not may_import(request.user):
        raise PermissionDenied
    detail = _detail_or_404(package_id)
    form = WaiveForm(request.POST, units=detail.waivable)
    if not form.is_valid():
        return _detail_response(request, detail, waive_form=form, status=400)
    unit = form.units[form.cleaned_data["unit"]]
    try:
        cmi5_services.waive_au(
            unit=unit,
            lesson=unit.lesson,
            actor=actor_for_user(form.cleaned_data["learner"]),
            reason=form.cleaned_data["reason"],
        )
    except XAPIError as error:
        if error.rule == "cmi5.waived_once":
            form.add_error(None, gettext("Esa AU ya estaba eximida para ese docente."))
        else:
            form.add_error(None, error.message)
        return _detail_response(request, detail, waive_form=form, status=error.status)
    done = gettext("Se eximió la AU «%(title)s» para ese docente (waived).")
    messages.success(request, done % {"title": unit.title})
    return redirect("packages_admin_detail", package_id=package_id)
