"""Capacita URLs: the public contract of DESIGN.md."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.health import health
from lms.webapp import favicon, manifest

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("courses.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("credentials.api.urls")),
]

urlpatterns = [
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include((api_v1, "api"))),
    path("xapi/", include("progress.xapi.urls")),
    path("credentials/", include("credentials.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG or not settings.AWS_STORAGE_BUCKET_NAME:
    from django.conf.urls.static import static

    # Embedded default: files in media/ are served by Django itself.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT, show_indexes=False)
    if not settings.DEBUG:
        from django.urls import re_path
        from django.views.static import serve

        urlpatterns += [
            re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
        ]

urlpatterns += i18n_patterns(
    path("manifest.webmanifest", manifest, name="manifest"),
    path("", include("progress.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
