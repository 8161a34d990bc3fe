"""Forms shared by the catalog page (plain GET form) and the catalog API (query parameters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from courses.models import LEVEL_CHOICES, Sector, Skill, Topic

FILTER_NAMES = ("sector", "topic", "skill", "level", "language", "min_hours", "max_hours")


class SlugChoiceField(forms.ModelChoiceField):
    """Chooses a facet by slug and cleans to the slug (what filters and URLs carry)."""

    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return obj.label

    def clean(self, value: Any) -> str | None:
        instance = super().clean(value)
        return instance.slug if instance is not None else None


class CatalogFilterForm(forms.Form):
    """Catalog facets: sector, topic, skill (slugs), level, language and an hours range."""

    sector = SlugChoiceField(Sector.objects.all(), label=_("Sector"), empty_label=_("Todos"))
    topic = SlugChoiceField(Topic.objects.all(), label=_("Tema"), empty_label=_("Todos"))
    skill = SlugChoiceField(Skill.objects.all(), label=_("Habilidad"), empty_label=_("Todas"))
    level = forms.ChoiceField(
        label=_("Nivel"), required=False, choices=[("", _("Todos")), *LEVEL_CHOICES]
    )
    language = forms.ChoiceField(
        label=_("Idioma"), required=False, choices=[("", _("Todos")), *settings.LANGUAGES]
    )
    min_hours = forms.IntegerField(label=_("Horas mínimas"), required=False, min_value=0)
    max_hours = forms.IntegerField(label=_("Horas máximas"), required=False, min_value=0)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("min_hours"), cleaned.get("max_hours")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_hours",
                forms.ValidationError(
                    _("Debe ser mayor o igual que las horas mínimas."), code="min_value"
                ),
            )
        return cleaned

    def cleaned_filters(self) -> dict[str, Any]:
        """The valid filters only (an invalid one is dropped, and reported on the form)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: self.cleaned_data.get(name) for name in FILTER_NAMES if name in self.cleaned_data
        }
