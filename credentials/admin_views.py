"""Wagtail admin views for staff: award an achievement by hand, revoke an award — each with a
reason, through the same audited services as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from credentials import services
from credentials.models import Achievement, Award


def _require(request: HttpRequest, *perms: str) -> None:
    if not all(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


class ManualAwardForm(forms.Form):
    achievement = forms.ModelChoiceField(
        queryset=Achievement.objects.select_related("issuer"), label=_("achievement")
    )
    learner = forms.CharField(label=_("learner (username or e-mail)"), max_length=254)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea, max_length=2000)

    def clean_learner(self) -> Any:
        value = self.cleaned_data["learner"].strip()
        matches = list(
            get_user_model().objects.filter(Q(username=value) | Q(email__iexact=value))[:2]
        )
        if len(matches) != 1:
            raise forms.ValidationError(_("No single learner has that username or e-mail."))
        return matches[0]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A manual award needs a reason."))
        return reason


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea, max_length=2000)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A revocation needs a reason."))
        return reason


def award_by_hand(request: HttpRequest) -> HttpResponse:
    _require(request, "credentials.add_award", "credentials.change_award")
    form = ManualAwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award, created = services.award_issue(
                achievement_id=form.cleaned_data["achievement"].pk,
                user_id=form.cleaned_data["learner"].pk,
                source=Award.Source.STAFF,
                actor_id=request.user.pk,
                reason=form.cleaned_data["reason"],
            )
        except services.AwardError as exc:
            form.add_error("learner", str(exc))
        else:
            if created:
                messages.success(request, _("Credential issued."))
            else:
                messages.warning(request, _("The learner already held this credential."))
            return redirect(reverse("wagtailsnippets_credentials_award:inspect", args=[award.pk]))
    return TemplateResponse(
        request,
        "credentials/admin/form.html",
        {"form": form, "title": _("Award a credential by hand"), "submit": _("Award")},
    )


def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "credentials.change_award")
    award = get_object_or_404(Award.objects.select_related("achievement"), pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.award_revoke(
            award_id=award.pk, reason=form.cleaned_data["reason"], actor_id=request.user.pk
        )
        messages.success(request, _("Credential revoked."))
        return redirect(reverse("wagtailsnippets_credentials_award:inspect", args=[award.pk]))
    return TemplateResponse(
        request,
        "credentials/admin/form.html",
        {
            "form": form,
            "title": _("Revoke “%(name)s”") % {"name": award.achievement.name},
            "submit": _("Revoke"),
            "award": award,
        },
    )
