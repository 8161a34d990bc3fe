"""The signed-in user of a request, typed as the user model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["signed_in_user"]


def signed_in_user(request: HttpRequest | Request) -> User:
    """``request.user`` in a view that only signed-in users reach (``login_required``,
    ``IsAuthenticated``); an anonymous user there is refused rather than passed on."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
