"""One-time tokens for e-mail confirmation of new teacher accounts."""

import copy

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class AccountConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password-reset tokens (signed, expiring after PASSWORD_RESET_TIMEOUT), but
    with their own salt and invalid once the account is active, so a link works only once."""

    key_salt = "progress.tokens.AccountConfirmationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


account_confirmation_token = AccountConfirmationTokenGenerator()


def confirmation_already_used(user: AbstractBaseUser, token: str) -> bool:
    """Whether ``token`` was a genuine confirmation link for ``user`` that has since been used
    (it checks against the account as it was before activation). A forged token is False."""
    if not user.is_active:
        return False
    before = copy.copy(user)
    before.is_active = False
    return account_confirmation_token.check_token(before, token)
