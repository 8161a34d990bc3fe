"""Login throttling with django-axes: failed sign-ins are counted per account and per client
address in the database (shared by every web process); past ``LMS_LOGIN_FAILURE_LIMIT`` the
account, or the address, is refused for ``LMS_LOGIN_COOLOFF_MINUTES`` — even with the right
password — on the API token endpoint, the teachers' sign-in page and the admin sign-in.

The refusal is a 429 with ``Retry-After``: the API error shape on ``/api/``, a page in Spanish
elsewhere, both saying when to try again. See docs/operations.md, "Login throttling".
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' gate, first in ``AUTHENTICATION_BACKENDS``: refuses a locked account or address.

    ``authenticate()`` without a request (the test client's ``login()``, a management command)
    is no sign-in over the network, so there is nothing to throttle and it is let through to
    the next backend instead of failing.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a sign-in names, as the sign-in forms normalise it (teachers' usernames
    are their lower-cased e-mail addresses), so every entry point counts the same account."""
    username = (credentials or {}).get("username")
    if not isinstance(username, str):
        return None
    username = username.strip()
    return username.lower() if "@" in username else username


def _cooloff() -> timedelta:
    return timedelta(minutes=settings.LMS_LOGIN_COOLOFF_MINUTES)


def locked_until(request: HttpRequest, credentials: dict | None) -> datetime:
    """When the lock on this request's account or address ends: the cool-off after the last
    counted failure of whichever of the two reached the limit."""
    from axes.models import AccessAttempt

    username = login_username(request, credentials)
    address = get_client_ip_address(request)
    ends: list[datetime] = []
    for condition in (Q(username=username) if username else None, Q(ip_address=address)):
        if condition is None:
            continue
        rows = AccessAttempt.objects.filter(condition)
        failures = sum(rows.values_list("failures_since_start", flat=True))
        if failures >= settings.AXES_FAILURE_LIMIT:
            last = rows.aggregate(last=Max("attempt_time"))["last"]
            if last is not None:
                ends.append(last + _cooloff())
    return max(ends) if ends else timezone.now() + _cooloff()


def lockout_response(
    request: HttpRequest, response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 saying when to try again (``Retry-After`` too)."""
    until = locked_until(request, credentials)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    if request.path.startswith("/api/"):
        message = (
            "Too many failed sign-in attempts for this account or from this address. "
            f"Try again after {until.isoformat(timespec='seconds')} (in {seconds} s)."
        )
        answer: HttpResponse = JsonResponse(
            {
                "detail": message,
                "errors": [{"field": "username", "rule": "throttled", "message": message}],
            },
            status=429,
        )
    else:
        # In the page's language: Spanish on the unprefixed paths, English under /en/.
        local = formats.time_format(timezone.localtime(until), "H:i")
        message = _(
            "Demasiados intentos fallidos de inicio de sesión con esta cuenta o desde esta "
            "dirección. Vuelve a intentarlo a las %(time)s (en %(minutes)s min)."
        ) % {"time": local, "minutes": minutes}
        answer = TemplateResponse(
            request, "login_locked.html", {"message": message, "until": until}, status=429
        )
        answer.render()
    answer["Retry-After"] = str(seconds)
    return answer


def log_client(
    username: str | None, ip_address: str | None, user_agent: str | None, path_info: Any, *_: Any
) -> str:
    """``AXES_CLIENT_STR_CALLABLE``: how axes names a client in its log lines. The username is
    an e-mail address, which never goes to a log: a short digest still tells repeated attempts
    on one account apart."""
    digest = hashlib.sha256((username or "").encode()).hexdigest()[:12] if username else "-"
    path = path_info[0] if isinstance(path_info, tuple | list) else path_info
    return f"account #{digest} from {ip_address} on {path}"
