"""Bitstring Status List (W3C) encoding: GZIP-compressed bits, multibase base64url ("u")."""

from __future__ import annotations

import base64
import gzip

# The W3C recommendation: at least 16 KB (131,072 entries) so one index says little about whom.
MIN_BITS = 131_072


def encode(revoked_indexes: set[int] | list[int], *, size: int | None = None) -> str:
    """``encodedList`` for the given revoked indexes (bit 0 is the left-most bit)."""
    highest = max(revoked_indexes, default=-1)
    bits = max(MIN_BITS, size or 0, ((highest // 8) + 1) * 8)
    bits = ((bits + 7) // 8) * 8
    data = bytearray(bits // 8)
    for index in revoked_indexes:
        if index < 0:
            raise ValueError("status list index must be non-negative")
        data[index // 8] |= 0x80 >> (index % 8)
    # mtime=0 keeps the encoding stable for identical lists (cacheable, comparable).
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def is_set(encoded_list: str, index: int) -> bool:
    """Whether bit ``index`` is set in an ``encodedList``; ``ValueError`` when out of range."""
    text = encoded_list[1:] if encoded_list.startswith("u") else encoded_list
    raw = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    if index < 0 or index >= len(raw) * 8:
        raise ValueError("status list index out of range")
    return bool(raw[index // 8] & (0x80 >> (index % 8)))
