"""The opaque identity a learner has in xAPI statements (never CURP, e-mail or names)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def _new_account_name() -> str:
    return str(uuid.uuid4())


class LearnerIdentity(models.Model):
    """Links a user to the opaque account name of their xAPI account agent.

    Created lazily by ``progress.selectors.learner_actor``; the name never changes, so
    statements stored years ago still point at the same person.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_identity"
    )
    account_name = models.CharField(max_length=64, unique=True, default=_new_account_name)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "learner identity"
        verbose_name_plural = "learner identities"

    def __str__(self) -> str:
        return self.account_name
