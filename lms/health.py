"""Liveness and readiness: database, broker, storage (and a reports replica), as JSON.

``GET /health/`` answers 200 when every part is ready and 503 naming the parts that are not.
``GET /health/?live=1`` only says the process is up (for a liveness probe).
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return conn.transport_cls if isinstance(conn.transport_cls, str) else "broker"


def check_storage() -> str:
    storage = storages["default"]
    if hasattr(storage, "bucket_name"):
        # S3: a missing bucket or bad credentials make exists() merely False; HEAD the bucket.
        s3: Any = storage  # django-storages' S3Storage, recognised by its bucket
        s3.connection.meta.client.head_bucket(Bucket=s3.bucket_name)
    else:
        storage.exists("health/ping")
    return type(storage).__name__


def check_reports_database() -> str:
    """The reports replica answers; how far behind the primary its last replayed commit is."""
    replica = connections[settings.LMS_REPORTS_DATABASE]
    with replica.cursor() as cursor:
        if replica.vendor != "postgresql":
            cursor.execute("SELECT 1")
            return replica.vendor
        cursor.execute(
            "SELECT pg_is_in_recovery(), "
            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
        )
        standby, behind = cursor.fetchone()
    if not standby:
        return "postgresql"
    return f"postgresql standby, last replayed commit {float(behind or 0):.1f} s ago"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def _checks() -> dict[str, Callable[[], str]]:
    if getattr(settings, "LMS_REPORTS_DATABASE", DEFAULT_DB_ALIAS) == DEFAULT_DB_ALIAS:
        return CHECKS
    return {**CHECKS, "reports_database": check_reports_database}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    if request.GET.get("live"):
        return JsonResponse({"status": "ok"})
    parts: dict[str, dict[str, object]] = {}
    down: list[str] = []
    for name, check in _checks().items():
        started = time.perf_counter()
        try:
            detail = check()
            parts[name] = {"status": "ok", "backend": detail}
        except Exception as exc:  # any failure means "not ready"; the reason is logged
            logger.warning("health check %s failed: %s", name, type(exc).__name__)
            parts[name] = {"status": "down", "error": type(exc).__name__}
            down.append(name)
        parts[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": "down" if down else "ok", "down": down, "parts": parts}
    return JsonResponse(body, status=503 if down else 200)
