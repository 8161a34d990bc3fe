"""Reads of the credentials app."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from credentials.models import (
    Achievement,
    Award,
    CourseCompletion,
    Endorsement,
    Issuer,
    Microcredential,
    SigningKey,
)


def award_public(*, uuid: str) -> Award | None:
    """An award by its public id, with what the verification page and documents need."""
    return (
        Award.objects.select_related("achievement__issuer", "achievement__microcredential")
        .prefetch_related(
            "achievement__alignments",
            "achievement__microcredential__alignments",
            "achievement__endorsements__endorser",
        )
        .filter(uuid=uuid)
        .first()
    )


def awards_of_user(*, user_id: int) -> QuerySet[Award]:
    """The learner's wallet, newest first."""
    return (
        Award.objects.filter(recipient_id=user_id)
        .select_related("achievement__issuer")
        .order_by("-issued_at", "-pk")
    )


def held_awards(*, user_id: int, achievement_ids: list[int]) -> dict[int, Award]:
    """The learner's standing (unrevoked) awards of these achievements, by achievement id."""
    awards = Award.objects.filter(
        recipient_id=user_id, achievement_id__in=achievement_ids, revoked_at__isnull=True
    ).order_by("pk")
    return {award.achievement_id: award for award in awards}


def issuer_keys(*, issuer: Issuer) -> list[SigningKey]:
    """Every key the issuer ever signed with (active first), all still published."""
    return list(SigningKey.objects.filter(issuer=issuer).order_by("-active", "-created_at"))


def all_issuer_keys() -> list[SigningKey]:
    """Every key of every issuer (active first), all still published: the host's JWKS."""
    return list(SigningKey.objects.order_by("issuer_id", "-active", "-created_at"))


def issuer_key_by_kid(*, issuer: Issuer, kid: str) -> SigningKey | None:
    return SigningKey.objects.filter(issuer=issuer, kid=kid).first()


def issuer_revoked_awards(*, issuer: Issuer) -> QuerySet[Award]:
    return (
        Award.objects.filter(achievement__issuer=issuer, revoked_at__isnull=False)
        .only("pk", "uuid", "revoked_at", "revocation_reason", "achievement_id")
        .order_by("pk")
    )


def achievement_endorsements(*, achievement: Achievement) -> QuerySet[Endorsement]:
    return achievement.endorsements.select_related("endorser").filter(credential__isnull=False)


def course_family(*, course_id: int) -> set[int]:
    """The course page and its translations: completing the English version of a course counts
    for an achievement or microcredential that names the Spanish one, and vice versa."""
    from courses.models import CoursePage

    key = CoursePage.objects.filter(pk=course_id).values_list("translation_key", flat=True).first()
    if key is None:
        return {course_id}
    return set(CoursePage.objects.filter(translation_key=key).values_list("pk", flat=True))


def _translation_keys(course_ids: set[int]) -> set[Any]:
    from courses.models import CoursePage

    return set(
        CoursePage.objects.filter(pk__in=course_ids).values_list("translation_key", flat=True)
    )


def achievements_earned_by_completions(*, user_id: int, course_id: int) -> list[int]:
    """Achievement ids the user has now earned through completed courses: the course's own
    achievements, and those of microcredentials all of whose courses are complete (in any
    language)."""
    family = course_family(course_id=course_id)
    earned = list(Achievement.objects.filter(course_id__in=family).values_list("pk", flat=True))
    candidates = list(
        Microcredential.objects.filter(courses__course_id__in=family, achievement__isnull=False)
        .prefetch_related("courses")
        .select_related("achievement")
        .distinct()
    )
    if not candidates:
        return earned
    completed = _translation_keys(
        set(
            CourseCompletion.objects.filter(user_id=user_id, revoked=False).values_list(
                "course_id", flat=True
            )
        )
    )
    for microcredential in candidates:
        needed = _translation_keys({link.course_id for link in microcredential.courses.all()})
        if needed and needed <= completed:
            earned.append(microcredential.achievement.pk)
    return earned


def achievement_earned_by_completions(*, user_id: int, achievement_id: int) -> bool:
    """Whether the user's standing (unvoided) course completions earn the achievement now: its
    course is complete, or every course of its microcredential is (in any language)."""
    achievement = (
        Achievement.objects.select_related("microcredential").filter(pk=achievement_id).first()
    )
    if achievement is None:
        return False
    completed = _translation_keys(
        set(
            CourseCompletion.objects.filter(user_id=user_id, revoked=False).values_list(
                "course_id", flat=True
            )
        )
    )
    if achievement.course_id is not None:
        return bool(_translation_keys({achievement.course_id}) & completed)
    if achievement.microcredential is not None:
        needed = _translation_keys(
            {link.course_id for link in achievement.microcredential.courses.all()}
        )
        return bool(needed) and needed <= completed
    return False


def automatic_awards_for_course(*, user_id: int, course_id: int) -> list[Award]:
    """Unrevoked awards the user got automatically because of this course's completion."""
    family = course_family(course_id=course_id)
    return list(
        Award.objects.filter(recipient_id=user_id, revoked_at__isnull=True)
        .filter(
            Q(achievement__course_id__in=family, source=Award.Source.COMPLETION)
            | Q(
                achievement__microcredential__courses__course_id__in=family,
                source=Award.Source.MICROCREDENTIAL,
            )
        )
        .distinct()
    )


def pathways_due(*, user_id: int) -> list[Microcredential]:
    """Pathway microcredentials whose parts the user all holds (unrevoked) but which the user
    has not been awarded yet."""
    held = set(
        Award.objects.filter(
            recipient_id=user_id,
            revoked_at__isnull=True,
            achievement__microcredential__isnull=False,
        ).values_list("achievement__microcredential_id", flat=True)
    )
    if not held:
        return []
    pathways = (
        Microcredential.objects.annotate(part_count=Count("pathway_parts"))
        .filter(part_count__gt=0, achievement__isnull=False)
        .exclude(achievement__awards__recipient_id=user_id)
        .prefetch_related("pathway_parts")
        .select_related("achievement")
    )
    return [
        pathway
        for pathway in pathways
        if {part.part_id for part in pathway.pathway_parts.all()} <= held
    ]


def microcredentials_for_course(*, course_id: int) -> QuerySet[Microcredential]:
    """Microcredentials that name the course among those leading to them (course page hook)."""
    return (
        Microcredential.objects.filter(courses__course_id__in=course_family(course_id=course_id))
        .select_related("awarding_body")
        .distinct()
    )


def course_page_credentials(*, course_id: int) -> dict[str, list]:
    """What a course page shows: the course's own achievements (with endorsements) and the
    microcredentials the course leads to."""
    achievements = list(
        Achievement.objects.filter(course_id__in=course_family(course_id=course_id))
        .select_related("issuer")
        .prefetch_related("endorsements__endorser")
    )
    microcredentials = list(
        microcredentials_for_course(course_id=course_id).prefetch_related(
            "alignments", "achievement__endorsements__endorser"
        )
    )
    return {"achievements": achievements, "microcredentials": microcredentials}
