"""Reads of the progress app that other code may use: querysets and small data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet

from learners.models import AuditEvent, Enrollment, ImportJob, School, Subsystem, TeacherProfile
from lrs.models import LearnerIdentity, LRSDocument, Statement
from lrs.selectors import statements_by_actor_q
from lrs.statements import agent_ifi

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def teacher_profile_for(*, user: User) -> TeacherProfile | None:
    """The user's teacher profile with its subsystem and school, or ``None``."""
    return (
        TeacherProfile.objects.select_related("subsystem", "school", "school__subsystem")
        .filter(user=user)
        .first()
    )


def teacher_user_for_curp(*, curp: str) -> User | None:
    """The account whose (not cancelled) profile holds ``curp`` (already validated), if any."""
    profile = (
        TeacherProfile.objects.select_related("user")
        .filter(curp=curp, cancelled_at__isnull=True)
        .first()
    )
    return profile.user if profile else None


def user_for_email(*, email: str) -> User | None:
    """The account that signs in with ``email`` (its address or its username), if any."""
    from django.contrib.auth.models import User as AuthUser
    from django.db.models import Q

    return (
        AuthUser.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("pk")
        .first()
    )


def subsystem_list(*, active_only: bool = True) -> QuerySet[Subsystem]:
    """Subsystems by name; only active ones unless told otherwise."""
    queryset = Subsystem.objects.all()
    return queryset.filter(active=True) if active_only else queryset


def school_by_cct(*, cct: str) -> School | None:
    """The school with this CCT (normalised), or ``None``."""
    from learners.validators import normalise_code

    return School.objects.select_related("subsystem").filter(cct=normalise_code(cct)).first()


def import_job_list(*, limit: int = 50) -> QuerySet[ImportJob]:
    """The latest import jobs, newest first."""
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]


def enrollment_list_for(*, user: User) -> QuerySet[Enrollment]:
    """The user's enrolments (active and past) with their course, newest first."""
    return (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .order_by("-enrolled_at", "-id")
    )


def missing_prerequisite_keys(*, user: User, course: Any) -> set[Any]:
    """Translation keys of ``course``'s prerequisites that ``user`` has not completed.

    Matched by translation key, as enrolment does: finishing a prerequisite in either language
    counts."""
    required = set(course.prerequisites.values_list("translation_key", flat=True))
    if not required:
        return set()
    done = set(
        Enrollment.objects.filter(
            user=user, course__translation_key__in=required, completed_at__isnull=False
        ).values_list("course__translation_key", flat=True)
    )
    return required - done


def audit_event_list(*, action: str | None = None, limit: int = 200) -> QuerySet[AuditEvent]:
    """The latest audit events, newest first, optionally of one action."""
    queryset = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if action:
        queryset = queryset.filter(action=action)
    return queryset[:limit]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def teacher_data_collect(*, user: User) -> dict[str, Any]:
    """Everything Capacita holds about ``user`` (ARCO access), JSON-ready."""
    profile = teacher_profile_for(user=user)
    data: dict[str, Any] = {
        "format": "capacita-arco-export/1",
        "account": {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "is_active": user.is_active,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": None,
        "enrollments": [],
        "audit_events": [],
    }
    if profile is not None:
        school = profile.school
        data["profile"] = {
            "curp": profile.curp,
            "first_name": profile.first_name,
            "paternal_surname": profile.paternal_surname,
            "maternal_surname": profile.maternal_surname,
            "state": profile.state,
            "state_name": profile.get_state_display() if profile.state else "",
            "subsystem": profile.subsystem.code if profile.subsystem else None,
            "subsystem_name": profile.subsystem.name if profile.subsystem else None,
            "school": (
                {"cct": school.cct, "name": school.name, "state": school.state}
                if school is not None
                else None
            ),
            "position": profile.position,
            "created_at": _iso(profile.created_at),
            "updated_at": _iso(profile.updated_at),
            "cancelled_at": _iso(profile.cancelled_at),
        }
    data["enrollments"] = [
        {
            "id": enrollment.pk,
            "course": enrollment.course_id,
            "course_title": enrollment.course.title,
            "course_activity_id": enrollment.course.activity_id,
            "status": enrollment.status,
            "enrolled_at": _iso(enrollment.enrolled_at),
            "unenrolled_at": _iso(enrollment.unenrolled_at),
            "started_at": _iso(enrollment.started_at),
            "completed_at": _iso(enrollment.completed_at),
            "score": enrollment.score,
            "hours_completed": enrollment.hours_completed,
            "credentialed_at": _iso(enrollment.credentialed_at),
        }
        for enrollment in enrollment_list_for(user=user)
    ]
    identity = LearnerIdentity.objects.filter(user=user).first()
    data["xapi"] = {"actor": None, "statements": [], "documents": []}
    if identity is not None:
        actor = {
            "objectType": "Agent",
            "account": {"homePage": settings.LMS_SITE_URL, "name": identity.account_name},
        }
        ifi = agent_ifi(actor)
        data["xapi"]["actor"] = actor
        data["xapi"]["statements"] = [
            row.data
            for row in Statement.objects.filter(statements_by_actor_q(ifi or ""))
            .order_by("id")
            .only("data")
            .iterator()
        ]
        data["xapi"]["documents"] = [
            {
                "kind": document.kind,
                "activity": document.activity,
                "document_id": document.document_id,
                "content_type": document.content_type,
                "updated": _iso(document.updated),
                "content": bytes(document.content).decode("utf-8", errors="replace"),
            }
            for document in LRSDocument.objects.filter(agent_ifi=ifi).order_by("id")
        ]
    data["audit_events"] = [
        {
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "created_at": _iso(event.created_at),
            "details": event.details,
        }
        for event in AuditEvent.objects.filter(actor=user).order_by("created_at", "id")
    ]
    return data
