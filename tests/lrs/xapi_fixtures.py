"""Fixtures and builders for the LRS tests (imported by the test_xapi_* modules)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from lrs.auth import generate_credentials, hash_secret
from lrs.models import LRSClient

VERSION = "1.0.3"
ACTIVITY = "http://example.com/activities/lesson-1"
VERB = "http://adlnet.gov/expapi/verbs/experienced"


def make_client(name: str = "tool", scopes: list[str] | None = None) -> tuple[LRSClient, str]:
    key, secret = generate_credentials()
    client = LRSClient.objects.create(
        name=name, key=key, secret_hash=hash_secret(secret), scopes=scopes or ["all"]
    )
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return client, f"Basic {token}"


def statement(**overrides: Any) -> dict:
    """A minimal valid statement; keyword arguments replace top-level properties."""
    data: dict[str, Any] = {
        "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.com"},
        "verb": {"id": VERB, "display": {"en-US": "experienced"}},
        "object": {
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {"name": {"en-US": "Lesson 1"}},
        },
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class XAPI:
    """A Django test client speaking xAPI with one client's credentials."""

    def __init__(self, client: Client, auth: str | None, version: str = VERSION) -> None:
        self.client = client
        self.auth = auth
        self.version = version

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {}
        if self.version:
            headers["X-Experience-API-Version"] = self.version
        if self.auth:
            headers["Authorization"] = self.auth
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/xapi/{path}", params or {}, headers=self.headers(headers))

    def head(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.head(f"/xapi/{path}", params or {}, headers=self.headers(headers))

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        params: dict | None,
        headers: dict | None,
        content_type: str,
    ):
        from urllib.parse import urlencode

        url = f"/xapi/{path}"
        if params:
            url += "?" + urlencode(params)
        if not isinstance(body, bytes | str):
            body = json.dumps(body)
        return getattr(self.client, method)(
            url, body, content_type=content_type, headers=self.headers(headers)
        )

    def post(
        self,
        path: str,
        body: Any = b"",
        params: dict | None = None,
        headers: dict | None = None,
        content_type: str = "application/json",
    ):
        return self._send("post", path, body, params, headers, content_type)

    def put(
        self,
        path: str,
        body: Any = b"",
        params: dict | None = None,
        headers: dict | None = None,
        content_type: str = "application/json",
    ):
        return self._send("put", path, body, params, headers, content_type)

    def delete(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self._send("delete", path, b"", params, headers, "application/json")

    def store(self, *statements: dict) -> list[str]:
        response = self.post("statements", list(statements))
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def xapi(db) -> XAPI:
    """An xAPI test client authenticated as a new LRS client with scope ``all``."""
    from lrs.services import forget_defined_activities

    forget_defined_activities()  # transactional tests commit definitions, then flush them
    lrs_client, auth = make_client()
    api = XAPI(Client(), auth)
    api.lrs_client = lrs_client
    return api


def new_id() -> str:
    return str(uuid.uuid4())
