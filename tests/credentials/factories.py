"""Factories for the credentials app."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from credentials.models import (
    Achievement,
    AchievementAlignment,
    Endorsement,
    Issuer,
    Microcredential,
    MicrocredentialAlignment,
    PathwayPart,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"docente{n}")
    email = factory.Sequence(lambda n: f"docente{n}@example.mx")
    first_name = "Ana"
    last_name = "Pérez"


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"issuer-{n}")
    name = factory.Sequence(lambda n: f"Subsistema {n}")
    kind = Issuer.Kind.SUBSYSTEM
    url = "https://www.gob.mx/sep"
    email = "credenciales@sep.gob.mx"


class MicrocredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Microcredential

    title = factory.Sequence(lambda n: f"Microcredencial {n}")
    slug = factory.Sequence(lambda n: f"microcredencial-{n}")
    description = "Diseño de cursos con tecnologías emergentes."
    awarding_body = factory.SubFactory(IssuerFactory)
    learning_outcomes = "Diseña una secuencia didáctica\nEvalúa con rúbricas"
    workload_hours = Decimal("40")
    assessment_type = Microcredential.AssessmentType.PROJECT
    participation = Microcredential.Participation.ONLINE
    quality_assurance = "Revisión por pares y validación de SEP."


class MicrocredentialAlignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MicrocredentialAlignment

    microcredential = factory.SubFactory(MicrocredentialFactory)
    framework = "conocer"
    target_code = "EC0301"
    target_name = "Diseño de cursos de formación del capital humano"


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    issuer = factory.SubFactory(IssuerFactory)
    name = factory.Sequence(lambda n: f"Logro {n}")
    description = "Completa el curso y sus comprobaciones."
    criteria_narrative = "Completar todas las lecciones y aprobar con 70 o más."
    achievement_type = Achievement.AchievementType.COURSE
    credits_available = Decimal("20")
    tags = "IA, docencia"


class AchievementAlignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AchievementAlignment

    achievement = factory.SubFactory(AchievementFactory)
    framework = "conocer"
    target_code = "EC0217.01"
    target_name = "Impartición de cursos de formación del capital humano"


class EndorsementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endorsement

    achievement = factory.SubFactory(AchievementFactory)
    endorser = factory.SubFactory(IssuerFactory, kind=Issuer.Kind.INDUSTRY)
    comment = "La cámara reconoce esta formación para la educación dual."


class PathwayPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathwayPart

    pathway = factory.SubFactory(MicrocredentialFactory)
    part = factory.SubFactory(MicrocredentialFactory)
