"""The progress part of ``load_demo``: an LRS client, a school, a teacher profile, an enrolment.

Idempotent: a second run reuses what the first made. An LRS client's secret exists only at
creation (the database keeps its hash), so it is returned only by the run that created it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from learners.models import Enrollment, Subsystem, TeacherProfile
from learners.services import enrollment_create, school_upsert, teacher_profile_create
from lrs.client_services import lrs_client_create
from lrs.models import LRSClient
from reports.demo import DemoMonitoring, load_demo_monitoring
from reports.refresh import report_facts_rebuild

__all__ = ["DEMO_CCT", "DEMO_CURP", "DEMO_LRS_CLIENT_NAME", "DemoProgress", "load_demo_progress"]

DEMO_LRS_CLIENT_NAME = "Herramienta xAPI de demostración"
# Mexico City (09), federal (D), CBTis (CT, DGETI) number 0001; "Y" is the check letter that
# learners.validators.cct_check_letter computes, so the school carries no warning.
DEMO_CCT = "09DCT0001Y"
DEMO_SCHOOL_NAME = "Centro de Bachillerato Tecnológico industrial y de servicios 1 (demostración)"
# DOMAIN.md's worked example: a woman born 1956-06-26 in Mexico City. The names below are
# consistent with its letters (SA-B-C, internal consonants L-R-N); the person is fictitious.
DEMO_CURP = "SABC560626MDFLRN01"
DEMO_TEACHER = {
    "first_name": "Concepción",
    "paternal_surname": "Salazar",
    "maternal_surname": "Barrios",
    "state": "09",
    "position": TeacherProfile.Position.TEACHER,
}


@dataclass
class DemoProgress:
    lrs_client: LRSClient
    lrs_secret: str | None  # only when this run created the client
    school_cct: str
    profile_created: bool
    enrolled_course: Any | None  # the course ``docente`` was enrolled in by this run
    report_rows: int
    monitoring: DemoMonitoring | None = None

    def lines(self) -> list[str]:
        """What ``load_demo`` prints; the secret only on the run that created the client."""
        key = self.lrs_client.key
        if self.lrs_secret:
            lrs = [
                f"LRS client: {self.lrs_client.name!r} created (HTTP Basic for /xapi/):",
                f"  key    {key}",
                f"  secret {self.lrs_secret}  (shown only now; store it)",
            ]
        else:
            lrs = [
                f"LRS client: {self.lrs_client.name!r} exists, key {key} (the secret was shown "
                "when it was created; `lrs_client create` makes a new one)."
            ]
        enrolled = (
            f"enrolled in {self.enrolled_course.title!r}"
            if self.enrolled_course is not None
            else "enrolment unchanged"
        )
        profile = "profile created" if self.profile_created else "profile exists"
        return [
            *lrs,
            f"Teacher docente: school {self.school_cct}, {profile}, {enrolled}.",
            *(self.monitoring.lines() if self.monitoring else []),
            f"Reports: {self.report_rows} enrolment facts refreshed.",
        ]


def _lrs_client() -> tuple[LRSClient, str | None]:
    # An operator may switch the demo client off; a deactivated one is not handed out again.
    clients = LRSClient.objects.filter(name=DEMO_LRS_CLIENT_NAME, active=True)
    client = clients.order_by("pk").first()
    if client is not None:
        return client, None
    return lrs_client_create(name=DEMO_LRS_CLIENT_NAME, scopes=["all"])


def _first_open_course(courses: Sequence[Any]) -> Any | None:
    """The first course with no prerequisites: a new learner can enrol in it."""
    for course in courses:
        if not course.prerequisites.exists():
            return course
    return None


@transaction.atomic
def load_demo_progress(*, teacher_username: str, courses: Sequence[Any]) -> DemoProgress:
    """Ensure the demo LRS client, school, ``teacher_username``'s profile and an enrolment in
    the first of ``courses`` open to newcomers, and the synthetic monitoring picture
    (``reports.demo``); then rebuild the report tables."""
    client, secret = _lrs_client()
    school, _created, _warnings = school_upsert(
        cct=DEMO_CCT,
        name=DEMO_SCHOOL_NAME,
        state="09",
        municipality="Cuauhtémoc",
        subsystem=Subsystem.objects.filter(code="dgeti").first(),
    )
    user = get_user_model().objects.get(username=teacher_username)
    profile = TeacherProfile.objects.filter(user=user).first()
    profile_created = profile is None
    if profile is None:
        # Raises ValidationError (curp/unique) if another account already holds the CURP.
        teacher_profile_create(
            user=user, curp=DEMO_CURP, school=school, subsystem=school.subsystem, **DEMO_TEACHER
        )
    enrolled = None
    course = _first_open_course(courses)
    if course is not None:
        active = Enrollment.objects.filter(
            user=user, course_id=course.pk, status=Enrollment.Status.ACTIVE
        )
        if not active.exists():
            enrollment_create(user=user, course_id=course.pk)
            enrolled = course
    # Synthetic teachers so the SEP dashboard shows figures, not only "suprimido".
    monitoring = load_demo_monitoring(courses=courses) if courses else None
    refresh = report_facts_rebuild()
    return DemoProgress(
        lrs_client=client,
        lrs_secret=secret,
        school_cct=school.cct,
        profile_created=profile_created,
        enrolled_course=enrolled,
        report_rows=refresh.rows,
        monitoring=monitoring,
    )
