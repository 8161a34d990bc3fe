"""The API's one error shape, described once for the OpenAPI schema.

``lms.api_errors.exception_handler`` produces it; every app documents its error responses with
these serializers so the schema has a single ``Error`` component.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Path of the offending field, e.g. `course`.")
    rule = serializers.CharField(help_text="The rule broken, e.g. `required`, `invalid`.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The error shape of ``lms.api_errors.exception_handler``."""

    detail = serializers.CharField()
    # DRF's metaclass takes declared fields off the class, so this does not hide
    # ``Serializer.errors``; the stubs cannot see that.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Bad input: names field and rule.")
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not authenticated.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not allowed.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found (or not yours).")


def as_drf_validation_error(error: Any) -> serializers.ValidationError:
    """Turn a service's Django ``ValidationError`` into DRF's, keeping field names and codes."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.fields import get_error_detail

    assert isinstance(error, DjangoValidationError)
    return serializers.ValidationError(detail=get_error_detail(error))
