"""A second, real Capacita LRS in a subprocess, used as the external LRS of forwarding tests.

It runs under gunicorn on its own port with its own SQLite database and an LRS client made by
``manage.py lrs_client create``; tests can stop and restart it to stage an outage.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ExternalLRS:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.database = directory / "external-lrs.sqlite3"
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.base_url}/xapi/"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LMS_LRS_FORWARD", "CELERY_", "DATABASE_URL"))
        }
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "lms.settings.test",
                "DATABASE_URL": f"sqlite:///{self.database}",
                "LMS_SITE_URL": self.base_url,
                "LMS_MEDIA_ROOT": str(directory / "media"),
            }
        )
        self.process: subprocess.Popen | None = None
        self.key = ""
        self.secret = ""

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        return done.stdout

    def setup(self) -> None:
        self.manage("migrate", "--noinput")
        credentials = json.loads(
            self.manage("lrs_client", "create", "capacita-forwarding").strip().splitlines()[-1]
        )
        self.key, self.secret = credentials["key"], credentials["secret"]

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lms.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                urllib.request.urlopen(f"{self.endpoint}about", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("the external LRS did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def statement_ids(self) -> list[str]:
        """Every statement id the external LRS stored (a list: a double would show twice)."""
        with sqlite3.connect(self.database) as db:
            return [
                str(row[0]).replace("-", "")
                for row in db.execute("SELECT statement_id FROM progress_statement")
            ]

    def statements_by_id(self) -> dict[str, dict]:
        """Every stored statement's JSON, by id without dashes."""
        with sqlite3.connect(self.database) as db:
            return {
                str(row[0]).replace("-", ""): json.loads(row[1])
                for row in db.execute("SELECT statement_id, data FROM progress_statement")
            }

    def documents(self) -> dict[tuple[str, str, str, str, str], tuple[bytes, str]]:
        """Every stored document's content and content type, by (kind, activity, agent IFI,
        registration, document id)."""
        with sqlite3.connect(self.database) as db:
            return {
                tuple(row[:5]): (bytes(row[5]), row[6])
                for row in db.execute(
                    "SELECT kind, activity, agent_ifi, registration, document_id, content,"
                    " content_type FROM progress_lrsdocument"
                )
            }
