"""Benchmark: how long the web request that uploads a package lasts, before and after imports
moved to a Celery worker.

"import in the request" is what the admin and the API did before: the whole
``packages.services.package_import`` (hash and check the zip, extract it, write rows and
draft pages, copy every file to storage). "queue" is what they do now with a broker:
``packages.import_jobs.package_import_queue`` (keep the zip in storage, commit the job, send
the task; the send is a no-op here, the broker is not what is measured). The two run
alternately on the same package, RUNS times each, and the medians are printed with their
ratio. Files go to a temporary MEDIA_ROOT on local disk; with S3 both sides copy more slowly,
the import many objects and the queue one.

Synthetic data: a cmi5 course of 5 AUs (the test builders' course) plus FILES media files
of SIZE_MB / FILES megabytes each, random bytes stored without compression, as video is.

Usage (a fresh test database is created and dropped; nothing touches your data):

    .venv/bin/python bench/package_import.py [--size-mb 200] [--files 40] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")


def build_package(size_mb: int, files: int) -> bytes:
    from tests.packages import builders as b

    base = zipfile.ZipFile(io.BytesIO(b.multi_au_cmi5()))
    out = io.BytesIO()
    chunk = max(1, size_mb * 1024 * 1024 // files)
    with zipfile.ZipFile(out, "w") as archive:
        for info in base.infolist():
            archive.writestr(info.filename, base.read(info.filename), zipfile.ZIP_DEFLATED)
        for number in range(files):
            archive.writestr(f"media/video-{number:03d}.mp4", os.urandom(chunk), zipfile.ZIP_STORED)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="megabytes of media")
    parser.add_argument("--files", type=int, default=40, help="media files")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side")
    parser.add_argument(
        "--s3", action="store_true", help="store in a local S3-compatible server (SeaweedFS)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    media = tempfile.mkdtemp(prefix="capacita-bench-media-")
    settings.MEDIA_ROOT = media
    settings.LMS_PACKAGE_MAX_UPLOAD_BYTES = 4 * 1024**3
    settings.LMS_PACKAGE_MAX_BYTES = 4 * 1024**3
    server = use_s3(media) if args.s3 else None
    try:
        run(args)
    finally:
        teardown_databases(old_config, verbosity=0)
        if server is not None:
            server.stop()
        import shutil

        shutil.rmtree(media, ignore_errors=True)


def use_s3(folder: str) -> object:
    """Start SeaweedFS (scripts/s3_server.py) and make it the default storage, as production's
    S3 bucket is."""
    import boto3
    from django.conf import settings
    from django.core.files import storage as storage_module
    from django.core.files.storage import storages
    from django.utils.functional import empty

    from scripts import s3_server

    server = s3_server.start(Path(folder) / "s3")
    boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
    ).create_bucket(Bucket="capacita-bench")
    settings.AWS_STORAGE_BUCKET_NAME = "capacita-bench"
    settings.AWS_S3_ENDPOINT_URL = server.endpoint
    settings.AWS_ACCESS_KEY_ID = server.access_key
    settings.AWS_SECRET_ACCESS_KEY = server.secret_key
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "lms.storage.MediaStorage"}}
    storages._storages = {}
    storages.__dict__.pop("backends", None)
    storage_module.default_storage._wrapped = empty
    print(f"storage: S3 at {server.endpoint}")
    return server


def run(args: argparse.Namespace) -> None:
    from unittest import mock

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from packages.import_jobs import package_import_queue
    from packages.services import package_import

    data = build_package(args.size_mb, args.files)
    print(f"package: {len(data) / 1024 / 1024:.1f} MiB zip, {args.files} media files")
    author = get_user_model().objects.create_superuser("bench@example.mx", "bench@example.mx", "x")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    timings: dict[str, list[float]] = {"import in the request": [], "queue": []}
    with mock.patch("packages.tasks.import_run.delay"):
        package_import(upload=io.BytesIO(data), user=author)  # warm-up: pages exist
        for _ in range(args.runs):
            started = time.perf_counter()
            package_import(upload=io.BytesIO(data), user=author)
            timings["import in the request"].append(time.perf_counter() - started)
            started = time.perf_counter()
            package_import_queue(upload=io.BytesIO(data), user=author)
            timings["queue"].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, values in timings.items():
        runs = ", ".join(f"{value:.2f}" for value in values)
        print(f"{name:>22}: median {medians[name]:.2f} s  (runs: {runs})")
    ratio = medians["import in the request"] / medians["queue"]
    print(f"the request is {ratio:.0f}x shorter")


if __name__ == "__main__":
    main()
