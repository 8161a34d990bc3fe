"""One error shape for the whole API: every 4xx names the field and the rule it broke."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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
    """Wrap DRF's handler so validation errors list ``{field, rule, message}`` items."""
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
