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
