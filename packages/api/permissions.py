"""Who may drive packaged content through the staff API (cmi5 and SCORM alike)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request


class IsPackageStaff(permissions.BasePermission):
    """Staff and authors (``packages.selectors.user_may_author``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        from packages.selectors import user_may_author

        user = request.user
        return bool(user and user.is_authenticated and user_may_author(user))
