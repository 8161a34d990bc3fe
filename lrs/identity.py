"""Who a signed-in user is in xAPI: an account agent with an opaque, permanent name.

The LRS asks ``conf.actor_for_user`` (setting ``LMS_LRS_ACTOR``, a dotted path) for the actor of
a session user; ``learner_actor`` below is the default. It never puts personal data (e-mail,
names, national ids) in the actor: the account name is a random UUID kept in
``LearnerIdentity``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from lrs import conf
from lrs.models import LearnerIdentity

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def learner_actor(*, user: User) -> dict:
    """The learner's xAPI actor: an account agent with an opaque name, never personal data.

    The identity is created on first use and never changes.
    """
    identity = getattr(user, "_learner_identity_cache", None)
    if identity is None:
        identity, _ = LearnerIdentity.objects.get_or_create(user=user)
        user._learner_identity_cache = identity  # type: ignore[attr-defined]  # per instance
    return {
        "objectType": "Agent",
        "account": {"homePage": conf.site_url(), "name": identity.account_name},
    }


def learner_user_for_actor(*, actor: dict) -> User | None:
    """The user behind a learner account agent, or None for any other actor."""
    if not isinstance(actor, dict):
        return None
    account = actor.get("account")
    if not isinstance(account, dict) or account.get("homePage") != conf.site_url():
        return None
    name = account.get("name")
    if not isinstance(name, str):
        return None
    return get_user_model().objects.filter(learner_identity__account_name=name).first()
