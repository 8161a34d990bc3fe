"""Baked images round-trip, hold at most one payload per keyword, and reject bad input."""

from __future__ import annotations

import struct
import zlib

import pytest

from credentials import badge_images, baking

PAYLOAD = '{"id":"https://example.mx/c/1","name":"Diseño de cursos — EC0301"}'


@pytest.fixture
def png() -> bytes:
    return badge_images.generate_png(title="Diseño", primary="#691C32", secondary="#BC955C")


def _itxt_chunks(data: bytes) -> list[bytes]:
    return [chunk for kind, chunk in baking._chunks(data) if kind == b"iTXt"]


def test_png_round_trips_both_versions(png):
    baked = baking.bake_png(png, PAYLOAD, keyword="openbadgecredential")
    baked = baking.bake_png(baked, "https://example.mx/a/1", keyword="openbadges")
    assert baking.unbake_png(baked) == {
        "openbadgecredential": PAYLOAD,
        "openbadges": "https://example.mx/a/1",
    }
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(baked)).size == (400, 400)


def test_png_itxt_chunk_is_uncompressed_and_before_iend(png):
    baked = baking.bake_png(png, PAYLOAD, keyword="openbadgecredential")
    chunks = baking._chunks(baked)
    assert chunks[-1][0] == b"IEND" and chunks[-2][0] == b"iTXt"
    data = chunks[-2][1]
    keyword, rest = data.split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    assert rest[0] == 0  # compression flag off
    assert rest.endswith(PAYLOAD.encode())


def test_rebaking_replaces_the_chunk_so_there_is_at_most_one(png):
    once = baking.bake_png(png, "first", keyword="openbadgecredential")
    twice = baking.bake_png(once, "second", keyword="openbadgecredential")
    assert len(_itxt_chunks(twice)) == 1
    assert baking.unbake_png(twice)["openbadgecredential"] == "second"


def test_png_with_two_chunks_of_the_same_keyword_is_rejected(png):
    baked = baking.bake_png(png, "one", keyword="openbadges")
    chunk = baking._chunk_bytes(b"iTXt", b"openbadges\0\0\0\0\0two")
    doubled = baked[:-12] + chunk + baked[-12:]
    with pytest.raises(baking.BakingError, match="more than one"):
        baking.unbake_png(doubled)


def test_corrupted_png_is_rejected(png):
    baked = bytearray(baking.bake_png(png, PAYLOAD, keyword="openbadgecredential"))
    baked[-30] ^= 0xFF  # inside the iTXt chunk: its CRC no longer matches
    with pytest.raises(baking.BakingError, match="CRC"):
        baking.unbake_png(bytes(baked))
    with pytest.raises(baking.BakingError):
        baking.unbake_png(b"GIF89a not a png")
    with pytest.raises(baking.BakingError):
        baking.bake_png(png, PAYLOAD, keyword="other")


def test_compressed_itxt_written_by_other_tools_is_read(png):
    text = zlib.compress(PAYLOAD.encode())
    data = b"openbadgecredential\0" + b"\1\0" + b"\0" + b"\0" + text
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + data) & 0xFFFFFFFF)
    baked = png[:-12] + chunk + png[-12:]
    assert baking.unbake_png(baked)["openbadgecredential"] == PAYLOAD


def test_svg_round_trips_both_versions():
    svg = badge_images.generate_svg(title="IA", primary="#000000", secondary="#ffffff")
    baked = baking.bake_svg(svg, PAYLOAD, version=3)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baking.unbake_svg(baked) == {"openbadgecredential": PAYLOAD}
    rebaked = baking.bake_svg(baked, "other", version=3)
    assert baking.unbake_svg(rebaked) == {"openbadgecredential": "other"}
    ob2 = baking.bake_svg(svg, '{"id": "x"}', version=2, verify_url="https://example.mx/a")
    assert 'xmlns:openbadges="http://openbadges.org"' in ob2
    assert '<openbadges:assertion verify="https://example.mx/a">' in ob2
    assert baking.unbake_svg(ob2) == {"openbadges": '{"id": "x"}'}


def test_svg_rejects_cdata_breaking_payload_and_non_svg():
    svg = badge_images.generate_svg(title="IA", primary="#000000", secondary="#ffffff")
    with pytest.raises(baking.BakingError):
        baking.bake_svg(svg, "a]]>b", version=3)
    with pytest.raises(baking.BakingError):
        baking.bake_svg("<html></html>", PAYLOAD, version=3)
    with pytest.raises(baking.BakingError):
        baking.bake_svg(svg, PAYLOAD, version=4)


def test_svg_with_a_foreign_namespace_is_rejected():
    forged = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://evil.example">'
        "<openbadges:credential><![CDATA[{}]]></openbadges:credential></svg>"
    )
    with pytest.raises(baking.BakingError, match="namespace"):
        baking.unbake_svg(forged)
