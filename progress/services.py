"""Writes of the progress app. Keyword-only, typed, atomic where several rows change."""

from __future__ import annotations

import copy
import logging
import os
import secrets
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from progress.mexico import STATES_BY_INEGI
from progress.models import AuditEvent, ImportJob, School, Subsystem, TeacherProfile
from progress.validators import cct_warnings, validate_cct, validate_curp, validate_state
from progress.xapi.auth import lms_authority
from progress.xapi.services import StoreContext, statements_store_checked
from progress.xapi.validation import validate_statements


def statements_store(*, statements: list[dict], authority: dict | None = None) -> list[uuid.UUID]:
    """Store statements without HTTP, with the same rules as the LRS endpoint.

    Validated and atomic: raises ``XAPIValidationError`` (a rule broken, with its path) or
    ``XAPIError`` (409 conflict, voiding a voiding statement) and stores nothing in that case.
    ``authority`` defaults to Capacita's own agent. Sends ``statements_stored`` inside the
    transaction like the endpoint does. Returns the statement ids in order.
    """
    statements = copy.deepcopy(statements)
    validate_statements(statements)
    ctx = StoreContext(authority=authority or lms_authority())
    return [uuid.UUID(sid) for sid in statements_store_checked(statements, ctx)]


logger = logging.getLogger(__name__)
User = get_user_model()

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
    actor: AbstractBaseUser | None = None,
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
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_email_free(email: str, *, user: AbstractBaseUser | None = None) -> str:
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": [error]}) from None
    taken = User.objects.filter(email__iexact=email) | User.objects.filter(username__iexact=email)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError(
            {"email": [ValidationError(_("Ya existe una cuenta con este correo."), code="unique")]}
        )
    return email


@transaction.atomic
def teacher_profile_create(*, user: AbstractBaseUser, **fields: Any) -> TeacherProfile:
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
def teacher_account_create(*, email: str, password: str, **fields: Any) -> AbstractBaseUser:
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
    user = User.objects.create_user(username=email, email=email, password=password)
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
def teacher_account_activate(*, user: AbstractBaseUser) -> AbstractBaseUser:
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


def teacher_data_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything held about ``user`` as JSON-ready data (ARCO access right); audited."""
    from progress.selectors import teacher_data_collect

    data = teacher_data_collect(user=user)
    audit_event_record(
        action=AuditEvent.Action.ARCO_EXPORT, actor=user, target_type="user", target_id=user.pk
    )
    return data


@transaction.atomic
def teacher_account_cancel(*, user: AbstractBaseUser) -> None:
    """Erase a teacher's personal data (ARCO cancellation); keep the pseudonymous record.

    CURP, names, e-mail and password go; the username becomes an opaque one; API tokens and
    sessions stop working; the account is deactivated. Enrolments and xAPI statements, which
    only know the user id and the opaque xAPI account name, stay for statistics. Audited.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    profile = TeacherProfile.objects.filter(user=user).first()
    now = timezone.now()
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
    audit_event_record(
        action=AuditEvent.Action.ARCO_CANCEL,
        actor=user,
        target_type="user",
        target_id=user.pk,
        details={"profile": profile is not None},
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
    created_by: AbstractBaseUser | None = None,
    enroll_course_id: int | None = None,
    background: bool = True,
) -> ImportJob:
    """Store an uploaded CSV in the default storage (S3 in production) and queue its import.

    With ``background`` the Celery task ``progress.tasks.import_job_run_task`` runs it after
    commit (eagerly in process when no broker is configured); otherwise it runs here and now.
    """
    from progress.imports import import_job_run

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
            from progress.tasks import import_job_run_task

            transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    if not background:
        job = import_job_run(job_id=job.pk)
    return job
