"""Writes of the progress app. Keyword-only, typed, atomic where several rows change."""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from learners.mexico import STATES_BY_INEGI
from learners.models import AuditEvent, Enrollment, ImportJob, School, Subsystem, TeacherProfile
from learners.selectors import missing_prerequisite_keys
from learners.signals import enrollment_changed, enrollments_created, teacher_account_cancelled
from learners.validators import (
    cct_warnings,
    validate_cct,
    validate_curp,
    validate_school_in_state,
    validate_state,
)
from lrs.models import LearnerIdentity

if TYPE_CHECKING:
    from django.contrib.auth.models import User


logger = logging.getLogger(__name__)
UserModel = get_user_model()

PROFILE_FIELDS = (
    "curp",
    "first_name",
    "paternal_surname",
    "maternal_surname",
    "state",
    "subsystem",
    "school",
    "position",
)


# --- Audit ------------------------------------------------------------------------------------


def audit_event_record(
    *,
    action: str,
    actor: User | None = None,
    target_type: str = "",
    target_id: str | int = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did ``action`` to which record. Never pass personal data in ``details``."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        target_type=target_type,
        target_id=str(target_id),
        details=details or {},
    )


# --- Schools ----------------------------------------------------------------------------------


def school_upsert(
    *,
    cct: str,
    name: str,
    state: str,
    municipality: str = "",
    subsystem: Subsystem | None = None,
) -> tuple[School, bool, list[str]]:
    """Create or update the school with this CCT; returns ``(school, created, warnings)``.

    Raises ``ValidationError`` keyed by field when the CCT is malformed (``cct_format``), its
    state prefix differs from ``state`` (``cct_state``), or ``state``/``name`` are invalid. A
    check letter that does not match only produces a warning (the rule is unofficial).
    """
    errors: dict[str, list[ValidationError]] = {}
    try:
        validate_state(state)
    except ValidationError as error:
        errors["state"] = [error]
    try:
        cct = validate_cct(cct, state=state if "state" not in errors else None)
    except ValidationError as error:
        errors["cct"] = [error]
    name = (name or "").strip()
    if not name:
        errors["name"] = [ValidationError(_("Falta el nombre de la escuela."), code="required")]
    if errors:
        raise ValidationError(errors)
    warnings = cct_warnings(cct)
    school, created = School.objects.update_or_create(
        cct=cct,
        defaults={
            "name": name[:255],
            "state": state,
            "municipality": (municipality or "").strip()[:150],
            "subsystem": subsystem,
            "cct_check_letter_ok": not warnings,
        },
    )
    return school, created, warnings


# --- Teacher profiles and accounts ------------------------------------------------------------


def _clean_profile_fields(
    fields: dict[str, Any], *, instance: TeacherProfile | None = None
) -> dict[str, Any]:
    """Validate profile fields; raise one ``ValidationError`` keyed by every bad field."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned = dict(fields)
    if "curp" in fields:
        try:
            cleaned["curp"] = validate_curp(fields["curp"])
        except ValidationError as error:
            errors["curp"] = [error]
        else:
            taken = TeacherProfile.objects.filter(curp=cleaned["curp"])
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors["curp"] = [
                    ValidationError(
                        _(
                            "Ya existe una cuenta con esta CURP. Si es tuya, recupera el acceso "
                            "con «Olvidé mi contraseña»."
                        ),
                        code="unique",
                    )
                ]
    for name in ("first_name", "paternal_surname"):
        if name in fields:
            cleaned[name] = (fields[name] or "").strip()
            if not cleaned[name]:
                errors[name] = [ValidationError(_("Este campo es obligatorio."), code="required")]
    if "maternal_surname" in fields:
        cleaned["maternal_surname"] = (fields["maternal_surname"] or "").strip()
    if "state" in fields:
        try:
            validate_state(fields["state"])
        except ValidationError as error:
            errors["state"] = [error]
    if "position" in fields and fields["position"] not in TeacherProfile.Position.values:
        errors["position"] = [ValidationError(_("Función desconocida."), code="invalid_choice")]
    if "state" not in errors and ("state" in fields or "school" in fields):
        # Whoever writes the profile (forms, imports, the demo, scripts), the school she names
        # must be in the state she works in; an update checks what it leaves in place too.
        state = fields["state"] if "state" in fields else getattr(instance, "state", "")
        school = fields["school"] if "school" in fields else getattr(instance, "school", None)
        if school is not None and state:
            try:
                validate_school_in_state(cct=school.cct, school_state=school.state, state=state)
            except ValidationError as error:
                errors["school"] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_email_free(email: str, *, user: User | None = None) -> str:
    email = UserModel.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": [error]}) from None
    taken = UserModel.objects.filter(email__iexact=email) | UserModel.objects.filter(
        username__iexact=email
    )
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError(
            {"email": [ValidationError(_("Ya existe una cuenta con este correo."), code="unique")]}
        )
    return email


@transaction.atomic
def teacher_profile_create(*, user: User, **fields: Any) -> TeacherProfile:
    """Attach a teacher profile to ``user``. ``fields`` are those of :data:`PROFILE_FIELDS`.

    One account per CURP: a CURP already on another profile raises ``ValidationError``
    (``curp``/``unique``); other bad fields raise with their rule code.
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    required = {"curp": "", "first_name": "", "paternal_surname": "", "state": ""}
    cleaned = _clean_profile_fields({**required, **fields})
    return TeacherProfile.objects.create(user=user, **cleaned)


