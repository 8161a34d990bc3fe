"""The credentials part of ``load_demo``: an achievement per demo course and one microcredential.

Idempotent: achievements are found again by course, the microcredential by slug. Everything is
issued by SEP (the issuer the migrations seed) and validated with ``full_clean`` like the admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from credentials import services
from credentials.models import (
    Achievement,
    Issuer,
    Microcredential,
    MicrocredentialAlignment,
    MicrocredentialCourse,
)

__all__ = ["DEMO_MICROCREDENTIAL_SLUG", "DemoCredentials", "load_demo_credentials"]

DEMO_MICROCREDENTIAL_SLUG = "docencia-en-tecnologias-emergentes"
DEMO_MICROCREDENTIAL_TITLE = "Docencia en tecnologías emergentes"


@dataclass
class DemoCredentials:
    achievements_created: int = 0
    achievements: list[Achievement] = field(default_factory=list)
    microcredential: Microcredential | None = None
    microcredential_created: bool = False

    def lines(self) -> list[str]:
        """What ``load_demo`` prints."""
        lines = [
            f"Achievements: {len(self.achievements)} course achievements "
            f"({self.achievements_created} created)."
        ]
        if self.microcredential is not None:
            state = "created" if self.microcredential_created else "exists"
            lines.append(f"Microcredential: {self.microcredential.title!r} {state}.")
        return lines


def _outcomes(course: Any) -> list[str]:
    return [str(block.value).strip() for block in course.learning_outcomes if str(block.value)]


def _course_achievement(course: Any, created_since: dt.datetime | None) -> tuple[Achievement, bool]:
    # The same service as publishing a course (which usually made it already, this run).
    achievement, created = services.course_achievement_ensure(course_id=course.pk)
    if created_since is not None:
        created = achievement.created_at >= created_since
    return achievement, created


def _microcredential(courses: Sequence[Any], issuer: Issuer) -> tuple[Microcredential, bool]:
    existing = Microcredential.objects.filter(slug=DEMO_MICROCREDENTIAL_SLUG).first()
    if existing is not None:
        return existing, False
    outcomes = [outcome for course in courses for outcome in _outcomes(course)]
    titles = " y ".join(f"«{course.title}»" for course in courses)
    micro = Microcredential(
        title=DEMO_MICROCREDENTIAL_TITLE,
        slug=DEMO_MICROCREDENTIAL_SLUG,
        description=(
            f"Reconoce a docentes de educación media superior tecnológica que concluyen "
            f"{titles} en Capacita."
        ),
        awarding_body=issuer,
        country="MX",
        learning_outcomes="\n".join(outcomes) or f"Concluir {titles}.",
        workload_hours=Decimal(sum(course.estimated_hours for course in courses)),
        # No EQF level: continuing teacher education in Mexico is not referenced to the EQF.
        eqf_level=None,
        level_description="Formación continua docente (no forma parte de un ciclo de estudios)",
        assessment_type=Microcredential.AssessmentType.QUIZ,
        participation=Microcredential.Participation.ONLINE,
        quality_assurance=(
            "Los cursos pasan por el flujo editorial de Capacita (autoría y revisión) antes de "
            "publicarse; la emisión es automática al concluir cada curso."
        ),
        identity_verification=Microcredential.IdentityVerification.ACCOUNT,
        stackability=Microcredential.Stackability.STANDALONE,
        further_information="Microcredencial de demostración.",
    )
    micro.full_clean()
    micro.save()
    for order, course in enumerate(courses):
        MicrocredentialCourse.objects.create(microcredential=micro, course=course, sort_order=order)
    alignment = MicrocredentialAlignment(
        microcredential=micro,
        framework=MicrocredentialAlignment.Framework.CONOCER,
        target_code="EC0217.01",
        target_name=(
            "Impartición de cursos de formación del capital humano de manera presencial grupal"
        ),
        target_url="https://conocer.gob.mx/",
        target_description=(
            "Estándar relacionado; esta microcredencial no es una certificación CONOCER."
        ),
    )
    alignment.full_clean(exclude=["microcredential"])
    alignment.save()
    achievement = Achievement(
        issuer=issuer,
        microcredential=micro,
        name=DEMO_MICROCREDENTIAL_TITLE,
        description=micro.description,
        criteria_narrative=(
            f"Concluir en Capacita todos los cursos de la microcredencial: {titles}."
        ),
        achievement_type=Achievement.AchievementType.MICROCREDENTIAL,
        credits_available=micro.workload_hours,
        language=Achievement.Language.ES_MX,
    )
    achievement.full_clean()
    achievement.save()
    return micro, True


@transaction.atomic
def load_demo_credentials(
    *, courses: Sequence[Any], created_since: dt.datetime | None = None
) -> DemoCredentials:
    """Ensure an SEP course achievement for each of ``courses`` and the demo microcredential
    (with its own achievement) over the first two of them. ``created_since``: count as
    created the achievements made from then on (publishing a course makes one)."""
    issuer = Issuer.objects.get(slug="sep")
    result = DemoCredentials()
    for course in courses:
        achievement, created = _course_achievement(course, created_since)
        result.achievements.append(achievement)
        result.achievements_created += created
    if courses:
        result.microcredential, result.microcredential_created = _microcredential(
            list(courses[:2]), issuer
        )
    return result
