"""One error shape for the whole API: every 4xx names the field and the rule it broke.

Services refuse input by raising ``common.errors.InputError`` (or a subclass); this handler is
the one place that maps it, so views do not catch each service's error to build a 400.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from common.errors import InputError
from common.json_input import printable_path


def flatten_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as ``{field, rule, message}`` items, fields as dotted paths."""
    if isinstance(detail, dict):
        errors: list[dict[str, str]] = []
        for key, value in detail.items():
            sub = key if not path else f"{path}.{key}"
            if key == "non_field_errors":
                sub = path or "non_field_errors"
            errors.extend(flatten_errors(value, sub))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                errors.extend(flatten_errors(value, f"{path}[{index}]" if path else f"[{index}]"))
            else:
                errors.extend(flatten_errors(value, path))
        return errors
    code = getattr(detail, "code", "invalid")
    return [{"field": path or "non_field_errors", "rule": str(code), "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Wrap DRF's handler so validation errors list ``{field, rule, message}`` items, and a
    service's :class:`InputError` is a 400 naming its field and rule (the transaction of an
    atomic request is rolled back, as for DRF's own errors)."""
    if isinstance(exc, InputError):
        return input_error_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        detail = data["detail"]
        response.data = {
            "detail": str(detail),
            "errors": [
                {
                    "field": "non_field_errors",
                    "rule": str(getattr(detail, "code", "error")),
                    "message": str(detail),
                }
            ],
        }
    else:
        errors = flatten_errors(data)
        response.data = {
            "detail": errors[0]["message"] if errors else _("Datos no válidos."),
            "errors": errors,
        }
    return response


def input_error_response(error: InputError) -> Response:
    """The answer to a service's refusal: its status (400), ``field``, ``rule`` and ``message``.
    Like DRF's handler, it marks an atomic request's transaction for rollback."""
    set_rollback()
    # A path or message may quote what the client sent: NUL and lone surrogates are escaped so
    # the answer can be encoded (UnsafeInputError's own path already is).
    item = {
        "field": printable_path(error.field or "non_field_errors"),
        "rule": printable_path(error.rule),
        "message": printable_path(str(error.message)),
    }
    return Response({"detail": item["message"], "errors": [item]}, status=error.status_code)
