"""Fixtures of the credentials tests."""

from __future__ import annotations

import pytest

from credentials import services
from tests.credentials.factories import AchievementFactory, IssuerFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_caches(settings) -> None:
    from django.core.cache import cache

    cache.clear()
    services._BASE_PNG_CACHE.clear()


@pytest.fixture
def issuer(db):
    return IssuerFactory(slug="sep", name="Secretaría de Educación Pública")


@pytest.fixture
def learner(db):
    return UserFactory(username="ana", email="ana.perez@example.mx")


@pytest.fixture
def achievement(issuer):
    return AchievementFactory(issuer=issuer, name="Inteligencia artificial en el aula")


@pytest.fixture
def award(achievement, learner):
    award, _created = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion", score=0.9
    )
    return award


@pytest.fixture(autouse=True)
def _every_issued_credential_matches_the_ob3_schema():
    """Every OB 3.0 credential (and VC-JWT payload) an award is saved with in these tests is
    validated against 1EdTech's AchievementCredential JSON Schema; a violation fails the test
    that issued it."""
    from django.db.models.signals import post_save

    from credentials import proofs
    from credentials.models import Award
    from tests.credentials import ob3_schema

    def validate(sender, instance: Award, **kwargs) -> None:
        if instance.ob3_credential:
            problems = ob3_schema.errors(instance.ob3_credential)
            assert not problems, problems
        if instance.ob3_jwt:
            _header, payload = proofs.jwt_unverified_parts(instance.ob3_jwt)
            problems = ob3_schema.errors(payload)
            assert not problems, problems

    post_save.connect(validate, sender=Award, dispatch_uid="ob3-schema-check")
    yield
    post_save.disconnect(sender=Award, dispatch_uid="ob3-schema-check")
