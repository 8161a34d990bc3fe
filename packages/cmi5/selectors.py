"""Reads of the cmi5 launch: which unit a lesson shows, who may launch it."""

from __future__ import annotations

from typing import Any

from lrs import cmi5 as lrs_cmi5
from lrs.conf import actor_for_user
from lrs.models import Cmi5Session
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
    from packages.selectors import user_may_author

    if not user.is_authenticated or not user.is_active:
        return False
    return user_may_author(user) or is_enrolled(user=user, lesson=lesson)


def is_enrolled(*, user: Any, lesson: Any) -> bool:
    """An active enrolment in the lesson's course (in any of its translations)."""
    from learners.selectors import enrollment_list_for

    if not user.is_authenticated:
        return False
    course = lesson.get_parent().get_parent()
    return (
        enrollment_list_for(user=user)
        .filter(status="active", course__translation_key=course.translation_key)
        .exists()
    )


def au_status_for(*, user: Any, unit: PackageUnit, lesson: Any) -> lrs_cmi5.AuStatus | None:
    """What the AU has achieved in the learner's registration, or None before a launch."""
    from packages.cmi5.services import au_activity_id, course_of, registration_for

    registration = registration_for(
        actor=actor_for_user(user), course_iri=course_of(lesson).activity_id
    )
    activity_id = au_activity_id(unit, lesson)
    return next(
        (s for s in lrs_cmi5.cmi5_au_status(registration) if s.activity_id == activity_id), None
    )


def launch_modes(*, user: Any, unit: PackageUnit, lesson: Any) -> list[str]:
    """The launchModes the LMS offers ``user`` for ``unit`` in ``lesson``, the default first.

    cmi5 leaves the choice to the LMS (section 10, launchMode). Capacita's:

    - staff or authors not enrolled in the course look around: Browse only, so a preview
      records no completion for them;
    - a learner whose AU is not satisfied in her registration: Normal only (an AU whose moveOn
      is NotApplicable counts as satisfied once it reported completed or passed);
    - once it is satisfied (its moveOn met, or waived): Review first, to revisit it without
      judgement; and Normal too while the AU can still record something the registration lacks
      (completed or passed), never once both are recorded or the AU was waived. Statements of
      Review and Browse sessions never change the AU's status (the LRS refuses completed,
      passed and failed in them: ``cmi5.launch_mode``).
    """
    Mode = Cmi5Session.Mode
    if not is_enrolled(user=user, lesson=lesson):
        return [Mode.BROWSE] if user.is_authenticated else [Mode.NORMAL]
    status = au_status_for(user=user, unit=unit, lesson=lesson)
    if status is None:
        return [Mode.NORMAL]
    if status.waived:
        return [Mode.REVIEW]
    # A NotApplicable AU is satisfied from the start: it is done for the learner once it
    # reported completed or passed, not at its first launch.
    rule = status.move_on if status.move_on != "NotApplicable" else "CompletedOrPassed"
    if not lrs_cmi5.move_on_met(
        rule, completed=status.completed, passed=status.passed, waived=False
    ):
        return [Mode.NORMAL]
    if status.completed and status.passed:
        return [Mode.REVIEW]
    return [Mode.REVIEW, Mode.NORMAL]
