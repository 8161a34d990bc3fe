"""OpenAPI description of the API's one error shape (see lms.api_errors)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField()
    rule = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Bad input: names field and rule.")
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="Not authenticated.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not allowed.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found (or not yours).")


def as_drf_validation_error(error):  # type: ignore[no-untyped-def]
    """Turn a service's Django ``ValidationError`` into DRF's, keeping field names and codes."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.exceptions import ValidationError
    from rest_framework.fields import get_error_detail

    assert isinstance(error, DjangoValidationError)
    return ValidationError(detail=get_error_detail(error))
