"""The learner's side of a cmi5 launch: the launch from the lesson page and the fetch URL."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lrs.cmi5 import cmi5_fetch_redeem
from packages.cmi5 import selectors, services


@login_required
@require_POST
@never_cache
def launch(request: HttpRequest, unit_uuid: str, lesson_id: int) -> HttpResponse:
    """Open a session and send the browser (the lesson's frame, or a new window for
    ``OwnWindow`` AUs: the form's target decides) to the AU's launch URL.

    Only for a learner actively enrolled in the lesson's course, or staff who may author;
    CSRF-checked, as it writes to the LRS. 404 for a unit the lesson does not show; 400 for a
    ``mode`` the lesson page would not offer (``selectors.launch_modes``).
    """
    found = selectors.launchable_unit(unit_uuid=unit_uuid, lesson_id=lesson_id)
    if found is None:
        raise Http404
    unit, lesson = found
    if not selectors.user_may_launch(user=request.user, lesson=lesson):
        return HttpResponse(status=403)
    # The launchMode is the LMS's choice (cmi5 10.0): the button names one of the modes
    # the lesson page offered, re-checked here; without one, the page's default.
    modes = selectors.launch_modes(user=request.user, unit=unit, lesson=lesson)
    mode = request.POST.get("mode") or modes[0]
    if mode not in modes:
        return HttpResponseBadRequest(
            f"mode: {mode[:20]!r} is not offered for this AU now; one of {', '.join(modes)}",
            content_type="text/plain; charset=utf-8",
        )
    result = services.launch_for_user(
        user=request.user,
        unit=unit,
        lesson=lesson,
        request=request,
        return_url=request.build_absolute_uri(lesson.url or "/"),
        language=translation.get_language(),
        launch_mode=mode,
    )
    return HttpResponseRedirect(result.url)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
@never_cache
def fetch(request: HttpRequest, token: str) -> HttpResponse:
    """The fetch URL (cmi5 section 8.2): the AU's auth-token once, then the spec's error JSON,
    always with HTTP 200 and ``application/json``. No cookie is needed: the one-time token in
    the URL is the credential, and it opens nothing but its own session.

    Readable from any origin: an AU may live on its publisher's host (an absolute url in
    cmi5.xml), and its POST here is cross-origin; without ``Access-Control-Allow-Origin`` the
    browser spent the token and hid the answer from the AU. The wildcard keeps cookies out
    (no credentials mode), and OPTIONS answers the preflight of clients that send JSON."""
    response = (
        HttpResponse() if request.method == "OPTIONS" else JsonResponse(cmi5_fetch_redeem(token))
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type, Accept, X-Requested-With"
    response["Access-Control-Max-Age"] = "600"
    return response
