"""Build progress/static/reports/mexico-states.svg from the npm package @svg-maps/mexico.

Provenance: @svg-maps/mexico 2.0.0 (Victor Cazanave, after MapSVG), licence CC BY 4.0.
Only the generated SVG is committed; fetch the package into a scratch folder first:

    cd /tmp && npm pack @svg-maps/mexico@2.0.0 && tar xzf svg-maps-mexico-2.0.0.tgz
    python scripts/build_mexico_svg.py /tmp/package/index.js \
        progress/static/reports/mexico-states.svg

Each state becomes one ``<path>`` carrying ``data-state`` (INEGI code "01".."32") and a
``<title>``; coordinates are rounded to one decimal, which keeps the outline and halves the size.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

# The package's ids (ISO 3166-2:MX suffixes, lower case) to INEGI state codes.
PACKAGE_ID_TO_INEGI = {
    "agu": ("01", "Aguascalientes"),
    "bcn": ("02", "Baja California"),
    "bcs": ("03", "Baja California Sur"),
    "cam": ("04", "Campeche"),
    "coa": ("05", "Coahuila de Zaragoza"),
    "col": ("06", "Colima"),
    "chp": ("07", "Chiapas"),
    "chh": ("08", "Chihuahua"),
    "cmx": ("09", "Ciudad de México"),
    "dur": ("10", "Durango"),
    "gua": ("11", "Guanajuato"),
    "gro": ("12", "Guerrero"),
    "hid": ("13", "Hidalgo"),
    "jal": ("14", "Jalisco"),
    "mex": ("15", "México"),
    "mic": ("16", "Michoacán de Ocampo"),
    "mor": ("17", "Morelos"),
    "nay": ("18", "Nayarit"),
    "nle": ("19", "Nuevo León"),
    "oax": ("20", "Oaxaca"),
    "pue": ("21", "Puebla"),
    "que": ("22", "Querétaro"),
    "roo": ("23", "Quintana Roo"),
    "slp": ("24", "San Luis Potosí"),
    "sin": ("25", "Sinaloa"),
    "son": ("26", "Sonora"),
    "tab": ("27", "Tabasco"),
    "tam": ("28", "Tamaulipas"),
    "tla": ("29", "Tlaxcala"),
    "ver": ("30", "Veracruz de Ignacio de la Llave"),
    "yuc": ("31", "Yucatán"),
    "zac": ("32", "Zacatecas"),
}

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _round(path: str) -> str:
    return _NUMBER.sub(lambda m: f"{float(m.group()):.1f}".rstrip("0").rstrip("."), path)


def build(index_js: Path) -> str:
    text = index_js.read_text(encoding="utf-8")
    data = json.loads(text[text.index("{") :].rstrip().rstrip(";"))
    locations = {loc["id"]: loc for loc in data["locations"]}
    missing = set(PACKAGE_ID_TO_INEGI) - set(locations)
    if missing:
        raise SystemExit(f"states missing from the package: {sorted(missing)}")
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{data["viewBox"]}" '
        'role="img" aria-labelledby="mx-map-title" class="mx-map">',
        '<title id="mx-map-title">Estados Unidos Mexicanos</title>',
        "<!-- Outlines: @svg-maps/mexico 2.0.0 (after MapSVG), CC BY 4.0. -->",
    ]
    for package_id, (code, name) in sorted(PACKAGE_ID_TO_INEGI.items(), key=lambda i: i[1][0]):
        path = _round(locations[package_id]["path"])
        lines.append(
            f'<path data-state="{code}" id="mx-{code}" d="{path}">'
            f"<title>{escape(name)}</title></path>"
        )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.write_text(build(source), encoding="utf-8")
    print(f"wrote {target} ({target.stat().st_size} bytes)")
