"""Server-side SVG for the dashboard: the states map, bar charts and a trend line.

No JavaScript and no tiles: every chart is an inline SVG string built here, with a <title>
per mark for screen readers and tooltips; the same figures are always shown as a table too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

MAP_FILE = Path(__file__).resolve().parent / "static" / "reports" / "mexico-states.svg"
# Sequential blues (ColorBrewer), light to dark, for completion-rate classes.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"
BREAKS = (0.2, 0.4, 0.6, 0.8)


def rate_colour(rate: float | None) -> str:
    if rate is None:
        return NO_DATA
    for index, upper in enumerate(BREAKS):
        if rate < upper:
            return PALETTE[index]
    return PALETTE[-1]


def legend() -> list[dict[str, str]]:
    lows = (0.0, *BREAKS)
    highs = (*BREAKS, 1.0)
    items = [
        {"colour": colour, "label": f"{int(low * 100)}-{int(high * 100)} %"}
        for colour, low, high in zip(PALETTE, lows, highs, strict=True)
    ]
    items.append({"colour": NO_DATA, "label": gettext("Sin dato o suprimido")})
    return items


@lru_cache(maxsize=1)
def _map_source() -> str:
    return MAP_FILE.read_text(encoding="utf-8")


_PATH = re.compile(
    r'<path data-state="(\d\d)" id="mx-\d\d" d="([^"]+)"><title>([^<]*)</title></path>'
)


def states_map(
    values: dict[str, dict[str, object]], *, link: str | None = None, selected: str | None = None
) -> SafeString:
    """The 32 states, each filled by its completion rate; ``link`` % code makes it a link.

    ``values`` maps an INEGI code to ``{"rate": float | None, "text": str}``; states missing
    from it are drawn as "no data" and are not links.
    """

    def replace(match: re.Match[str]) -> str:
        code, path, name = match.groups()
        value = values.get(code)
        rate = value.get("rate") if value else None
        text = f"{name}: {value['text']}" if value else f"{name}: sin dato"
        classes = "mx-state" + (" mx-state--selected" if code == selected else "")
        shape = (
            f'<path data-state="{code}" class="{classes}" d="{path}" '
            f'fill="{rate_colour(rate)}"'  # type: ignore[arg-type]
            f' data-rate="{"" if rate is None else rate}"><title>{escape(text)}</title></path>'
        )
        if link and value:
            return f"<a href={quoteattr(link % code)} aria-label={quoteattr(text)}>{shape}</a>"
        return shape

    svg = _PATH.sub(replace, _map_source())
    return mark_safe(svg)  # noqa: S308 - built from our own file; names and text escaped


def bar_chart(bars: list[dict[str, object]], *, title: str, width: int = 420) -> SafeString:
    """Horizontal bars of completion rate: ``bars`` items have ``label``, ``rate``, ``href``."""
    row_height, label_width, top = 22, 150, 28
    height = top + row_height * max(len(bars), 1) + 10
    plot = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="report-chart" aria-label={quoteattr(title)}>',
        f'<text x="0" y="16" class="report-chart__title">{escape(title)}</text>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_width + plot * tick
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - 8}" '
            'stroke="#ccc" stroke-width="1"/>'
        )
    for index, bar in enumerate(bars):
        y = top + index * row_height
        label = str(bar["label"])
        short = label if len(label) <= 22 else label[:21] + "…"
        rate = bar.get("rate")
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
        )
        if rate is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + 15}" class="report-chart__muted">'
                "suprimido</text>"
            )
            continue
        bar_width = max(plot * float(rate), 1)  # type: ignore[arg-type]
        percent = f"{float(rate) * 100:.1f} %"  # type: ignore[arg-type]
        rect = (
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width:.1f}" height="{row_height - 6}"'
            f' fill="{rate_colour(float(rate))}" stroke="#08519c" stroke-width="0.5">'  # type: ignore[arg-type]
            f"<title>{escape(label)}: {percent}</title></rect>"
        )
        if bar.get("href"):
            rect = f"<a href={quoteattr(str(bar['href']))}>{rect}</a>"
        parts.append(rect)
        parts.append(f'<text x="{label_width + bar_width + 4:.1f}" y="{y + 15}">{percent}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def trend_chart(
    points: list[dict[str, Any]], series: dict[str, str], *, title: str, width: int = 640
) -> SafeString:
    """A line per series over months; ``series`` maps a key of the points to its label."""
    height, left, right, top, bottom = 240, 48, 40, 28, 40
    colours = ("#08519c", "#e6550d", "#31a354", "#756bb1")
    values = [int(point[key]) for point in points for key in series if point.get(key) is not None]
    peak = max(values, default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="report-chart" aria-label={quoteattr(title)}>',
        f'<text x="0" y="16" class="report-chart__title">{escape(title)}</text>',
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for index, point in enumerate(points):
        x = left + index * step
        if len(points) <= 12 or index % max(len(points) // 12, 1) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'class="report-chart__axis">{escape(str(point["month"]))}</text>'
            )
    for number, (key, label) in enumerate(series.items()):
        colour = colours[number % len(colours)]
        coords = []
        for index, point in enumerate(points):
            value = point.get(key)
            if value is None:
                continue
            x = left + index * step
            y = top + plot_h - plot_h * int(value) / peak
            coords.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)} {escape(str(point['month']))}: {value}</title></circle>"
            )
        if coords:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" '
                'stroke-width="2"/>'
            )
        parts.append(
            f'<rect x="{left + number * 150}" y="{height - 14}" width="10" height="10" '
            f'fill="{colour}"/><text x="{left + number * 150 + 14}" y="{height - 5}">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def percent(rate: float | None) -> str:
    return "—" if rate is None else format_html("{} %", f"{rate * 100:.1f}")