@transaction.atomic
def teacher_profile_update(
    *, profile: TeacherProfile, email: str | None = None, **fields: Any
) -> TeacherProfile:
    """Change a teacher's profile (and e-mail, which is also the username when it was one)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    if profile.is_cancelled:
        raise ValidationError(_("Esta cuenta fue cancelada."), code="cancelled")
    cleaned = _clean_profile_fields(fields, instance=profile)
    user = profile.user
    if email is not None:
        email = _check_email_free(email, user=user)
        if email != user.email:
            if user.username.lower() == (user.email or "").lower():
                user.username = email
            user.email = email
            user.save(update_fields=["email", "username"])
    for name, value in cleaned.items():
        setattr(profile, name, value)
    profile.save()
    return profile


@transaction.atomic
def teacher_account_create(*, email: str, password: str, **fields: Any) -> User:
    """Sign a teacher up: an inactive user (username = e-mail) with a profile.

    The account becomes active through :func:`teacher_account_activate` once the e-mail address
    is confirmed. Raises ``ValidationError`` keyed by field.
    """
    errors: dict[str, list[ValidationError]] = {}
    try:
        email = _check_email_free(email)
    except ValidationError as error:
        errors.update(error.error_dict)
    try:
        _clean_profile_fields(
            {"curp": "", "first_name": "", "paternal_surname": "", "state": "", **fields}
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    user = UserModel.objects.create_user(username=email, email=email, password=password)
    user.is_active = False
    user.save(update_fields=["is_active"])
    profile = teacher_profile_create(user=user, **fields)
    audit_event_record(
        action=AuditEvent.Action.ACCOUNT_SIGNUP,
        actor=user,
        target_type="teacher_profile",
        target_id=profile.pk,
    )
    return user


@transaction.atomic
def teacher_account_activate(*, user: User) -> User:
    """Activate an account whose e-mail address was confirmed (idempotent)."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_event_record(
            action=AuditEvent.Action.ACCOUNT_CONFIRM,
            actor=user,
            target_type="user",
            target_id=user.pk,
        )
    return user


# --- ARCO: access (export) and cancellation --------------------------------------------------


def teacher_data_export(*, user: User) -> dict[str, Any]:
    """Everything held about ``user`` as JSON-ready data (ARCO access right); audited."""
    from learners.selectors import teacher_data_collect

    data = teacher_data_collect(user=user)
    audit_event_record(
        action=AuditEvent.Action.ARCO_EXPORT, actor=user, target_type="user", target_id=user.pk
    )
    return data


@transaction.atomic
def teacher_account_cancel(*, user: User) -> None:
    """Erase a teacher's personal data (ARCO cancellation); keep the pseudonymous record.

    CURP, names, e-mail and password go; the username becomes an opaque one; API tokens and
    sessions stop working; the account is deactivated; uploaded rosters naming her are deleted.
    Enrolments and xAPI statements, which only know the user id and the opaque xAPI account
    name, stay for statistics. Apps above erase their own data through
    ``signals.teacher_account_cancelled`` (see ``account_cancel_notices`` for what the teacher
    is told first). Audited.
    """
    from learners.imports import import_files_delete_naming

    user = UserModel.objects.select_for_update().get(pk=user.pk)
    profile = TeacherProfile.objects.filter(user=user).first()
    now = timezone.now()
    # Uploaded rosters still kept (see LMS_IMPORT_FILE_RETENTION_HOURS) that name her go too.
    rosters = import_files_delete_naming(
        curp=profile.curp if profile is not None else None, email=user.email
    )
    user.username = f"cancelado-{secrets.token_hex(8)}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.save()
    if profile is not None:
        profile.curp = None
        profile.first_name = ""
        profile.paternal_surname = ""
        profile.maternal_surname = ""
        profile.cancelled_at = profile.cancelled_at or now
        # State, subsystem, school and position stay: they are the aggregate dimensions of the
        # SEP reports and do not identify a person on their own.
        profile.save()
    # Sessions die with the password: Django checks the session's password hash on each request.
    Token.objects.filter(user=user).delete()
    # Higher apps erase what they hold about her (credentials: the recipient check) atomically.
    teacher_account_cancelled.send(sender=UserModel, user_id=user.pk)
    audit_event_record(
        action=AuditEvent.Action.ARCO_CANCEL,
        actor=user,
        target_type="user",
        target_id=user.pk,
        details={"profile": profile is not None, "rosters_deleted": rosters},
    )
    logger.info("ARCO cancellation done for user %s", user.pk)


