"""Extension points of the account pages, for apps above ``progress`` (credentials).

``progress`` imports no higher app; those apps register Wagtail hooks here:

``capacita_account_cancel_notices``
    ``fn(user, *, api: bool) -> dict | None``. Before an ARCO cancellation the teacher is told
    what happens to what each app holds about her. A notice is a dict with ``key`` (str),
    ``title`` (str), ``text`` (str), ``count`` (int) and ``downloads`` (a list of
    ``{"label": str, "url": str}``; API URLs when ``api`` is true, page URLs otherwise). The
    cancellation page renders the notices (text is escaped) and ``GET /api/v1/me/cancel/``
    returns them.

``capacita_profile_links``
    ``fn(request) -> dict | None``. Links the teacher's profile page offers to what other apps
    keep for her (her credentials' wallet), as ``{"label": str, "url": str}`` in the request's
    language.
"""

from __future__ import annotations

from typing import Any

from wagtail import hooks

ACCOUNT_CANCEL_NOTICES = "capacita_account_cancel_notices"
PROFILE_LINKS = "capacita_profile_links"


def account_cancel_notices(*, user: Any, api: bool) -> list[dict[str, Any]]:
    """What registered apps say will happen to their data when ``user`` cancels the account."""
    notices = []
    for fn in hooks.get_hooks(ACCOUNT_CANCEL_NOTICES):
        notice = fn(user, api=api)
        if notice:
            notices.append(notice)
    return notices


def profile_links(request: Any) -> list[dict[str, str]]:
    """Links registered apps add to the teacher's profile page, in registration order."""
    links = []
    for fn in hooks.get_hooks(PROFILE_LINKS):
        link = fn(request)
        if link:
            links.append(link)
    return links
