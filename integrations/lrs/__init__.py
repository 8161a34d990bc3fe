"""Adapters that send statements and documents (State, Activity and Agent Profiles) to an
external LRS.

``get_forwarder(path=..., endpoint=..., ...)`` builds the adapter at a dotted path from plain
configuration (the LRS passes its ``LMS_LRS_FORWARDER`` and ``LMS_LRS_FORWARD_*`` settings; the
default talks xAPI through ``tincan``, ``integrations.lrs.fake.InMemoryForwarder`` keeps
statements and documents in memory for tests). Every adapter answers :class:`ForwardResult`
per statement (``send``) and per document (``send_document``, a :class:`DocumentWrite`):
``ok`` (stored, or already there), ``retry`` (the LRS is unreachable or answered 5xx/429)
or ``rejected`` (4xx: sending it again would not help).
"""

from __future__ import annotations

from .base import DocumentWrite, Forwarder, ForwardResult, get_forwarder

__all__ = ["DocumentWrite", "ForwardResult", "Forwarder", "get_forwarder"]
