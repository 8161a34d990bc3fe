"""Test settings: the same environment-driven settings, faster hashing, temporary media.

The database, broker and storage still come from the environment, so the same suite runs on
the embedded defaults and against PostgreSQL, Redis workers and S3 (see .ci/run).
"""

import os
import re
import tempfile

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run inside transactions a replica never sees: reports read the primary, except in the
# replica tests (tests/reports/test_reports_replica.py), which commit and wait for replay.
LMS_REPORTS_DATABASE = "default"
MEDIA_ROOT = tempfile.mkdtemp(prefix="capacita-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="capacita-test-static-")
# In memory (mail.outbox) unless a test that starts a worker process asks for a backend that
# process and the test can both see (a folder of files).
EMAIL_BACKEND = env(
    "LMS_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
ALLOWED_HOSTS = ["*"]
WAGTAILADMIN_BASE_URL = "http://testserver"
LMS_SITE_URL = env("LMS_SITE_URL", default="http://testserver").rstrip("/")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": LOGGING["filters"],
    "root": {"level": "WARNING"},
    "loggers": {"django.request": LOGGING["loggers"]["django.request"]},
}

# Tasks run in process so tests are deterministic; tests that need a real worker process use
# the celery_worker_process fixture (tests/conftest.py), which switches this off.
# A worker process started by a test sets CELERY_TASK_ALWAYS_EAGER=false, so the tasks it
# enqueues itself (retries with a countdown) go through the broker as in production.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# With a Redis cache, each pytest-xdist worker gets its own database: a test that clears the
# cache (cache.clear() is FLUSHDB) must not empty the cache of a test running in parallel.
if REDIS_URL:
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _index = int(_worker[2:]) if _worker[2:].isdigit() else 0
    CACHES = {
        "default": {
            **CACHES["default"],
            "LOCATION": re.sub(
                r"/(\d+)$", lambda m: f"/{max(int(m.group(1)) - _index, 0)}", REDIS_URL
            ),
        }
    }
