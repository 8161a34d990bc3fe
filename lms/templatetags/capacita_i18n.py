"""Template tags of the site's shell: the link to the same page in the other language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

register = template.Library()


@register.inclusion_tag("includes/other_language_link.html", takes_context=True)
def other_language_link(context: dict[str, Any]) -> dict[str, str]:
    """For pages outside Wagtail's tree that exist under both prefixes (account pages and the
    wallet, from ``i18n_patterns`` with Spanish unprefixed): the same path in the other language.
    Only templates of such pages use it; a Wagtail page links its own translations instead."""
    request = context.get("request")
    if request is None:
        return {"url": ""}
    other = "es-mx" if (translation.get_language() or "").startswith("en") else "en"
    path = request.path
    if other == "en":
        url = path if path.startswith("/en/") else "/en" + path
    else:
        url = path.removeprefix("/en")
    return {
        "url": url,
        "code": other,
        "label": "English" if other == "en" else "Español",
    }
