"""The monitoring picture of the demo: synthetic teachers, schools and enrolments for the SEP
dashboard.

With only the demo teacher every cell of the dashboard is below the minimum and reads
"suprimido". This builds a few hundred synthetic teachers in schools of many states and
subsystems, enrolled over the last weeks, so the map, charts and tables show figures and
suppression appears only where a cell is really small (a few small states on purpose).

The data is plainly synthetic wherever a person could see it: usernames ``sintetico-NNNN``,
addresses at ``demo.invalid`` (a reserved domain that never delivers), names "Docente
sintético NNNN", CURPs starting ``XXXX`` (valid by every rule, and no real person's initials)
and schools called "(demostración)". The accounts cannot sign in: inactive, with an unusable
password, so they are never demo logins.

Deterministic (a fixed seed) and idempotent: a second run finds every user, school and
enrolment of the plan and creates nothing. Bulk inserts keep it to a few seconds on SQLite;
the caller rebuilds the report tables afterwards (bulk inserts send no signals).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from learners.mexico import STATES_BY_INEGI
from learners.models import Enrollment, School, Subsystem, TeacherProfile
from learners.validators import cct_check_letter

__all__ = [
    "SYNTHETIC_EMAIL_DOMAIN",
    "SYNTHETIC_USERNAME_PREFIX",
    "DemoMonitoring",
    "load_demo_monitoring",
    "synthetic_curp",
    "synthetic_schools",
]

SYNTHETIC_USERNAME_PREFIX = "sintetico-"
SYNTHETIC_EMAIL_DOMAIN = "demo.invalid"
SEED = 20261204
# How many weeks back the enrolments reach: the trend shows a few months.
WEEKS = 16

# State (INEGI) → subsystems of its synthetic schools. Big states get several schools so a
# drill-down shows figures; the three small ones get a school of three or four teachers on
# purpose, so the dashboard also shows what suppression looks like.
SCHOOLS_BY_STATE: dict[str, tuple[str, ...]] = {
    "09": ("dgeti", "conalep", "ipn"),
    "15": ("dgeti", "conalep", "cecyte", "dgcft"),
    "14": ("dgeti", "cecyte", "uemstaycm"),
    "19": ("dgeti", "dgeti", "conalep", "cecyte"),
    "21": ("dgeti", "cecyte"),
    "30": ("dgeti", "cecyte", "uemstaycm"),
    "11": ("dgeti", "cecyte"),
    "07": ("cecyte", "uemstaycm"),
    "08": ("dgeti", "conalep"),
    "02": ("dgeti", "cecyte"),
    "05": ("conalep", "dgeti"),
    "26": ("cecyte", "uemstaycm"),
    "16": ("dgeti", "cecyte"),
    "20": ("cecyte",),
    "31": ("dgeti",),
    "22": ("conalep",),
    "28": ("dgeti",),
    "25": ("uemstaycm",),
    "13": ("dgeti",),
    "01": ("conalep",),
    "06": ("dgeti",),  # small on purpose
    "03": ("uemstaycm",),  # small on purpose
    "04": ("cecyte",),  # small on purpose
}
SMALL_STATES = frozenset({"06", "03", "04"})
# CCT letters 3-5 by subsystem: the classifier (D federal, E state) and a kind of centre.
CCT_KIND = {
    "dgeti": "DCT",
    "conalep": "DPT",
    "cecyte": "ECT",
    "uemstaycm": "DTA",
    "ipn": "DIT",
    "dgcft": "DBT",
}
SCHOOL_LABEL = {
    "dgeti": "CBTis",
    "conalep": "Plantel CONALEP",
    "cecyte": "CECyTE plantel",
    "uemstaycm": "CBTA",
    "ipn": "CECyT",
    "dgcft": "CECATI",
}
# CURP alphabet for the check digit (DOMAIN.md).
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def synthetic_curp(*, birth: dt.date, sex: str, state: str) -> str:
    """A CURP valid by every rule whose name letters are all X (no real person's initials).

    ``state`` is an INEGI code; its RENAPO code goes in positions 12-13. The homonym
    position is a digit before 2000 and a letter from 2000 on, as RENAPO assigns them.
    """
    renapo = STATES_BY_INEGI[state].renapo
    homonym = "0" if birth.year < 2000 else "A"
    body = f"XXXX{birth:%y%m%d}{sex}{renapo}XXX{homonym}"
    total = sum(_CURP_ALPHABET.index(char) * (18 - i) for i, char in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass
class DemoMonitoring:
    teachers: int
    teachers_created: int
    schools_created: int
    enrollments_created: int
    states: int

    def lines(self) -> list[str]:
        """What ``load_demo`` prints about the monitoring picture."""
        return [
            f"Monitoring picture: {self.teachers} synthetic teachers in {self.states} states "
            f"({self.teachers_created} teachers, {self.schools_created} schools, "
            f"{self.enrollments_created} enrolments created; they cannot sign in)."
        ]


@dataclass
class _PlannedTeacher:
    number: int
    state: str
    cct: str
    subsystem: str
    curp: str


def synthetic_schools() -> list[tuple[str, str, str, str]]:
    """(cct, name, state, subsystem code) for every synthetic school."""
    schools = []
    number = 100
    for state, subsystems in SCHOOLS_BY_STATE.items():
        for code in subsystems:
            number += 1
            head = f"{state}{CCT_KIND[code]}{number:04d}"
            cct = head + cct_check_letter(head)
            name = f"{SCHOOL_LABEL[code]} {number} (demostración)"
            schools.append((cct, name, state, code))
    return schools


def plan_teachers(rng: random.Random, schools: list[tuple[str, str, str, str]]) -> list:
    """The demo's synthetic teachers for ``schools``, drawn from ``rng`` (same seed, same plan)."""
    teachers: list[_PlannedTeacher] = []
    used_curps: set[str] = set()
    for cct, _name, state, code in schools:
        size = rng.randint(3, 4) if state in SMALL_STATES else rng.randint(6, 15)
        for _ in range(size):
            while True:
                birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
                curp = synthetic_curp(birth=birth, sex=rng.choice("HM"), state=state)
                if curp not in used_curps:
                    used_curps.add(curp)
                    break
            teachers.append(
                _PlannedTeacher(len(teachers) + 1, state, cct, code, curp)  # numbered from 1
            )
    return teachers


def _hours(course: Any) -> float:
    return float(getattr(course, "estimated_hours", 0) or 0)


def _plan_enrollments(
    rng: random.Random, teachers: list[_PlannedTeacher], courses: Sequence[Any], now: dt.datetime
) -> list[tuple[int, Any, dict[str, Any]]]:
    """(teacher number, course, fields) for each planned enrolment.

    Open courses are taken first; a course with prerequisites only by a teacher who completed
    all of them in the plan, as the enrolment service would require.
    """
    plan = []
    prerequisites = {course.pk: {p.pk for p in course.prerequisites.all()} for course in courses}
    for teacher in teachers:
        completed: set[int] = set()
        wanted = rng.randint(1, min(3, len(courses)))
        for course in rng.sample(list(courses), k=len(courses)):
            if wanted == 0:
                break
            if not prerequisites[course.pk] <= completed:
                continue
            wanted -= 1
            enrolled = now - dt.timedelta(days=rng.uniform(1, WEEKS * 7), hours=rng.uniform(0, 12))
            fields: dict[str, Any] = {"enrolled_at": enrolled}
            if rng.random() < 0.8:
                started = min(now, enrolled + dt.timedelta(hours=rng.uniform(0.5, 96)))
                fields["started_at"] = started
                # A share of the starters finish, between three days and six weeks later.
                done = started + dt.timedelta(days=rng.uniform(3, 42))
                if rng.random() < 0.65 and done < now:
                    fields["completed_at"] = done
                    fields["hours_completed"] = _hours(course)
                    completed.add(course.pk)
            plan.append((teacher.number, course, fields))
    return plan


@transaction.atomic
def load_demo_monitoring(
    *, courses: Sequence[Any], now: dt.datetime | None = None
) -> DemoMonitoring:
    """Ensure the synthetic schools, teachers and enrolments of the demo's monitoring picture.

    Creates only what is missing (a second run creates nothing). Does not refresh the report
    tables: the caller does, once, after every demo step.
    """
    now = now or timezone.now()
    rng = random.Random(SEED)
    subsystems = {s.code: s for s in Subsystem.objects.all()}
    planned_schools = [row for row in synthetic_schools() if row[3] in subsystems]
    existing_ccts = set(
        School.objects.filter(cct__in=[row[0] for row in planned_schools]).values_list(
            "cct", flat=True
        )
    )
    new_schools = [
        School(cct=cct, name=name, state=state, subsystem=subsystems[code])
        for cct, name, state, code in planned_schools
        if cct not in existing_ccts
    ]
    School.objects.bulk_create(new_schools)
    schools = {s.cct: s for s in School.objects.filter(cct__in=[r[0] for r in planned_schools])}

    teachers = plan_teachers(rng, planned_schools)
    user_model = get_user_model()
    usernames = {t.number: f"{SYNTHETIC_USERNAME_PREFIX}{t.number:04d}" for t in teachers}
    existing_users = set(
        user_model.objects.filter(username__in=usernames.values()).values_list(
            "username", flat=True
        )
    )
    taken_curps = set(
        TeacherProfile.objects.filter(curp__in=[t.curp for t in teachers]).values_list(
            "curp", flat=True
        )
    )
    unusable = make_password(None)  # the same "!…" marker set_unusable_password stores
    new_users = [
        user_model(
            username=usernames[t.number],
            email=f"{usernames[t.number]}@{SYNTHETIC_EMAIL_DOMAIN}",
            first_name="Docente sintético",
            is_active=False,
            password=unusable,
        )
        for t in teachers
        if usernames[t.number] not in existing_users
    ]
    user_model.objects.bulk_create(new_users)
    users = dict(
        user_model.objects.filter(username__in=usernames.values()).values_list("username", "pk")
    )
    with_profile = set(
        TeacherProfile.objects.filter(user_id__in=users.values()).values_list("user_id", flat=True)
    )
    new_profiles = []
    # A CURP another account holds (it would have to be a real one) is left alone, and so
    # is that synthetic teacher: no profile, no enrolments.
    skipped = set()
    for teacher in teachers:
        user_id = users[usernames[teacher.number]]
        if user_id in with_profile:
            continue
        if teacher.curp in taken_curps:
            skipped.add(teacher.number)
            continue
        school = schools[teacher.cct]
        new_profiles.append(
            TeacherProfile(
                user_id=user_id,
                curp=teacher.curp,
                first_name=f"Docente sintético {teacher.number:04d}",
                state=teacher.state,
                subsystem=school.subsystem,
                school=school,
                position=TeacherProfile.Position.TEACHER,
            )
        )
    TeacherProfile.objects.bulk_create(new_profiles)

    enrolled_pairs = set(
        Enrollment.objects.filter(user_id__in=users.values()).values_list("user_id", "course_id")
    )
    new_enrollments = []
    for number, course, fields in _plan_enrollments(rng, teachers, courses, now):
        user_id = users[usernames[number]]
        if number in skipped or (user_id, course.pk) in enrolled_pairs:
            continue
        new_enrollments.append(Enrollment(user_id=user_id, course_id=course.pk, **fields))
    Enrollment.objects.bulk_create(new_enrollments)
    return DemoMonitoring(
        teachers=len(teachers),
        teachers_created=len(new_users),
        schools_created=len(new_schools),
        enrollments_created=len(new_enrollments),
        states=len({t.state for t in teachers}),
    )
