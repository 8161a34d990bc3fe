"""The forwarder interface and the factory that builds one from plain configuration."""

from __future__ import annotations

import json
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


# The document resources of xAPI, by the kind of document (``lrs.models.LRSDocument.Kind``).
STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"


@dataclass(frozen=True)
class DocumentWrite:
    """One document as an external LRS should hold it: its content, or gone (``content`` None).

    ``kind`` names the resource (``state``, ``activity_profile``, ``agent_profile``); the
    identifiers are those of its query string, and unused ones are empty (``agent`` None).
    """

    kind: str
    document_id: str
    activity_id: str = ""
    agent: dict[str, Any] | None = None
    registration: str = ""
    content: bytes | None = None
    content_type: str = "application/octet-stream"

    @property
    def deleted(self) -> bool:
        return self.content is None

    def params(self) -> dict[str, str]:
        """The query string that names the document on the resource."""
        params: dict[str, str] = {}
        if self.kind in (STATE, ACTIVITY_PROFILE):
            params["activityId"] = self.activity_id
        if self.kind in (STATE, AGENT_PROFILE) and self.agent is not None:
            params["agent"] = json.dumps(self.agent, ensure_ascii=False, separators=(",", ":"))
        if self.kind == STATE:
            if self.registration:
                params["registration"] = self.registration
            params["stateId"] = self.document_id
        else:
            params["profileId"] = self.document_id
        return params


DOCUMENT_RESOURCES = {
    STATE: "activities/state",
    ACTIVITY_PROFILE: "activities/profile",
    AGENT_PROFILE: "agents/profile",
}


class Forwarder(Protocol):
    """Sends statements (plain xAPI dicts with ids) and documents to one external LRS."""

    def send(self, statement: dict[str, Any]) -> ForwardResult: ...

    def send_document(self, document: DocumentWrite) -> ForwardResult:
        """Make the external LRS hold ``document`` as given: PUT its content (replacing what
        is there, whatever the ETag), or DELETE it (already gone counts as done). Idempotent,
        so a retry after a crash changes nothing."""
        ...


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
