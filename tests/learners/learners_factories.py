"""Factories for learner records (teachers, schools, subsystems)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import factory
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from stdnum.mx import curp as stdnum_curp

from learners.models import School, Subsystem, TeacherProfile
from learners.validators import cct_check_letter

# Valid CURPs from DOMAIN.md's worked examples.
DOMAIN_CURPS = (
    "SABC560626MDFLRN01",
    "HEGG560427MVZRRL04",
    "BOXW310820HNERXN09",
    "LOMA050312MJCPRNA7",
)


def make_curp(n: int, *, state: str = "DF", sex: str = "H") -> str:
    """A valid CURP, different for every ``n`` (birth date varies, check digit computed)."""
    year = 60 + (n // 336) % 40
    month = 1 + (n // 28) % 12
    day = 1 + n % 28
    consonants = "BCDFGHJKLMNPRSTVZ"
    homonym = str((n // 13440) % 10)
    inner = consonants[n % 17] + consonants[(n // 17) % 17] + consonants[(n // 289) % 17]
    base = f"GAXA{year:02d}{month:02d}{day:02d}{sex}{state}{inner}{homonym}"
    return base + stdnum_curp.calc_check_digit(base + "0")


def make_cct(n: int, *, state: str = "09", kind: str = "ETC") -> str:
    """A well-formed CCT with the right check letter."""
    body = f"{state}{kind}{n % 10000:04d}"
    return body + cct_check_letter(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"docente{n}@example.mx")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("contraseña-segura-123")
    is_active = True


class SubsystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subsystem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sub{n}")
    name = factory.Sequence(lambda n: f"Subsistema {n}")


_SEED = importlib.import_module("learners.migrations.0002_seed_subsystems")


def seed_subsystems() -> None:
    """Run the subsystem seed of the data migration again (idempotent)."""
    from django.apps import apps

    _SEED.seed(apps, None)


@pytest.fixture
def seeded_subsystems(db) -> Iterator[None]:
    """The seeded subsystems, even after a transactional test flushed a reused database; and
    Spanish active, because a request to /en/ elsewhere leaves English active in the thread
    (``reverse`` would then build /en/ URLs)."""
    seed_subsystems()
    with translation.override("es-mx"):
        yield


def dgeti() -> Subsystem:
    """The seeded DGETI subsystem (re-created when a transactional test flushed the seed)."""
    return Subsystem.objects.get_or_create(code="dgeti", defaults={"name": "DGETI"})[0]


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    cct = factory.Sequence(lambda n: make_cct(n))
    name = factory.Sequence(lambda n: f"CETis {n}")
    state = "09"
    municipality = "Coyoacán"
    subsystem = factory.LazyFunction(dgeti)


class TeacherProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeacherProfile

    user = factory.SubFactory(UserFactory)
    curp = factory.Sequence(lambda n: make_curp(n + 5000))
    first_name = "Ana"
    paternal_surname = "García"
    maternal_surname = "López"
    state = "09"
    subsystem = factory.LazyFunction(dgeti)
    school = None
    position = TeacherProfile.Position.TEACHER
