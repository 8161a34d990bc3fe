"""Capacita settings, read from the environment.

With nothing set, every part runs embedded: SQLite, eager Celery, files in ``media/``.
Each variable switches one part to its production form (see README, "Configuration").
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "lms"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Embedded default only: production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="embedded-default-not-secret-0c7b1f3e9a4d4c2f8e6b5a1d2c3e4f5a6b7c8d9e",
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Public address used in links, activity IRIs and credential ids.
LMS_SITE_URL = env("LMS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Capacita's own apps, in dependency order (docs/architecture.md). Each one's settings and their
# defaults live in its conf.py; this module only takes from the environment those set there
# (see the end of this file).
CAPACITA_APPS = [
    "lms",
    "courses",
    "lrs",
    "learners",
    "progress",
    "reports",
    "credentials",
    "packages",
]

INSTALLED_APPS = [
    *CAPACITA_APPS,
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "storages",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # /api/ follows Accept-Language instead of the unprefixed default (docs/learners.md).
    "lms.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lms.middleware.PageRedirectMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database: SQLite file in the project unless DATABASE_URL is set -------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server, eager tasks and tests share the file. Write
    # transactions start IMMEDIATE: a deferred one that reads and then writes while another
    # request writes cannot wait for the lock (SQLite answers "database is locked" at once,
    # the busy timeout does not apply), which failed the SCORM attempt a lesson page opens
    # beside its tracking requests on the demo server.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # Off by default: the check is a "SELECT 1" round trip at the start of every request
    # (a fifth of a single-statement POST's time under load). Without it a connection that
    # died (a database restart) fails one request with a 5xx, which Django notices and
    # replaces; nothing half-written is kept, since every write is in a transaction.
    DATABASES["default"].setdefault(
        "CONN_HEALTH_CHECKS", env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)
    )
    if not env.bool("DATABASE_JIT", default=False):
        # PostgreSQL's JIT compiles any plan whose estimate passes jit_above_cost; with stale
        # statistics a 1-ms LRS lookup was estimated high enough to spend 360-720 ms
        # compiling. Capacita's queries are short (or precomputed), so JIT stays off.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
# Reports may read from a PostgreSQL streaming replica of the primary: REPORTS_DATABASE_URL
# names it (same database name as the primary's), and reports read through that alias. In
# tests the alias is a mirror of default (same test database name, on the replica's server).
if env("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = {
        **DATABASES["default"],
        **env.db("REPORTS_DATABASE_URL"),
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["reports"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["reports"].get("OPTIONS", {}),
    }
LMS_REPORTS_DATABASE = env(
    "LMS_REPORTS_DATABASE", default="reports" if "reports" in DATABASES else "default"
)
DATABASE_ROUTERS = ["reports.routers.ReportsDatabaseRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Teachers sign in on the site's own page (also where a private page or a certificate link
# sends a signed-out visitor); the Wagtail admin keeps its own login for staff.
LOGIN_URL = "learners:login"

# --- Login throttling (django-axes; docs/operations.md, "Login throttling") -----------------
# Failed sign-ins are counted in the database, so every web process sees the same counts.
AUTHENTICATION_BACKENDS = [
    "lms.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LMS_LOGIN_FAILURE_LIMIT = env.int("LMS_LOGIN_FAILURE_LIMIT", default=10)
LMS_LOGIN_COOLOFF_MINUTES = env.int("LMS_LOGIN_COOLOFF_MINUTES", default=15)
LMS_PASSWORD_RESET_LIMIT = env.int("LMS_PASSWORD_RESET_LIMIT", default=5)
LMS_TRUSTED_PROXY_COUNT = env.int("LMS_TRUSTED_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = LMS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LMS_LOGIN_COOLOFF_MINUTES)
# Either the account or the address reaching the limit locks: an attack on one account from
# many addresses, and one address trying many accounts, are both stopped; another account
# from another address is not.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A lock ends a fixed cool-off after the failure that set it (more failures while locked do not
# extend it), so the time the refusal announces holds; a successful sign-in clears the count.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "lms.login_throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "common.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "lms.login_throttle.lockout_response"
AXES_CLIENT_STR_CALLABLE = "lms.login_throttle.log_client"
AXES_HTTP_RESPONSE_CODE = 429
# Axes would log every attempt with the username (an e-mail address) at INFO.
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True

# --- Languages: Spanish (Mexico) at /, English at /en/ ---------------------------------------
LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", "Español (México)"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("es-mx", "Español (México)"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Mexico_City"
USE_I18N = True
USE_TZ = True

# --- Static files and media -------------------------------------------------------------------
STATIC_URL = "/static/"
# Path | str: the test settings put both in temporary folders.
STATIC_ROOT: Path | str = BASE_DIR / "static"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT: Path | str = Path(env("LMS_MEDIA_ROOT", default=str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    # S3 or any S3-compatible store, through django-storages; private objects served by
    # SigV4 presigned URLs that expire, course images under MEDIA_URL (lms/storage.py).
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="us-east-1")
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="path")
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=3600)
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    AWS_LOCATION = env("AWS_LOCATION", default="")
    STORAGES["default"] = {"BACKEND": "lms.storage.MediaStorage"}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Request bodies larger than this get 413 (the LRS applies its own quota, LMS_XAPI_MAX_BODY).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Capacita"
# No avatars from gravatar.com: it would get the hash of every admin user's e-mail (and fails
# offline). The admin shows a local default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = LMS_SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip", "vtt"]
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Slugs are ASCII: "Introducción a la IA" becomes "introduccion-a-la-ia" (URLs, activity pages).
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# A translation starts as a draft, whatever the source's state: it goes live only through the
# "Revisión de cursos" workflow once translated (docs/content.md). wagtail-localize is the one
# way to translate pages (Wagtail's simple_translation would copy them untranslated).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False

# --- Django REST Framework: closed unless opened ----------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON within limits (depth, finite numbers, no NUL or lone surrogates): common/parsers.py.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "lms.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Capacita API",
    "DESCRIPTION": (
        "Catalog, learner, credential and SEP report endpoints of Capacita.\n\n"
        "**Input limits.** Every JSON body is refused with `400` (in the `Error` shape, "
        "`errors[].field` naming the path of the offending value) when it nests arrays and "
        "objects more than 64 levels (`json.depth`), holds `NaN`, `Infinity` or a number beyond "
        "a double such as `1e400` (`number.finite`), or a string or key with the NUL character "
        "(`text.nul`) or an unpaired UTF-16 surrogate (`text.surrogate`). Form fields with NUL "
        "are refused by their serializer field (`null_characters_not_allowed`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several apps have a "format" choice: each gets its own stable name.
    "ENUM_NAME_OVERRIDES": {
        "ExportFormatEnum": "reports.models.ExportJob.Format",
        "PackageFormatEnum": "packages.models.Package.Format",
        "PackageModeEnum": "packages.models.Package.Mode",
        "PackageImportStatusEnum": "packages.models.PackageImport.Status",
    },
    "PREPROCESSING_HOOKS": ["lms.openapi.only_public_api"],
    # Swagger UI served from our own static files: the docs work offline and behind a CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery: eager in process unless CELERY_BROKER_URL is set ---------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
# Worker tests consume a queue of their own (tests/conftest.py celery_worker_process).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")

# --- Cache: in process unless REDIS_URL is set -------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail -----------------------------------------------------------------------------------
# Embedded default: each mail is written to a private folder (never to the log: the console
# backend would print addresses and live confirmation/reset links). Production requires a
# backend that delivers (system check lms.E001; docs/operations.md, "E-mail").
EMAIL_BACKEND = env("EMAIL_BACKEND", default="integrations.mail.PrivateFolderEmailBackend")
EMAIL_FILE_PATH = env("LMS_MAIL_DIR", default=str(BASE_DIR / "var" / "mail"))
LMS_REQUIRE_DELIVERING_EMAIL = False
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Capacita <no-reply@capacita.local>")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

# --- Logging: no personal data in logs (see docs/operations.md) -------------------------------
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "lrs_not_found": {"()": "lms.log_filters.LRSNotFoundFilter"},
        "personal_data": {"()": "lms.log_filters.PersonalDataFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["lrs_not_found"]},
    },
}

# --- Capacita (LMS_*) -------------------------------------------------------------------------
LMS_DEMO_PASSWORD = env("LMS_DEMO_PASSWORD", default="")

# --- Settings of the apps ---------------------------------------------------------------------
# Each app declares its LMS_* settings with their defaults in its conf.py (common/appconf.py):
# here only the environment variables that are set are read, cast like the default, and each
# app's Celery beat entries are gathered.
from common.appconf import collect as _collect_app_settings  # noqa: E402

_APP_SETTINGS = _collect_app_settings(CAPACITA_APPS)
for _app in _APP_SETTINGS:
    globals().update(_app.env_overrides(env))
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}
for _app in _APP_SETTINGS:
    CELERY_BEAT_SCHEDULE.update(_app.beat_schedule(globals()))
