"""The forwarder interface and the factory that picks one from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_FORWARDER = "integrations.lrs.tincan_client.TinCanForwarder"
OK = "ok"
RETRY = "retry"
REJECTED = "rejected"


@dataclass(frozen=True)
class ForwardResult:
    """The outcome of sending one statement."""

    outcome: str  # OK, RETRY or REJECTED
    status_code: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == OK


class Forwarder(Protocol):
    """Sends statements (plain xAPI dicts with ids) to one external LRS."""

    def send(self, statement: dict[str, Any]) -> ForwardResult: ...


def outcome_for_status(status: int) -> str:
    """2xx stored (204 new, 200/204 identical repeat); 5xx, 429 and 408 try again; 4xx gives up.

    A 409 means the external LRS holds a *different* statement with this id: retrying cannot
    fix that, so it is a rejection an operator has to look at.
    """
    if 200 <= status < 300:
        return OK
    if status >= 500 or status in (408, 429):
        return RETRY
    return REJECTED


def get_forwarder() -> Forwarder:
    """The forwarder configured by ``LMS_LRS_FORWARDER`` for ``LMS_LRS_FORWARD_URL``."""
    path = getattr(settings, "LMS_LRS_FORWARDER", "") or DEFAULT_FORWARDER
    factory = import_string(path)
    return factory(
        endpoint=getattr(settings, "LMS_LRS_FORWARD_URL", ""),
        username=getattr(settings, "LMS_LRS_FORWARD_USERNAME", ""),
        password=getattr(settings, "LMS_LRS_FORWARD_PASSWORD", ""),
        timeout=float(getattr(settings, "LMS_LRS_FORWARD_TIMEOUT", 10.0)),
    )
