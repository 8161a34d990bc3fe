"""Site-wide middleware."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.redirects.middleware import RedirectMiddleware

# Machine-facing resources answer 404 as part of their protocol: an xAPI State document not
# written yet (tools ask for it at every launch), a statement id never stored, an API object
# that does not exist. Editors' redirects are for pages, and looking them up costs up to two
# queries per 404.
_MACHINE_PREFIXES = ("/xapi/", "/api/")


class PageRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects, for everything but the LRS and the REST API."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path_info.startswith(_MACHINE_PREFIXES):
            return response
        return super().process_response(request, response)