def state_name(code: str) -> str:
    """The name of the state with INEGI ``code`` (empty when unknown)."""
    state = STATES_BY_INEGI.get(code)
    return state.name if state else ""


# --- CSV imports ------------------------------------------------------------------------------


def import_job_create(
    *,
    kind: str,
    file: File,
    created_by: User | None = None,
    enroll_course_id: int | None = None,
    background: bool = True,
) -> ImportJob:
    """Store an uploaded CSV in the default storage (S3 in production) and queue its import.

    With ``background`` the Celery task ``learners.tasks.import_job_run_task`` runs it after
    commit (eagerly in process when no broker is configured); otherwise it runs here and now.
    """
    from learners.imports import import_job_run

    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": [ValidationError(_("Tipo desconocido."), code="invalid")]})
    name = os.path.basename(getattr(file, "name", "") or "import.csv")
    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            original_name=name[:255],
            created_by=created_by if created_by is not None and created_by.pk else None,
            enroll_course_id=enroll_course_id,
        )
        job.file.save(f"{kind}-{uuid.uuid4().hex}.csv", file, save=False)
        job.save()
        if background:
            from learners.tasks import import_job_run_task

            transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    if not background:
        job = import_job_run(job_id=job.pk)
    return job


# --- Enrolments -------------------------------------------------------------------------------


def _course_error(message: str, code: str) -> ValidationError:
    return ValidationError({"course": [ValidationError(message, code=code)]})


def _live_course(course_id: int) -> Any:
    from courses.selectors import live_courses

    course = live_courses().filter(pk=course_id).first() if isinstance(course_id, int) else None
    if course is None:
        raise _course_error(_("No existe un curso publicado con ese id."), "does_not_exist")
    return course


def _prerequisite_keys(course: Any) -> set[Any]:
    # Prerequisites are matched by translation key: finishing the Spanish course satisfies a
    # prerequisite that points at its English translation, and the other way round.
    return set(course.prerequisites.values_list("translation_key", flat=True))


def _users_missing_prerequisites(*, user_ids: list[int], course: Any) -> set[int]:
    required = _prerequisite_keys(course)
    if not required:
        return set()
    done: dict[int, set[Any]] = {}
    for user_id, key in Enrollment.objects.filter(
        user_id__in=user_ids,
        course__translation_key__in=required,
        completed_at__isnull=False,
    ).values_list("user_id", "course__translation_key"):
        done.setdefault(user_id, set()).add(key)
    return {user_id for user_id in user_ids if not required <= done.get(user_id, set())}


def _prerequisites_message(course: Any, *, missing_keys: set[Any] | None = None) -> str:
    prerequisites = course.prerequisites.order_by("title")
    if missing_keys is not None:
        # Name only what this learner still has to finish, not what they already did.
        prerequisites = prerequisites.filter(translation_key__in=missing_keys)
    titles = ", ".join(prerequisites.values_list("title", flat=True))
    return _("Antes debes concluir: %(titles)s.") % {"titles": titles}


@transaction.atomic
def enrollment_create(*, user: User, course_id: int) -> Enrollment:
    """Enrol ``user`` in the live course ``course_id``; returns the active enrolment.

    Raises ``ValidationError`` on ``course`` with rule ``does_not_exist`` (no such live course),
    ``prerequisites`` (a prerequisite course not completed) or ``already_enrolled``. Enrolling
    again after unenrolling reactivates the old enrolment, with its progress.
    """
    course = _live_course(course_id)
    existing = (
        Enrollment.objects.select_for_update()
        .filter(user=user, course=course)
        .order_by("-enrolled_at", "-id")
        .first()
    )
    if existing is not None and existing.is_active:
        raise _course_error(_("Ya estás inscrito en este curso."), "already_enrolled")
    if _users_missing_prerequisites(user_ids=[user.pk], course=course):
        missing = missing_prerequisite_keys(user=user, course=course)
        raise _course_error(_prerequisites_message(course, missing_keys=missing), "prerequisites")
    if existing is not None:
        existing.status = Enrollment.Status.ACTIVE
        existing.unenrolled_at = None
        existing.save(update_fields=["status", "unenrolled_at"])
        return existing
    try:
        with transaction.atomic():
            return Enrollment.objects.create(user=user, course=course)
    except IntegrityError:
        # A concurrent request enrolled the same learner first (the partial unique constraint).
        raise _course_error(_("Ya estás inscrito en este curso."), "already_enrolled") from None


