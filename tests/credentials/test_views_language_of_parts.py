"""The verification page marks the other language's link with that language (WCAG 3.1.2), so a
screen reader says "View in English" in English on the Spanish page and "Ver en español" in
Spanish; the page itself says which language it is in."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "page_lang", "link_lang", "link_text"),
    [
        ("/credentials/{uuid}/", "es", "en", "View in English"),
        ("/en/credentials/{uuid}/", "en", "es-MX", "Ver en español"),
    ],
)
def test_the_language_switch_on_the_verification_page_speaks_its_own_language(
    client, award, path, page_lang, link_lang, link_text
):
    html = client.get(path.format(uuid=award.uuid)).content.decode()
    assert re.search(rf'<html[^>]* lang="{page_lang}', html), html[:300]
    switch = re.search(r'<p class="language-switch">(.*?)</p>', html, re.S).group(1)
    assert f'lang="{link_lang}"' in switch and f'hreflang="{link_lang}"' in switch
    assert link_text in switch
