"""Reads of the progress app that other code may use."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from progress.models import LearnerIdentity

__all__ = ["learner_actor", "learner_user_for_actor"]


def learner_actor(*, user: AbstractBaseUser) -> dict:
    """The learner's xAPI actor: an account agent with an opaque name, never personal data.

    The identity is created on first use and never changes.
    """
    identity = getattr(user, "_learner_identity_cache", None)
    if identity is None:
        identity, _ = LearnerIdentity.objects.get_or_create(user=user)
        user._learner_identity_cache = identity
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.LMS_SITE_URL, "name": identity.account_name},
    }


def learner_user_for_actor(*, actor: dict) -> AbstractBaseUser | None:
    """The user behind a learner account agent, or None for any other actor."""
    if not isinstance(actor, dict):
        return None
    account = actor.get("account")
    if not isinstance(account, dict) or account.get("homePage") != settings.LMS_SITE_URL:
        return None
    name = account.get("name")
    if not isinstance(name, str):
        return None
    return get_user_model().objects.filter(learner_identity__account_name=name).first()
