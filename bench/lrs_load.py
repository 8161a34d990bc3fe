"""Load generator for the LRS: statement POSTs (single or batches) and query latencies.

    .venv/bin/python bench/lrs_load.py post --url http://127.0.0.1:8001/xapi/ \
        --key K --secret S --clients 8 --batch 1 --duration 60
    .venv/bin/python bench/lrs_load.py query --url ... --key K --secret S --requests 500

``post`` prints statements/s overall and for the first and last 5 seconds; ``query`` prints
p50/p95 latencies of queries that find data (agent + verb + activity of stored statements,
``since`` pages read forward through a month, full agent pages), warm or ``--cold``, with a
new seed each run unless ``--seed`` is given. The last line of each run is a JSON object.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import socket
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lrs_synthetic import statement


class Connection:
    """A lean HTTP/1.1 keep-alive client on a raw socket.

    The load generator shares the machine's two cores with gunicorn and PostgreSQL, so every
    millisecond it spends is taken from the server being measured: headers are encoded once,
    a request is one ``sendall`` and a response is read by its Content-Length. (http.client
    cost about 0.3 ms of CPU per request; this about a third of that.)
    """

    def __init__(self, url: str, key: str, secret: str) -> None:
        parsed = urlparse(url)
        self.host, self.port, self.base = parsed.hostname, parsed.port or 80, parsed.path
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.fixed = (
            f"Host: {self.host}:{self.port}\r\n"
            f"Authorization: Basic {token}\r\n"
            "X-Experience-API-Version: 1.0.3\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        return sock

    def _read_response(self, sock: socket.socket) -> tuple[int, bytes]:
        buffer = self.buffer
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            rest += chunk
        self.buffer = rest[length:]
        if close:
            sock.close()
            self.sock = None
        return status, rest[:length]

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        body = body or b""
        message = (
            f"{method} {self.base}{path} HTTP/1.1\r\n".encode()
            + self.fixed
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body
        )
        for attempt in range(2):
            try:
                if self.sock is None:
                    self.sock = self._connect()
                self.sock.sendall(message)
                return self._read_response(self.sock)
            except (OSError, ValueError, IndexError):
                if self.sock is not None:
                    self.sock.close()
                self.sock = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def statement_templates(count: int) -> list[str]:
    """``count`` statement bodies without their id and opening brace (see ``run_posts``)."""
    rng = random.Random(7)
    # Serialised once without id; each request prepends a fresh id (cheap for the client).
    return [json.dumps(statement(rng, with_id=False))[1:] for _ in range(count)]


def run_posts(args: argparse.Namespace) -> dict:
    templates = statement_templates(5000)
    stop_at = time.monotonic() + args.duration
    started = time.monotonic()
    buckets: list[list[int]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        conn = Connection(args.url, args.key, args.secret)
        rng = random.Random(seed)
        local = [0] * (int(args.duration) + 2)
        while time.monotonic() < stop_at:
            parts = [
                '{"id":"%s",%s' % (uuid.uuid4(), rng.choice(templates))  # noqa: UP031
                for _ in range(args.batch)
            ]
            body = ("[" + ",".join(parts) + "]").encode()
            status, content = conn.request("POST", "statements", body)
            if status != 200:
                with lock:
                    errors.append(f"{status} {content[:200]!r}")
                continue
            second = int(time.monotonic() - started)
            if second < len(local):
                local[second] += args.batch
        with lock:
            buckets.append(local)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    per_second = [sum(b[i] for b in buckets) for i in range(int(args.duration))]
    total = sum(per_second)
    first5 = sum(per_second[:5]) / 5
    last5 = sum(per_second[-5:]) / 5
    result = {
        "mode": "post",
        "clients": args.clients,
        "batch": args.batch,
        "duration_s": args.duration,
        "statements": total,
        "statements_per_s": round(total / args.duration, 1),
        "first5_per_s": round(first5, 1),
        "last5_per_s": round(last5, 1),
        "last5_over_first5": round(last5 / first5, 3) if first5 else None,
        "errors": len(errors),
    }
    if errors:
        print("first errors:", errors[:3], file=sys.stderr)
    print("per second:", per_second)
    return result


def _percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    cut = statistics.quantiles(samples, n=100)
    return {"p50_ms": round(cut[49], 2), "p95_ms": round(cut[94], 2), "n": len(samples)}


def _get_json(conn: Connection, path: str) -> dict:
    status, content = conn.request("GET", path)
    if status != 200:
        raise SystemExit(f"{status} {content[:300]!r}")
    return json.loads(content)


def _relative(conn: Connection, more: str) -> str:
    return more[len(conn.base) :] if more.startswith(conn.base) else more.lstrip("/")


def sample_stored(conn: Connection, rng: random.Random, now: datetime, count: int) -> list[dict]:
    """Statements that are really stored, read the way a client would (random ``since`` pages),
    so every query below asks for data that exists."""
    found: dict[str, dict] = {}
    for _ in range(count * 10):
        if len(found) >= count:
            break
        since = now - timedelta(seconds=rng.randrange(30 * 24 * 3600))
        page = _get_json(
            conn,
            "statements?" + urlencode({"since": _iso(since), "ascending": "true", "limit": 50}),
        )
        for item in page["statements"]:
            if isinstance(item.get("object"), dict) and item["object"].get("id"):
                found[item["id"]] = item
    if len(found) < count:
        raise SystemExit(f"found {len(found)} distinct stored statements, wanted {count}")
    return list(found.values())[:count]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def run_queries(args: argparse.Namespace) -> dict:
    """p50/p95 of queries that find data: agent + verb + activity of stored statements, a
    month read forward with ``ascending=true`` following ``more``, and full agent pages.
    ``--cold`` measures without warm-up (the caller restarts PostgreSQL and drops the page
    cache first); otherwise 20 requests of each kind warm up first."""
    conn = Connection(args.url, args.key, args.secret)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    now = datetime.now(UTC)
    kinds = args.kinds.split(",")
    results: dict[str, object] = {"seed": seed, "cold": args.cold}
    pool: list[dict] = []
    if args.sample_file and Path(args.sample_file).exists() and not args.sample_only:
        # Sampled before the caches were dropped, so the sample does not warm what is measured.
        pool = json.loads(Path(args.sample_file).read_text())
        rng.shuffle(pool)
    elif args.sample_only or {"agent_verb_activity", "agent_page"} & set(kinds):
        started = time.perf_counter()
        pool = sample_stored(conn, rng, now, max(200, args.requests))
        results["sample_s"] = round(time.perf_counter() - started, 1)
        if args.sample_only:
            Path(args.sample_file).write_text(json.dumps(pool))
            return {"mode": "sample", "statements": len(pool), **results}

    def timed(path: str) -> tuple[float, dict]:
        started = time.perf_counter()
        body = _get_json(conn, path)
        return (time.perf_counter() - started) * 1000, body

    for kind in kinds:
        samples: list[float] = []
        matched = returned = 0
        if kind == "agent_verb_activity":

            def build() -> str:
                item = rng.choice(pool)
                return "statements?" + urlencode(
                    {
                        "agent": json.dumps(item["actor"]),
                        "verb": item["verb"]["id"],
                        "activity": item["object"]["id"],
                    }
                )

            if not args.cold:
                for _ in range(20):
                    _get_json(conn, build())
            for _ in range(args.requests):
                ms, body = timed(build())
                samples.append(ms)
                matched += bool(body["statements"])
                returned += len(body["statements"])
        elif kind == "since_forward":
            # Read a month forward from random points, page after page through ``more``.
            pages_per_walk = 10
            walks = max(1, args.requests // pages_per_walk)
            if not args.cold:
                _get_json(
                    conn,
                    "statements?"
                    + urlencode(
                        {
                            "since": _iso(now - timedelta(days=15)),
                            "ascending": "true",
                            "limit": args.limit,
                        }
                    ),
                )
            for _ in range(walks):
                since = now - timedelta(seconds=rng.randrange(30 * 24 * 3600))
                path = "statements?" + urlencode(
                    {"since": _iso(since), "ascending": "true", "limit": args.limit}
                )
                last = ""
                for _ in range(pages_per_walk):
                    ms, body = timed(path)
                    samples.append(ms)
                    stored = [item["stored"] for item in body["statements"]]
                    if stored != sorted(stored) or (last and stored and stored[0] < last):
                        raise SystemExit("since pages are not in ascending stored order")
                    last = stored[-1] if stored else last
                    matched += len(body["statements"]) == args.limit
                    returned += len(body["statements"])
                    if not body.get("more"):
                        break
                    path = _relative(conn, body["more"])
        elif kind == "agent_page":

            def build() -> str:
                return "statements?" + urlencode(
                    {"agent": json.dumps(rng.choice(pool)["actor"]), "limit": args.agent_limit}
                )

            if not args.cold:
                for _ in range(20):
                    _get_json(conn, build())
            for _ in range(args.requests):
                ms, body = timed(build())
                samples.append(ms)
                matched += len(body["statements"]) == args.agent_limit
                returned += len(body["statements"])
        else:
            raise SystemExit(f"unknown query kind {kind}")
        figures = {
            **_percentiles(samples),
            "full_or_found": round(matched / len(samples), 3),
            "rows_per_request": round(returned / len(samples), 1),
        }
        results[kind] = figures
        print(kind, figures, flush=True)
    return {"mode": "query", "limit": args.limit, **results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["post", "query"])
    parser.add_argument("--url", default="http://127.0.0.1:8001/xapi/")
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--agent-limit", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None, help="default: the time, printed")
    parser.add_argument("--cold", action="store_true", help="no warm-up requests")
    parser.add_argument("--sample-file", help="stored statements to query (JSON), read or written")
    parser.add_argument("--sample-only", action="store_true", help="write --sample-file and stop")
    parser.add_argument(
        "--kinds",
        default="agent_verb_activity,since_forward,agent_page",
        help="comma-separated query kinds",
    )
    args = parser.parse_args()
    result = run_posts(args) if args.mode == "post" else run_queries(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
