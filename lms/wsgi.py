"""WSGI entry point (gunicorn lms.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.base")

application = get_wsgi_application()

# Import every URLconf (and with it the views of every app) now rather than on a worker's
# first request: a fresh worker answers at full speed from its first request, and with
# gunicorn's --preload the import happens once, before the workers fork.
get_resolver().url_patterns  # noqa: B018 (the access imports them)
