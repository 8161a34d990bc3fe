"""What browsers ask of any site: ``/favicon.ico`` and the web-app manifest.

Wiring only: the icons are the host project's static files (``lms/static/icons/``).
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

ICONS = Path(__file__).resolve().parent / "static" / "icons"
THEME_COLOUR = "#0b5d3b"  # the site header's brand colour (lms/static/css/capacita.css)


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """The site icon at the path browsers request without asking the page."""
    return FileResponse((ICONS / "favicon.ico").open("rb"), content_type="image/x-icon")


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web-app manifest (W3C Web Application Manifest), in the page's language, so a
    teacher can add Capacita to a phone's home screen."""
    english = (get_language() or "").startswith("en")
    data = {
        "name": "Capacita",
        "short_name": "Capacita",
        "description": _("Formación docente en tecnologías emergentes."),
        "lang": "en" if english else "es-MX",
        "start_url": "/en/" if english else "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-512-maskable.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
