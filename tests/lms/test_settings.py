"""The settings module switches each part on its variable; production fails closed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-only-0123456789",
    "DJANGO_ALLOWED_HOSTS": "capacita.example.mx",
    "DATABASE_URL": "postgres://capacita@127.0.0.1:5432/capacita",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _run(code: str, **overrides: str | None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REPORTS_", "CELERY_", "AWS_", "LMS_"))
    }
    env.update(PROD_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


SETUP = "import django; django.setup(); from django.conf import settings; "


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"]
)
def test_production_refuses_to_start_without(missing):
    result = _run(SETUP + "print('started')", **{missing: None})
    assert result.returncode != 0
    assert missing in result.stderr
    assert "started" not in result.stdout


def test_production_refuses_sqlite():
    result = _run(SETUP + "print('started')", DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_production_passes_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "AWS_"))
            },
            **PROD_ENV,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_defaults_with_nothing_set():
    code = SETUP + (
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.STORAGES['default']['BACKEND'])"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="lms.settings.base",
        DJANGO_SECRET_KEY=None,
        DJANGO_ALLOWED_HOSTS=None,
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.files.storage.FileSystemStorage",
    ]


def test_each_variable_switches_its_part():
    code = SETUP + (
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " settings.STORAGES['default']['BACKEND'], settings.AWS_S3_SIGNATURE_VERSION,"
        " settings.LMS_SITE_URL)"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="lms.settings.base",
        AWS_STORAGE_BUCKET_NAME="capacita-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        LMS_SITE_URL="https://capacita.sep.gob.mx/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "lms.storage.MediaStorage",
        "s3v4",
        "https://capacita.sep.gob.mx",
    ]


def test_postgresql_connections_skip_jit_and_the_per_request_health_check_by_default():
    code = SETUP + (
        "db = settings.DATABASES['default'];"
        " print(db['CONN_HEALTH_CHECKS'], repr(db['OPTIONS'].get('options')))"
    )
    result = _run(code, DJANGO_SETTINGS_MODULE="lms.settings.base")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False '-c jit=off'"


def test_health_checks_and_jit_can_be_turned_back_on():
    code = SETUP + (
        "db = settings.DATABASES['default'];"
        " print(db['CONN_HEALTH_CHECKS'], repr(db.get('OPTIONS', {}).get('options')))"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="lms.settings.base",
        DATABASE_CONN_HEALTH_CHECKS="true",
        DATABASE_JIT="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "None"]


def test_reports_read_from_the_replica_named_by_reports_database_url():
    code = SETUP + (
        "from django.db import router; db = settings.DATABASES['reports'];"
        " print(settings.LMS_REPORTS_DATABASE, db['HOST'], db['PORT'], db['NAME'],"
        " db['TEST']['MIRROR'], db['CONN_MAX_AGE'], repr(db['OPTIONS'].get('options')),"
        " router.allow_migrate('reports', 'progress'))"
    )
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="lms.settings.base",
        REPORTS_DATABASE_URL="postgres://capacita@127.0.0.1:5433/capacita",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "reports", "127.0.0.1", "5433", "capacita", "default", "60", "'-c", "jit=off'", "False",
    ]  # fmt: skip
    # Without it, reports read the primary.
    result = _run(SETUP + "print(settings.LMS_REPORTS_DATABASE, sorted(settings.DATABASES))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "default ['default']"


def test_embedded_sqlite_starts_transactions_immediate(tmp_path):
    """A transaction on the embedded SQLite takes the write lock when it begins, so a request
    that reads and then writes waits (busy timeout) for another writer instead of failing
    with "database is locked" (the SCORM attempt a lesson page opens beside its tracking)."""
    database = tmp_path / "demo.sqlite3"
    code = """import sqlite3
import django
django.setup()
from django.conf import settings
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x integer)")
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0)
    try:
        other.execute("INSERT INTO t VALUES (1)")
        other.commit()
        print("written")
    except sqlite3.OperationalError as error:
        print("waits:", error)
"""
    result = _run(
        code,
        DJANGO_SETTINGS_MODULE="lms.settings.base",
        DJANGO_SECRET_KEY=None,
        DJANGO_ALLOWED_HOSTS=None,
        DATABASE_URL=f"sqlite:///{database}",
        CELERY_BROKER_URL=None,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "waits: database is locked"
