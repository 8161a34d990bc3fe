"""The SCORM run-time's endpoints on the lesson page's origin (session-authenticated, CSRF
protected): open an attempt of a SCO, and commit its values.

``POST /packages/scorm/units/<unit>/attempts`` (JSON ``{"lesson": <page id>}``) answers the
attempt's registration, the commit URL, the values the run-time starts with and the elements
the server keeps (regular expressions the script filters the SCO's values with).
``POST /packages/scorm/attempts/<attempt>/commit`` takes ``{"cmi": {...}, "terminate": bool}``
either as JSON (``fetch`` with the ``X-CSRFToken`` header) or as a form with
``csrfmiddlewaretoken`` and ``payload`` (what ``navigator.sendBeacon`` sends while the page is
hidden or unloaded, since a beacon cannot carry headers). Bad input is a 400 naming the element
and the rule; nothing is stored then.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import json_input
from common.errors import InputError
from courses.models import LessonPage
from packages import selectors
from packages.models import PackageUnit
from packages.scorm import services
from packages.scorm.datamodel import stored_patterns


def _error(status: int, detail: str, field: str | None = None, rule: str = "") -> JsonResponse:
    errors = [{"field": field or "", "rule": rule, "message": detail}] if rule else []
    return JsonResponse({"detail": detail, "errors": errors}, status=status)


def _input_error(error: InputError) -> JsonResponse:
    return _error(400, error.message, error.field, error.rule)


def _body(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    raw: str | bytes
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raw = request.POST.get("payload", "")
    else:
        raw = request.body
    try:
        # The shared limits: depth, NUL and lone surrogates, numbers JSON cannot hold.
        return json_input.loads(raw)
    except InputError:
        raise
    except ValueError as exc:
        raise InputError(None, "json", _("El cuerpo debe ser JSON válido.")) from exc


@require_POST
def attempt_open(request: HttpRequest, unit: Any) -> JsonResponse:
    if not request.user.is_authenticated:
        return _error(401, _("Inicie sesión para registrar su avance."))
    try:
        body = _body(request)
    except InputError as error:
        return _input_error(error)
    lesson_id = body.get("lesson") if isinstance(body, dict) else None
    if isinstance(lesson_id, bool) or not isinstance(lesson_id, int):
        return _error(400, _("«lesson» debe ser el id de la lección."), "lesson", "type.integer")
    found = selectors.unit_by_uuid(unit_uuid=str(unit))
    lesson = LessonPage.objects.filter(pk=lesson_id).first()
    if found is None or lesson is None or found.kind != PackageUnit.Kind.SCO:
        return _error(404, _("No existe ese SCO en esa lección."))
    if not services.lesson_holds_unit(found, lesson):
        return _error(404, _("No existe ese SCO en esa lección."))
    if not selectors.user_may_read_package(user=request.user, package=found.package):
        return _error(403, _("No tiene acceso a este contenido."))
    attempt = services.attempt_open(user=request.user, unit=found, lesson=lesson)
    name = request.user.get_full_name() if hasattr(request.user, "get_full_name") else ""
    return JsonResponse(
        {
            "attempt": str(attempt.uuid),
            "number": attempt.number,
            "version": services.scorm_version(found),
            "entry": attempt.entry,
            "commitUrl": reverse("packages:scorm-commit", kwargs={"attempt": attempt.uuid}),
            "values": services.launch_values(attempt, learner_name=name),
            "stored": stored_patterns(services.scorm_version(found)),
        },
        status=201,
    )


@require_POST
def attempt_commit(request: HttpRequest, attempt: Any) -> JsonResponse:
    if not request.user.is_authenticated:
        return _error(401, _("Inicie sesión para registrar su avance."))
    try:
        body = _body(request)
        if not isinstance(body, dict):
            raise InputError(None, "type.object", _("El cuerpo debe ser un objeto JSON."))
        terminate = body.get("terminate", False)
        if not isinstance(terminate, bool):
            raise InputError("terminate", "type.boolean", _("«terminate» debe ser booleano."))
        saved = services.attempt_commit(
            user=request.user,
            attempt_uuid=attempt,
            cmi=body.get("cmi", {}),
            terminate=terminate,
        )
    except InputError as error:
        return _input_error(error)
    if saved is None:
        return _error(404, _("No existe ese intento."))
    return JsonResponse({"result": "true", "ended": saved.ended})
