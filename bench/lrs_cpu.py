"""CPU cost of the LRS's statement path inside one process (no HTTP server, no profiler).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/capacita_bench_lrs \
        .venv/bin/python bench/lrs_cpu.py

Posts batches through Django's request handling (middleware, view, validation, storage) and
prints the application's CPU milliseconds per statement and per request, which do not depend
on how busy the machine is (wall time does). PostgreSQL's own CPU is not included.
"""

from __future__ import annotations

import base64
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")

import django

django.setup()

from django.test import Client  # noqa: E402
from lrs_synthetic import statement  # noqa: E402

from lrs.client_services import lrs_client_create  # noqa: E402


def measure(client: Client, auth: str, batch: int, requests: int) -> dict:
    rng = random.Random(batch)
    bodies = [json.dumps([statement(rng) for _ in range(batch)]) for _ in range(requests + 3)]
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    for body in bodies[:3]:  # warm-up
        client.post("/xapi/statements", body, content_type="application/json", headers=headers)
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies[3:]:
        response = client.post(
            "/xapi/statements", body, content_type="application/json", headers=headers
        )
        assert response.status_code == 200, response.content[:300]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "batch": batch,
        "requests": requests,
        "app_cpu_ms_per_request": round(cpu / requests * 1000, 2),
        "app_cpu_ms_per_statement": round(cpu / requests / batch * 1000, 3),
        "wall_ms_per_request": round(wall / requests * 1000, 2),
    }


def main() -> None:
    lrs_client, secret = lrs_client_create(name="cpu-bench", scopes=["all"])
    auth = "Basic " + base64.b64encode(f"{lrs_client.key}:{secret}".encode()).decode()
    client = Client(HTTP_HOST="127.0.0.1")
    results = [measure(client, auth, 100, 50), measure(client, auth, 1, 500)]
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
