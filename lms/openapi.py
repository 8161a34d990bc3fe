"""OpenAPI schema wiring: only the product API under /api/v1/ is documented."""

from typing import Any


def only_public_api(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list:
    """drf-spectacular preprocessing hook: drop Wagtail's own admin API endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
