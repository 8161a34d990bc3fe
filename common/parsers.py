"""DRF's JSON parser and JSON field with the limits of :mod:`common.json_input`.

DRF's own parser lets ``1e400`` through as ``inf``, keeps NUL and lone surrogates in strings
and lets deep nesting exhaust the recursion limit (a 500). This one refuses all of them with
``UnsafeInputError``, an ``InputError`` that the API's exception handler answers with a ``400``
whose ``errors`` item names the offending field's path and the rule (``json.depth``,
``number.finite``, ``text.nul``, ``text.surrogate``). The field maps the error itself: DRF
prefixes a field's ``ValidationError`` with the field's name, which the path needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import parsers, serializers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError

from common import json_input

__all__ = ["JSONField", "JSONParser"]


class JSONParser(parsers.JSONParser):
    """``application/json`` bodies, parsed within the limits of :mod:`common.json_input`."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        data = stream.read() if stream is not None else b""
        try:
            text = data.decode(encoding)
            return json_input.loads(text)
        except json_input.UnsafeInputError:
            raise  # an InputError: the API's exception handler names its path and rule
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class JSONField(serializers.JSONField):
    """DRF's ``JSONField`` within the limits of :mod:`common.json_input`.

    A form post gives the field JSON text, which DRF parses itself (deep nesting was a 500);
    a JSON body was already checked by :class:`JSONParser`, and is checked again here so the
    field holds whatever the parser in use."""

    def to_internal_value(self, data: Any) -> Any:
        try:
            if self.binary or getattr(data, "is_json_string", False):
                if isinstance(data, bytes):
                    data = data.decode()
                return json_input.loads(data)
            json_input.check_json_value(data)
        except json_input.UnsafeInputError as exc:
            raise ValidationError(
                {exc.path: [ErrorDetail(exc.message, code=exc.rule)]}
                if exc.path
                else [ErrorDetail(exc.message, code=exc.rule)]
            ) from None
        except ValueError:
            self.fail("invalid")
        return data
