"""Baking: embedding a badge's JSON in its image, and reading it back.

PNG: one ``iTXt`` chunk, uncompressed, keyword ``openbadges`` (Open Badges 2.0: the assertion
JSON or its URL) or ``openbadgecredential`` (Open Badges 3.0: the credential JSON or its compact
JWS). Any chunk with the same keyword is replaced, so an image holds at most one.
SVG: ``<openbadges:assertion>`` in ``http://openbadges.org`` (2.0) or
``<openbadges:credential>`` in ``https://purl.imsglobal.org/ob/v3p0`` (3.0), right after the
opening ``<svg>`` tag, with the payload in CDATA.
"""

from __future__ import annotations

import re
import struct
import zlib
from html import escape

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"
OB2_SVG_NS = "http://openbadges.org"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"


class BakingError(ValueError):
    """The image is not a PNG/SVG this module can bake or read."""


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 8 > len(png):
            raise BakingError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise BakingError("truncated PNG chunk")
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : end])
        if zlib.crc32(kind + data) & 0xFFFFFFFF != crc:
            raise BakingError(f"bad CRC in PNG chunk {kind!r}")
        chunks.append((kind, data))
        offset = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BakingError("PNG lacks IHDR or IEND")
    return chunks


def _chunk_bytes(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _itxt_keyword(data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("latin-1")


def _itxt_text(data: bytes) -> str:
    _keyword, rest = data.split(b"\0", 1)
    compressed, _method = rest[0], rest[1]
    rest = rest[2:]
    _language, rest = rest.split(b"\0", 1)
    _translated, text = rest.split(b"\0", 1)
    if compressed:
        text = zlib.decompress(text)
    return text.decode("utf-8")


def bake_png(png: bytes, payload: str, *, keyword: str) -> bytes:
    """Return ``png`` with one uncompressed iTXt chunk ``keyword`` holding ``payload``."""
    if keyword not in (OB2_KEYWORD, OB3_KEYWORD):
        raise BakingError(f"unknown baking keyword {keyword!r}")
    chunks = [
        (kind, data)
        for kind, data in _chunks(png)
        if not (kind == b"iTXt" and _itxt_keyword(data) == keyword)
    ]
    itxt = keyword.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + payload.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, data in chunks:
        if kind == b"IEND":
            out.append(_chunk_bytes(b"iTXt", itxt))
        out.append(_chunk_bytes(kind, data))
    return b"".join(out)


def unbake_png(png: bytes) -> dict[str, str]:
    """Baked payloads of a PNG by keyword (``openbadges`` and/or ``openbadgecredential``).

    Raises ``BakingError`` when a keyword appears more than once (the spec allows one).
    """
    found: dict[str, str] = {}
    for kind, data in _chunks(png):
        if kind != b"iTXt":
            continue
        keyword = _itxt_keyword(data)
        if keyword not in (OB2_KEYWORD, OB3_KEYWORD):
            continue
        if keyword in found:
            raise BakingError(f"more than one iTXt chunk with keyword {keyword!r}")
        try:
            found[keyword] = _itxt_text(data)
        except (ValueError, IndexError, zlib.error, UnicodeDecodeError) as exc:
            raise BakingError(f"unreadable iTXt chunk {keyword!r}: {exc}") from exc
    return found


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
_CDATA_UNSAFE = "]]>"


def bake_svg(svg: str, payload: str, *, version: int, verify_url: str = "") -> str:
    """Embed ``payload`` in ``svg`` (version 2: assertion, version 3: credential)."""
    if _CDATA_UNSAFE in payload:
        raise BakingError("payload cannot contain ']]>'")
    if _SVG_OPEN.search(svg) is None:
        raise BakingError("not an SVG document")
    if version == 2:
        ns, element = OB2_SVG_NS, "assertion"
        attrs = f' verify="{escape(verify_url)}"' if verify_url else ""
    elif version == 3:
        ns, element, attrs = OB3_SVG_NS, "credential", ""
    else:
        raise BakingError("version must be 2 or 3")
    cleaned = re.sub(
        rf"<openbadges:{element}\b.*?</openbadges:{element}>", "", svg, flags=re.DOTALL
    )
    match = _SVG_OPEN.search(cleaned)
    assert match is not None
    open_tag = match.group(0)
    new_open = re.sub(r'\s+xmlns:openbadges="[^"]*"', "", open_tag)
    new_open = new_open[:-1].rstrip("/") + f' xmlns:openbadges="{ns}">'
    element_xml = f"<openbadges:{element}{attrs}><![CDATA[{payload}]]></openbadges:{element}>"
    return cleaned[: match.start()] + new_open + element_xml + cleaned[match.end() :]


def unbake_svg(svg: str) -> dict[str, str]:
    """Baked payloads of an SVG: ``openbadges`` (2.0) and/or ``openbadgecredential`` (3.0)."""
    found: dict[str, str] = {}
    ns_match = re.search(r'xmlns:openbadges="([^"]*)"', svg)
    namespace = ns_match.group(1) if ns_match else ""
    for element, keyword in (("assertion", OB2_KEYWORD), ("credential", OB3_KEYWORD)):
        matches = re.findall(
            rf"<openbadges:{element}\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</openbadges:{element}>",
            svg,
            flags=re.DOTALL,
        )
        if len(matches) > 1:
            raise BakingError(f"more than one openbadges:{element} element")
        if matches:
            found[keyword] = matches[0]
    if found and namespace not in (OB2_SVG_NS, OB3_SVG_NS):
        raise BakingError("the openbadges prefix is not bound to an Open Badges namespace")
    return found
