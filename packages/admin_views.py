"""Wagtail admin view of packages: upload a zip, see every problem or the created pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies.pages import PagePermissionPolicy

from courses.models import ModulePage
from packages import selectors, services
from packages.models import Package
from packages.problems import PackageRefused


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
    """Upload form, the problems of a refused package or the pages of an imported one, and
    the packages imported so far."""
    if not may_import(request.user):
        raise PermissionDenied
    form = PackageUploadForm(request.POST or None, request.FILES or None)
    problems = None
    result = None
    if request.method == "POST" and form.is_valid():
        parent = form.cleaned_data.get("parent")
        try:
            imported = services.package_import(
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                parent_id=parent.pk if parent else None,
                user=request.user,
            )
        except PackageRefused as refused:
            problems = refused.problems
        else:
            result = imported.as_dict()
            form = PackageUploadForm()
    return TemplateResponse(
        request,
        "packages/admin/index.html",
        {
            "form": form,
            "problems": problems,
            "result": result,
            "packages": selectors.package_list()[:50],
        },
        status=400 if problems else 200,
    )
