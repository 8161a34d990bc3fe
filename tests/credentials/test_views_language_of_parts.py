"""The verification page marks the other language's link with that language (WCAG 3.1.2), so a
screen reader says "English" in English on the Spanish page and "Español" in Spanish."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "page_lang", "link"),
    [
        ("", "es-MX", '<a href="?lang=en" lang="en" hreflang="en">English</a>'),
        ("?lang=en", "en", '<a href="?lang=es" lang="es" hreflang="es">Español</a>'),
    ],
)
def test_the_language_switch_on_the_verification_page_speaks_its_own_language(
    client, award, query, page_lang, link
):
    html = client.get(f"/credentials/{award.uuid}/{query}").content.decode()
    assert f'<article class="credential" lang="{page_lang}">' in html
    assert link in html
