"""Small builders for report tests: a hand-countable world of facts, schools and monitors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from learners.models import School, Subsystem
from reports.models import MonitorScope, ReportCourseTag, ReportFact
from reports.scopes import MONITOR_GROUP


def month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def make_fact(
    *,
    enrollment_id: int,
    user_id: int,
    course_id: int,
    school: School | None,
    enrolled_on: dt.date,
    started_after: int | None = None,
    completed_after: int | None = None,
    credentialed_after: int | None = None,
    hours: float = 0.0,
    state: str | None = None,
) -> ReportFact:
    """One enrolment fact; ``*_after`` are days after enrolment (None: not yet)."""

    def after(days: int | None) -> dt.date | None:
        return None if days is None else enrolled_on + dt.timedelta(days=days)

    started, completed, credentialed = (
        after(started_after),
        after(completed_after),
        after(credentialed_after),
    )
    return ReportFact.objects.create(
        enrollment_id=enrollment_id,
        user_id=user_id,
        course_id=course_id,
        state=state if state is not None else (school.state if school else ""),
        subsystem_id=school.subsystem_id if school else None,
        school_id=school.pk if school else None,
        enrolled_on=enrolled_on,
        enrolled_month=month(enrolled_on),
        started_on=started,
        started_month=month(started),
        completed_on=completed,
        completed_month=month(completed),
        credentialed_on=credentialed,
        credentialed_month=month(credentialed),
        days_to_complete=completed_after,
        hours_completed=hours,
    )


@dataclass
class World:
    school_a: School
    school_b: School
    school_c: School


COURSE_AI = 101
COURSE_AERO = 102


def build_world() -> World:
    """Thirteen enrolments of twelve teachers in three schools of two states (see the tests).

    School A (14, DGETI): u1..u4 in course 101 (u1 done in 10 days, u2 in 20, u3 started,
    u4 not started) and u1 in course 102 (done in 4 days, credentialed). School B (14, CONALEP):
    u5 done in 30 days, u6 not started. School C (09, DGETI): u7..u12 started, u7..u9 done in
    5, 7 and 9 days. A and B enrol on 2026-01-05, C on 2026-02-01. Completed enrolments carry
    10 hours (course 101) or 4 hours (course 102); started-only ones 2 hours.
    """
    # get_or_create: a transactional test (the browser test) flushes migration-seeded rows.
    dgeti, _ = Subsystem.objects.get_or_create(code="dgeti", defaults={"name": "DGETI"})
    conalep, _ = Subsystem.objects.get_or_create(code="conalep", defaults={"name": "CONALEP"})
    school_a = School.objects.create(cct="14DCT0001A", name="CBTis A", state="14", subsystem=dgeti)
    school_b = School.objects.create(
        cct="14DPT0002B", name="CONALEP B", state="14", subsystem=conalep
    )
    school_c = School.objects.create(cct="09DCT0003C", name="CETis C", state="09", subsystem=dgeti)
    jan, feb = dt.date(2026, 1, 5), dt.date(2026, 2, 1)
    ids = iter(range(1, 100))
    f = make_fact
    f(enrollment_id=next(ids), user_id=1, course_id=COURSE_AI, school=school_a, enrolled_on=jan,
      started_after=1, completed_after=10, hours=10)  # fmt: skip
    f(enrollment_id=next(ids), user_id=2, course_id=COURSE_AI, school=school_a, enrolled_on=jan,
      started_after=1, completed_after=20, hours=10)  # fmt: skip
    f(enrollment_id=next(ids), user_id=3, course_id=COURSE_AI, school=school_a, enrolled_on=jan,
      started_after=1, hours=2)  # fmt: skip
    f(enrollment_id=next(ids), user_id=4, course_id=COURSE_AI, school=school_a, enrolled_on=jan)
    f(enrollment_id=next(ids), user_id=1, course_id=COURSE_AERO, school=school_a, enrolled_on=jan,
      started_after=1, completed_after=4, credentialed_after=4, hours=4)  # fmt: skip
    f(enrollment_id=next(ids), user_id=5, course_id=COURSE_AI, school=school_b, enrolled_on=jan,
      started_after=1, completed_after=30, hours=10)  # fmt: skip
    f(enrollment_id=next(ids), user_id=6, course_id=COURSE_AI, school=school_b, enrolled_on=jan)
    for user_id, days in zip(range(7, 13), (5, 7, 9, None, None, None), strict=True):
        f(enrollment_id=next(ids), user_id=user_id, course_id=COURSE_AI, school=school_c,
          enrolled_on=feb, started_after=1, completed_after=days,
          hours=10 if days else 2)  # fmt: skip
    for course_id, kind, slug, name in (
        (COURSE_AI, "sector", "automotriz", "Automotriz"),
        (COURSE_AI, "topic", "ia", "Inteligencia artificial"),
        (COURSE_AERO, "sector", "automotriz", "Automotriz"),
        (COURSE_AERO, "sector", "aeroespacial", "Aeroespacial"),
        (COURSE_AERO, "topic", "manufactura", "Manufactura"),
    ):
        ReportCourseTag.objects.create(course_id=course_id, kind=kind, slug=slug, name=name)
    return World(school_a, school_b, school_c)


def make_user(username: str, *, superuser: bool = False, password: str = "pw", **extra):  # noqa: S107
    User = get_user_model()
    email = f"{username}@example.org"
    if superuser:
        return User.objects.create_superuser(username, email, password, **extra)
    return User.objects.create_user(username, email, password, **extra)


def make_monitor(
    username: str,
    *,
    level: str = "national",
    state: str = "",
    school: School | None = None,
    password: str = "pw",  # noqa: S107
):
    """A member of "Monitores SEP" with a MonitorScope row."""
    from django.contrib.auth.models import Permission

    user = make_user(username, password=password)
    group, created = Group.objects.get_or_create(name=MONITOR_GROUP)
    if created:  # flushed by a transactional test: restore what the data migration grants
        group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    MonitorScope.objects.create(user=user, level=level, state=state, school=school)
    return user
