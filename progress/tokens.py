"""One-time tokens for e-mail confirmation of new teacher accounts."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator


class AccountConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password-reset tokens (signed, expiring after PASSWORD_RESET_TIMEOUT), but
    with their own salt and invalid once the account is active, so a link works only once."""

    key_salt = "progress.tokens.AccountConfirmationTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        email = getattr(user, user.get_email_field_name(), "")
        return f"{user.pk}{user.password}{user.is_active}{email}{timestamp}"


account_confirmation_token = AccountConfirmationTokenGenerator()
