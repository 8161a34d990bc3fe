"""What the upgrade scripts share: start Django on a chosen code tree, talk to it over HTTP.

Imported by ``populate.py`` and ``snapshot.py`` when they run as scripts (this folder is then
first on ``sys.path``). Nothing here imports a Capacita app: the same helpers work on the code
before the split of ``progress/`` and after it, whatever modules the models end up in. The
only names relied on are the public contract (URLs, management commands, settings modules)
and the database's table names, which the split keeps.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

XAPI_VERSION = "1.0.3"
# Fixed ids make a failing run easy to read: the same statement has the same id every time.
NAMESPACE = uuid.UUID("6c1b8e52-0a5e-4a57-8f0e-5f1d3b2a9c40")
ADL = "http://adlnet.gov/expapi/verbs/"
TOOL = "https://herramienta.example.mx/xapi"
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def start_django(code: Path) -> None:
    """Put ``code`` first on sys.path and set Django up from it (the settings module comes
    from DJANGO_SETTINGS_MODULE, the database from DATABASE_URL: see upgrade.py)."""
    sys.path.insert(0, str(code.resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")
    import django

    django.setup()
    loaded = sys.modules["lms"].__file__ or ""
    if not Path(loaded).resolve().is_relative_to(code.resolve()):
        raise SystemExit(f"lms was imported from {loaded}, not from {code}")


def fixed_id(label: str) -> str:
    return str(uuid.uuid5(NAMESPACE, label))


def user_client(username: str) -> Any:
    """A test client signed in as ``username`` (no password: the session is made directly)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


class LRS:
    """xAPI requests through django.test.Client, as an LRS client (Basic) or a session."""

    def __init__(self, client: Any, key: str | None = None, secret: str | None = None) -> None:
        self.client = client
        self.headers = {"X-Experience-API-Version": XAPI_VERSION}
        if key is not None:
            token = base64.b64encode(f"{key}:{secret}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def request(
        self,
        method: str,
        resource: str,
        params: dict[str, str] | None = None,
        body: bytes | str | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        path = f"/xapi/{resource}"
        if params:
            path += "?" + urlencode(params)
        call = getattr(self.client, method.lower())
        all_headers = {**self.headers, **(headers or {})}
        if method.upper() in ("GET", "HEAD"):
            return call(path, headers=all_headers)
        return call(path, body or b"", content_type=content_type, headers=all_headers)

    def post_json(self, resource: str, data: Any, params: dict[str, str] | None = None) -> Any:
        return self.request("POST", resource, params, json.dumps(data))

    def put_json(self, resource: str, data: Any, params: dict[str, str] | None = None) -> Any:
        return self.request("PUT", resource, params, json.dumps(data))


def multipart(first: bytes, parts: list[tuple[str, str, bytes]], boundary: str) -> bytes:
    """A multipart/mixed body (xAPI Communication 1.5.2): the JSON, then each attachment."""
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), first, b"\r\n"]
    for sha2, content_type, content in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Type: {content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks += [content, b"\r\n"]
    chunks.append(f"--{boundary}--".encode())
    return b"".join(chunks)


def expect(response: Any, *statuses: int, what: str) -> Any:
    """The response, or exit naming the request: populating stops at the first refusal."""
    if response.status_code not in statuses:
        body = response.content[:2000].decode(errors="replace")
        raise SystemExit(f"{what}: HTTP {response.status_code}, expected {statuses}: {body}")
    return response
