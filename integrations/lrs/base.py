"""The forwarder interface and the factory that builds one from plain configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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


def get_forwarder(
    *,
    path: str = "",
    endpoint: str,
    username: str = "",
    password: str = "",
    timeout: float = 10.0,
    **options: Any,
) -> Forwarder:
    """The forwarder class at dotted ``path`` (default: the tincan client) for ``endpoint``.

    Plain data in: the caller (``lrs.forwarding``) reads its own settings and passes them;
    ``options`` go to the class as keyword arguments (an adapter ignores those it does not
    know by accepting ``**kwargs``)."""
    factory = import_string(path or DEFAULT_FORWARDER)
    forwarder: Forwarder = factory(
        endpoint=endpoint, username=username, password=password, timeout=timeout, **options
    )
    return forwarder
