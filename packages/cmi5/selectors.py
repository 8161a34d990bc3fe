"""Reads of the cmi5 launch: which unit a lesson shows, who may launch it."""

from __future__ import annotations

from typing import Any

from packages.models import PackageUnit, UnitPlacement


def launchable_unit(*, unit_uuid: Any, lesson_id: int) -> tuple[PackageUnit, Any] | None:
    """The cmi5 AU ``unit_uuid`` and the lesson ``lesson_id`` when the lesson shows it (it is
    the AU's lesson, or a "Contenido empaquetado" block places it there)."""
    from courses.models import LessonPage

    unit = (
        PackageUnit.objects.filter(uuid=unit_uuid, kind=PackageUnit.Kind.AU, retired=False)
        .select_related("version", "package")
        .first()
    )
    lesson = LessonPage.objects.filter(pk=lesson_id).first()
    if unit is None or lesson is None:
        return None
    shown = (
        unit.lesson_id == lesson.pk
        or UnitPlacement.objects.filter(unit=unit, lesson=lesson).exists()
    )
    return (unit, lesson) if shown else None


def user_may_launch(*, user: Any, lesson: Any) -> bool:
    """Authors and staff; a teacher with an active enrolment in the lesson's course."""
    from learners.selectors import enrollment_list_for
    from packages.selectors import user_may_author

    if not user.is_authenticated or not user.is_active:
        return False
    if user_may_author(user):
        return True
    course = lesson.get_parent().get_parent()
    return (
        enrollment_list_for(user=user)
        .filter(status="active", course__translation_key=course.translation_key)
        .exists()
    )
