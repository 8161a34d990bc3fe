"""Offline reading of course pages: the service worker and which pages it may keep.

The worker (``courses/static/courses/offline/sw.js``) is served at ``/sw.js`` so its scope is
the whole site, Spanish at ``/`` and English at ``/en/``. It keeps only responses that the
server marks with ``X-Capacita-Offline: page``; :func:`mark_offline_readable` sets that mark
on a signed-in reader's plain GET of a course or lesson page, so signed-out pages, previews,
POST-backs with graded answers and every page of other apps (profile, wallet, admin) are
never kept. See docs/progress.md ("Offline reading").
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING

from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from django.http import HttpRequest

OFFLINE_HEADER = "X-Capacita-Offline"
SW_SOURCE = "courses/offline/sw.js"
# The scripts the worker's behaviour depends on: a change to any of them is a new version.
VERSIONED = (SW_SOURCE, "courses/offline/offline.js", "progress/offline-save.js")


@cache
def _worker_source() -> str:
    digest = hashlib.sha256()
    for name in VERSIONED:
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    source_path = finders.find(SW_SOURCE)
    if not source_path:
        raise ImproperlyConfigured(f"static file {SW_SOURCE} not found")
    with open(source_path, encoding="utf-8") as handle:
        source = handle.read()
    return source.replace("__VERSION__", digest.hexdigest()[:12])


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, with its version, allowed to control the whole site."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers re-check the worker at least daily; no-cache makes every check reach the server
    # so a deploy is picked up on the next navigation.
    response["Cache-Control"] = "no-cache"
    return response


def mark_offline_readable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Allow the service worker to keep this course/lesson page for offline reading."""
    user = getattr(request, "user", None)
    if (
        request.method == "GET"
        and user is not None
        and user.is_authenticated
        and not getattr(request, "is_preview", False)
    ):
        response[OFFLINE_HEADER] = "page"
        # The page holds the reader's own progress: no shared cache may keep it.
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Cookie"])
    return response
