"""Telling Spanish text from English in a response, for the tests of the English catalogues."""

from __future__ import annotations

import re
from html import unescape

# Words and letters only Spanish uses, in Capacita's texts. Proper nouns that stay Spanish in
# English (state names, "Estándar de Competencia", school and course names) are removed by
# the caller through ``allowed``.
_SPANISH = re.compile(
    r"[áéíóúñ¿¡«»]|\b(el|la|los|las|del|que|tu|tus|una|para|por|con|sin|más|aún|está|están|"
    r"entidad|cifras|reporte|reportes|suprimido|credencial|credenciales|alcance|debe|no es)\b",
    re.IGNORECASE,
)


def visible_text(html: str) -> str:
    """The text of an HTML page as a reader sees it (no tags, scripts or styles)."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def spanish_in(text: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The Spanish words and letters found in ``text`` once the ``allowed`` phrases are gone,
    each with a little of the text around it (to see where, when a test fails)."""
    for phrase in allowed:
        text = text.replace(phrase, " ")
    return [
        f"{match.group(0)!r} in …{text[max(0, match.start() - 30) : match.end() + 30]}…"
        for match in _SPANISH.finditer(text)
    ]
