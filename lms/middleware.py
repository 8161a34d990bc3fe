"""Site-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
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


_API_PREFIX = "/api/"


class ApiLanguageMiddleware:
    """The REST API answers in the language of ``Accept-Language`` (es or en).

    ``LocaleMiddleware`` gives every path without a language prefix the default language when
    ``i18n_patterns`` leaves the default unprefixed, so ``/api/v1/`` always spoke Spanish and
    the API's English-only texts mixed in. API clients say their language in the header only;
    the site's language cookie is the browser pages' choice and does not apply here.
    Placed right after ``LocaleMiddleware``, whose response step then sets ``Content-Language``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(_API_PREFIX):
            language = language_from_accept_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def language_from_accept_header(header: str) -> str:
    """The first supported language of an ``Accept-Language`` header, by quality; the default
    language when none is supported."""
    for code, _quality in parse_accept_lang_header(header[:255]):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
