"""A recording xAPI server on loopback, standing in for an external LRS in adapter tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class RecordingLRS:
    """Answers ``GET about`` with ``versions`` and 204 to every PUT, recording each request."""

    def __init__(self, versions: list[str]) -> None:
        self.versions = versions
        self.requests: list[dict[str, Any]] = []
        self.about_status = 200
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _record(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                entry = {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": self.rfile.read(length) if length else b"",
                }
                recorder.requests.append(entry)
                return entry

            def do_GET(self) -> None:
                self._record()
                body = json.dumps({"version": recorder.versions}).encode()
                self.send_response(recorder.about_status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:
                self._record()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def puts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "PUT"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
