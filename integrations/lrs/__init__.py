"""Adapters that send statements to an external LRS.

``get_forwarder()`` builds the adapter named by ``LMS_LRS_FORWARDER`` (a dotted path; the
default talks xAPI through ``tincan``, ``integrations.lrs.fake.InMemoryForwarder`` keeps
statements in memory for tests). Every adapter answers :class:`ForwardResult` per statement:
``ok`` (stored, or already there), ``retry`` (the LRS is unreachable or answered 5xx/429)
or ``rejected`` (4xx: sending it again would not help).
"""

from __future__ import annotations

from .base import Forwarder, ForwardResult, get_forwarder

__all__ = ["ForwardResult", "Forwarder", "get_forwarder"]
