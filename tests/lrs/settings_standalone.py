"""Settings of a Django site that installs only the LRS (``lrs``) and Django's own apps.

CI runs the LRS tests with them (``pytest tests/lrs --ds=tests.lrs.settings_standalone``) to
show that ``lrs`` works in a site without any other app of Capacita: no Wagtail, no courses,
no learners. Tests that need the rest of Capacita are skipped here (``needs_capacita``).
The database and cache come from the environment as in the full settings.
"""

from __future__ import annotations

import tempfile

import environ

env = environ.Env()

SECRET_KEY = "lrs-standalone-tests"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "lrs",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.lrs.urls_standalone"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{tempfile.gettempdir()}/lrs-alone.db")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="lrs-standalone-media-")
CELERY_TASK_ALWAYS_EAGER = True

# The LRS's own settings, as another site would set them.
LMS_SITE_URL = "http://testserver"
STATIC_URL = "/static/"
MEDIA_URL = "/media/"

# The site's own Celery app; tasks run in process here, as on Capacita's embedded default.
from celery import Celery  # noqa: E402

celery_app = Celery("lrs-standalone")
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True
celery_app.set_default()
