"""Test helpers for wagtail-localize translations of course pages."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation


def fill_translations(page: Any, locale: Any, prefix: str = "EN ", slug_prefix: str = "") -> int:
    """Translate every string of ``page``'s wagtail-localize translation, as a translator does
    in the translation editor (which saves each string through its API); the slug keeps its
    text behind ``slug_prefix``. Returns how many strings were filled in."""
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=locale
    )
    prefixes = {"slug": slug_prefix}
    count = 0
    segments = StringSegment.objects.filter(source=translation.source).select_related(
        "string", "context"
    )
    for segment in segments:
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": prefixes.get(segment.context.path, prefix) + segment.string.data},
        )
        count += 1
    return count


def translated_pages(course: Any, locale: Any) -> list[Any]:
    """The course's pages (course, modules, lessons) in ``locale``, in tree order."""
    keys = [course.translation_key, *(p.translation_key for p in course.get_descendants())]
    pages = Page.objects.filter(translation_key__in=keys, locale=locale).order_by("path")
    return [page.specific for page in pages]
