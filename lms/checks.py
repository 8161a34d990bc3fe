"""System checks of Capacita's settings (registered in ``LmsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Backends that keep or print mail instead of delivering it. The console one also puts e-mail
# addresses and live confirmation and password-reset links into the log.
NON_DELIVERING_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "integrations.mail.PrivateFolderEmailBackend",
    }
)


@register(Tags.compatibility)
def email_backend_delivers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """In production (``LMS_REQUIRE_DELIVERING_EMAIL``) the mail backend must deliver."""
    if not getattr(settings, "LMS_REQUIRE_DELIVERING_EMAIL", False):
        return []
    backend = settings.EMAIL_BACKEND
    if backend in NON_DELIVERING_EMAIL_BACKENDS:
        return [
            Error(
                f"EMAIL_BACKEND is {backend}, which does not deliver mail.",
                hint="Set EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend (with "
                "EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS) "
                "or another delivering backend; see docs/operations.md, 'E-mail'.",
                id="lms.E001",
            )
        ]
    return []