@transaction.atomic
def enrollment_cancel(*, enrollment: Enrollment) -> Enrollment:
    """Unenrol (idempotent). The row and its progress stay, marked ``unenrolled``."""
    if enrollment.is_active:
        enrollment.status = Enrollment.Status.UNENROLLED
        enrollment.unenrolled_at = timezone.now()
        enrollment.save(update_fields=["status", "unenrolled_at"])
    return enrollment


def enrollment_mark_credentialed(*, enrollment_id: int, credentialed_at: Any) -> None:
    """Record that an enrolment earned its credential (called by the credentials app).

    Idempotent: the first date is kept. An unknown id is ignored (the enrolment may have been
    removed with its user).
    """
    updated = Enrollment.objects.filter(pk=enrollment_id, credentialed_at__isnull=True).update(
        credentialed_at=credentialed_at
    )
    if updated:
        enrollment_changed.send(sender=Enrollment, enrollment_id=enrollment_id)


def enrollment_clear_credentialed(*, enrollment_id: int) -> None:
    """The enrolment's credential was revoked (called by the credentials app): it no longer
    counts as credentialed in reports. An unknown id is ignored."""
    updated = Enrollment.objects.filter(pk=enrollment_id, credentialed_at__isnull=False).update(
        credentialed_at=None
    )
    if updated:
        enrollment_changed.send(sender=Enrollment, enrollment_id=enrollment_id)


@dataclass
class BulkEnrollmentResult:
    """Outcome of :func:`enrollment_bulk_create`."""

    created: int = 0
    reactivated: int = 0
    already: int = 0
    refused: dict[int, tuple[str, str]] = field(default_factory=dict)


@transaction.atomic
def enrollment_bulk_create(*, user_ids: list[int], course_id: int) -> BulkEnrollmentResult:
    """Enrol many users in one course (a roster), with a few queries whatever their number.

    Prerequisites are enforced per user: those missing one are returned in ``refused`` as
    ``{user_id: ("prerequisites", message)}`` and not enrolled. Already active enrolments are
    left alone; unenrolled ones are reactivated. Raises ``ValidationError`` on ``course`` when
    there is no such live course. Learners who already have an xAPI identity are saved one by
    one (``post_save``); the others are inserted in bulk and announced by
    ``enrollments_created`` on commit.
    """
    course = _live_course(course_id)
    result = BulkEnrollmentResult()
    user_ids = list(dict.fromkeys(user_ids))
    missing = _users_missing_prerequisites(user_ids=user_ids, course=course)
    if missing:
        message = _prerequisites_message(course)
        result.refused = {user_id: ("prerequisites", message) for user_id in missing}
    candidates = [user_id for user_id in user_ids if user_id not in missing]
    latest: dict[int, Enrollment] = {}
    for enrollment in Enrollment.objects.filter(user_id__in=candidates, course=course).order_by(
        "enrolled_at", "id"
    ):
        latest[enrollment.user_id] = enrollment
    to_create: list[Enrollment] = []
    to_reactivate: list[Enrollment] = []
    for user_id in candidates:
        current = latest.get(user_id)
        if current is None:
            to_create.append(Enrollment(user_id=user_id, course=course))
        elif current.is_active:
            result.already += 1
        else:
            current.status = Enrollment.Status.ACTIVE
            current.unenrolled_at = None
            to_reactivate.append(current)
    # A learner with an xAPI identity may already have statements for this course (sent before
    # the enrolment): save those one by one so ``post_save`` receivers (the progress engine)
    # bring the new enrolment up to date. Everyone else, typically a whole new roster, is
    # inserted in bulk.
    with_identity = set(
        LearnerIdentity.objects.filter(
            user_id__in=[enrollment.user_id for enrollment in to_create]
        ).values_list("user_id", flat=True)
    )
    for enrollment in to_create:
        if enrollment.user_id in with_identity:
            enrollment.save()
    Enrollment.objects.bulk_create(
        [enrollment for enrollment in to_create if enrollment.user_id not in with_identity]
    )
    Enrollment.objects.bulk_update(to_reactivate, ["status", "unenrolled_at"])
    result.created = len(to_create)
    result.reactivated = len(to_reactivate)
    created_ids = [
        enrollment.pk for enrollment in to_create if enrollment.user_id not in with_identity
    ]
    if created_ids:
        transaction.on_commit(
            lambda: enrollments_created.send(
                sender=Enrollment, enrollment_ids=created_ids, course_id=course.pk
            )
        )
    return result
