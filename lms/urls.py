"""Capacita URLs: the public contract of DESIGN.md."""

import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from courses.admin_views import CourseTranslationView
from courses.media import public_media
from courses.offline import service_worker
from credentials.views import host_jwks
from lms.health import health
from lms.webapp import favicon, manifest

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("courses.api.urls")),
    path("", include("learners.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("reports.api_urls")),
    path("", include("credentials.api.urls")),
    path("", include("packages.api.urls")),
]

urlpatterns = [
    path("health/", health, name="health"),
    # At the root so the worker's scope covers the Spanish (/) and English (/en/) sites.
    path("sw.js", service_worker, name="service-worker"),
    # Host-level JWKS (RFC 8414 / OpenID convention): every issuer's keys, VC-JWT kids included.
    path(".well-known/jwks.json", host_jwks, name="host_jwks"),
    path("favicon.ico", favicon, name="favicon"),
    path("django-admin/", admin.site.urls),
    # In front of wagtail-localize's own view: translating a course takes its modules and lessons.
    path(
        "admin/localize/submit/page/<int:page_id>/",
        require_admin_access(CourseTranslationView.as_view()),
        name="courses_submit_page_translation",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_v1, "api"))),
    path("xapi/", include("lrs.urls")),
    path("credentials/", include("credentials.urls")),
    # Packages' files on Capacita's own origin, to those who may read them (packages/views.py).
    path("packages/", include("packages.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Never media/ wholesale, in any settings module: only public course images are served
    # here; exports, rosters and attachments go through views that check who asks.
    re_path(
        rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$",
        public_media,
        name="public-media",
    ),
]

urlpatterns += i18n_patterns(
    path("manifest.webmanifest", manifest, name="manifest"),
    # The credentials pages in both languages (/credentials/... Spanish, /en/credentials/...
    # English). The include above stays first and is the one the documents' ids reverse to,
    # so no credential ever names a language-prefixed URL.
    path("credentials/", include("credentials.urls", namespace="credentials_pages")),
    path("", include("learners.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
