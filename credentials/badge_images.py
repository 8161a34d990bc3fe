"""Badge artwork generated from colours when an achievement has no uploaded image."""

from __future__ import annotations

import io
import math
from html import escape

from PIL import Image, ImageDraw, ImageFont

SIZE = 400


def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(char * 2 for char in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hexagon(center: float, radius: float) -> list[tuple[float, float]]:
    return [
        (
            center + radius * math.cos(math.radians(60 * i - 90)),
            center + radius * math.sin(math.radians(60 * i - 90)),
        )
        for i in range(6)
    ]


def _initials(title: str) -> str:
    words = [word for word in title.split() if word[:1].isalnum() and len(word) > 2]
    return ("".join(word[0] for word in words[:3]) or title[:2]).upper()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # very old Pillow without sized default font
        return ImageFont.load_default()


def generate_png(*, title: str, primary: str, secondary: str, caption: str = "") -> bytes:
    """A 400 x 400 hexagonal badge in the two colours, with the title's initials and a caption."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(_hexagon(SIZE / 2, SIZE / 2 - 4), fill=_hex_to_rgb(secondary))
    draw.polygon(_hexagon(SIZE / 2, SIZE / 2 - 28), fill=_hex_to_rgb(primary))
    text = _initials(title)
    font = _font(110)
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(
        ((SIZE - (box[2] - box[0])) / 2, SIZE / 2 - 80), text, font=font, fill=(255, 255, 255)
    )
    if caption:
        small = _font(30)
        box = draw.textbbox((0, 0), caption, font=small)
        draw.text(
            ((SIZE - (box[2] - box[0])) / 2, SIZE / 2 + 60),
            caption,
            font=small,
            fill=(255, 255, 255),
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def generate_svg(*, title: str, primary: str, secondary: str, caption: str = "") -> str:
    """The same design as ``generate_png`` as an SVG document."""

    def points(radius: float) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in _hexagon(SIZE / 2, radius))

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{escape(title)}">'
        f'<polygon points="{points(SIZE / 2 - 4)}" fill="{escape(secondary)}"/>'
        f'<polygon points="{points(SIZE / 2 - 28)}" fill="{escape(primary)}"/>'
        f'<text x="200" y="215" font-size="110" font-family="sans-serif" fill="#fff" '
        f'text-anchor="middle">{escape(_initials(title))}</text>'
        f'<text x="200" y="290" font-size="30" font-family="sans-serif" fill="#fff" '
        f'text-anchor="middle">{escape(caption)}</text></svg>'
    )


def png_to_svg_wrapper(png: bytes, *, title: str) -> str:
    """An SVG that shows an uploaded PNG, so uploaded artwork can be baked as SVG too."""
    import base64

    data = base64.b64encode(png).decode()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-label="{escape(title)}"><image width="{SIZE}" height="{SIZE}" '
        f'href="data:image/png;base64,{data}"/></svg>'
    )
