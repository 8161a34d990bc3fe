"""One-time tokens for e-mail confirmation of new teacher accounts."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AccountConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password-reset tokens (signed, expiring after PASSWORD_RESET_TIMEOUT), but
    with their own salt and invalid once the account is active, so a link works only once."""

    # Kept from before the split of progress/: confirmation links sent then stay valid.
    key_salt = "progress.tokens.AccountConfirmationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        email = getattr(user, user.get_email_field_name(), "")
        return f"{user.pk}{user.password}{user.is_active}{email}{timestamp}"


account_confirmation_token = AccountConfirmationTokenGenerator()


def confirmation_already_used(user: User, token: str) -> bool:
    """Whether ``token`` was a genuine confirmation link for ``user`` that has since been used
    (it checks against the account as it was before activation). A forged token is False."""
    if not user.is_active:
        return False
    before = copy.copy(user)
    before.is_active = False
    return account_confirmation_token.check_token(before, token)
