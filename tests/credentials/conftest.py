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
    validated against our OB 3.0 AchievementCredential JSON Schema, and also against the
    operator's copy of 1EdTech's schema when ``LMS_TEST_OB3_SCHEMA`` names one; a violation
    fails the test that issued it."""
    from django.db.models.signals import post_save

    from credentials import proofs
    from credentials.models import Award
    from tests.credentials import ob3_schema

    schemas = [ob3_schema.our_schema()]
    if ob3_schema.operator_schema_skip_reason() is None:
        schemas.append(ob3_schema.operator_vcdm2_schema())

    def check(document: dict) -> None:
        for schema in schemas:
            problems = ob3_schema.errors(document, schema=schema)
            assert not problems, (schema.get("$id"), problems)

    def validate(sender, instance: Award, **kwargs) -> None:
        if instance.ob3_credential:
            check(instance.ob3_credential)
        if instance.ob3_jwt:
            _header, payload = proofs.jwt_unverified_parts(instance.ob3_jwt)
            check(payload)

    post_save.connect(validate, sender=Award, dispatch_uid="ob3-schema-check")
    yield
    post_save.disconnect(sender=Award, dispatch_uid="ob3-schema-check")
