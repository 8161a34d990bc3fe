"""CSV import of schools and teacher rosters, in batches, upserting by CCT and by CURP.

Each row is validated on its own: bad rows are reported with their line number, field and rule;
valid rows are written with bulk queries (a few queries per batch, not per row). Re-importing
the same file changes nothing. Row values (CURPs, names) are never logged and never copied into
the error report, which says only which field broke which rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InputError
from learners.conf import setting
from learners.mexico import normalise_state
from learners.models import AuditEvent, ImportJob, School, Subsystem, TeacherProfile
from learners.validators import (
    cct_warnings,
    normalise_code,
    validate_cct,
    validate_curp,
    validate_school_in_state,
)

logger = logging.getLogger(__name__)
User = get_user_model()

# Accepted headers (accents, case and spaces ignored) -> field name.
SCHOOL_COLUMNS = {
    "cct": "cct",
    "clave": "cct",
    "nombre": "name",
    "name": "name",
    "entidad": "state",
    "estado": "state",
    "state": "state",
    "municipio": "municipality",
    "municipality": "municipality",
    "subsistema": "subsystem",
    "subsystem": "subsystem",
}
SCHOOL_REQUIRED = ("cct", "name", "state")
TEACHER_COLUMNS = {
    "curp": "curp",
    "nombre": "first_name",
    "nombres": "first_name",
    "first_name": "first_name",
    "primer_apellido": "paternal_surname",
    "apellido_paterno": "paternal_surname",
    "paternal_surname": "paternal_surname",
    "segundo_apellido": "maternal_surname",
    "apellido_materno": "maternal_surname",
    "maternal_surname": "maternal_surname",
    "correo": "email",
    "correo_electronico": "email",
    "email": "email",
    "entidad": "state",
    "estado": "state",
    "state": "state",
    "subsistema": "subsystem",
    "subsystem": "subsystem",
    "cct": "cct",
    "escuela": "cct",
    "school": "cct",
    "funcion": "position",
    "puesto": "position",
    "position": "position",
}
TEACHER_REQUIRED = ("curp", "first_name", "paternal_surname", "email", "state")


class ImportFileError(InputError):
    """The file as a whole cannot be read (empty, missing columns, gone), or the import was
    asked for with what does not exist (``enroll_course_id``)."""

    def __init__(self, message: str, *, field: str = "file", rule: str = "invalid") -> None:
        super().__init__(field, rule, message)


@dataclass
class RowIssue:
    line: int
    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "rule": self.rule, "message": self.message}


@dataclass
class ImportResult:
    """Counts and capped issue lists of one import run."""

    total_rows: int = 0
    processed_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0
    error_count: int = 0
    warning_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def error(self, issue: RowIssue) -> None:
        self.error_count += 1
        if len(self.errors) < setting("LMS_IMPORT_MAX_REPORTED"):
            self.errors.append(issue.as_dict())

    def warning(self, issue: RowIssue) -> None:
        self.warning_count += 1
        if len(self.warnings) < setting("LMS_IMPORT_MAX_REPORTED"):
            self.warnings.append(issue.as_dict())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").strip().casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "_".join(plain.replace("-", " ").split())


def decode_csv(raw: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 as Excel saves it."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_rows(
    text: str, *, columns: dict[str, str], required: tuple[str, ...]
) -> tuple[int, Iterator[tuple[int, dict[str, str]]]]:
    """Parse CSV text; return the number of data rows and an iterator of ``(line, row)``.

    The delimiter may be a comma, a semicolon or a tab. ``line`` is the file's line number
    where the row ends (the header is line 1). Raises :class:`ImportFileError` when required
    columns are missing.
    """
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("El archivo está vacío."), rule="empty") from None
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        target = columns.get(_fold(name))
        if target and target not in mapping.values():
            mapping[index] = target
    # Name missing columns as the CSV spells them (the first accepted header of each).
    headers = {target: header for header, target in reversed(list(columns.items()))}
    missing = [headers[name] for name in required if name not in mapping.values()]
    if missing:
        raise ImportFileError(
            _("Faltan columnas obligatorias: %(columns)s.") % {"columns": ", ".join(missing)},
            rule="missing_columns",
        )
    total = sum(1 for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)) - 1

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = {target: "" for target in mapping.values()}
            for index, target in mapping.items():
                if index < len(values):
                    row[target] = values[index].strip()
            yield reader.line_num, row

    return max(total, 0), rows()


def _batches(
    rows: Iterator[tuple[int, dict[str, str]]], size: int
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _SubsystemLookup:
    """Subsystems by code or name, case and accents ignored; loaded once per import."""

    def __init__(self) -> None:
        self.by_key: dict[str, Subsystem] = {}
        for subsystem in Subsystem.objects.all():
            self.by_key[_fold(subsystem.code)] = subsystem
            self.by_key.setdefault(_fold(subsystem.name), subsystem)

    def get(self, value: str) -> Subsystem | None:
        return self.by_key.get(_fold(value))


def _first_message(error: ValidationError) -> tuple[str, str]:
    return (error.code or "invalid"), str(error.messages[0])


def _assign_changes(instance: Any, values: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """Set ``values`` on ``instance``; True when something changed. Foreign keys are compared by
    id, so an unchanged row costs no query (reading ``school.subsystem`` would fetch it)."""
    changed = False
    for name in fields:
        value = values[name]
        field = instance._meta.get_field(name)
        if field.is_relation:
            current = getattr(instance, field.attname)
            new = value.pk if value is not None else None
        else:
            current, new = getattr(instance, name), value
        if current != new:
            setattr(instance, name, value)
            changed = True
    return changed


# --- Schools ----------------------------------------------------------------------------------


def import_schools(
    text: str, *, on_progress: Any = None, result: ImportResult | None = None
) -> ImportResult:
    """Upsert schools by CCT from CSV ``text``. Columns: cct, nombre, entidad, municipio,
    subsistema (code or name). Returns the counts and per-line issues."""
    result = result or ImportResult()
    total, rows = read_rows(text, columns=SCHOOL_COLUMNS, required=SCHOOL_REQUIRED)
    result.total_rows = total
    subsystems = _SubsystemLookup()
    seen: dict[str, int] = {}
    for batch in _batches(rows, setting("LMS_IMPORT_BATCH_SIZE")):
        valid: dict[str, dict[str, Any]] = {}
        for line, row in batch:
            values = _school_row(line, row, subsystems, seen, result)
            if values is not None:
                valid[values["cct"]] = values
        _write_schools(valid, result)
        result.processed_rows += len(batch)
        if on_progress:
            on_progress(result)
    return result


def _school_row(
    line: int,
    row: dict[str, str],
    subsystems: _SubsystemLookup,
    seen: dict[str, int],
    result: ImportResult,
) -> dict[str, Any] | None:
    issues: list[RowIssue] = []
    state = normalise_state(row.get("state", ""))
    if state is None:
        issues.append(
            RowIssue(line, "entidad", "state", _("Entidad desconocida: usa la clave INEGI 01-32."))
        )
    cct = ""
    try:
        cct = validate_cct(row.get("cct", ""), state=state)
    except ValidationError as error:
        rule, message = _first_message(error)
        issues.append(RowIssue(line, "cct", rule, message))
    name = row.get("name", "")
    if not name:
        issues.append(RowIssue(line, "nombre", "required", _("Falta el nombre de la escuela.")))
    subsystem = None
    if row.get("subsystem"):
        subsystem = subsystems.get(row["subsystem"])
        if subsystem is None:
            issues.append(RowIssue(line, "subsistema", "unknown", _("Subsistema desconocido.")))
    if cct and cct in seen:
        issues.append(
            RowIssue(
                line,
                "cct",
                "duplicate",
                _("CCT repetida en el archivo (línea %(line)s).") % {"line": seen[cct]},
            )
        )
    if issues:
        for issue in issues:
            result.error(issue)
        return None
    seen[cct] = line
    warnings = cct_warnings(cct)
    for message in warnings:
        result.warning(RowIssue(line, "cct", "cct_check_letter", message))
    return {
        "cct": cct,
        "name": name[:255],
        "state": state,
        "municipality": row.get("municipality", "")[:150],
        "subsystem": subsystem,
        "cct_check_letter_ok": not warnings,
    }


_SCHOOL_UPDATE_FIELDS = ("name", "state", "municipality", "subsystem", "cct_check_letter_ok")


def _write_schools(valid: dict[str, dict[str, Any]], result: ImportResult) -> None:
    if not valid:
        return
    with transaction.atomic():
        existing = School.objects.in_bulk(list(valid), field_name="cct")
        to_create, to_update = [], []
        now = timezone.now()
        for cct, values in valid.items():
            school = existing.get(cct)
            if school is None:
                to_create.append(School(**values))
                continue
            if _assign_changes(school, values, _SCHOOL_UPDATE_FIELDS):
                school.updated_at = now
                to_update.append(school)
            else:
                result.unchanged += 1
        School.objects.bulk_create(to_create)
        School.objects.bulk_update(to_update, [*_SCHOOL_UPDATE_FIELDS, "updated_at"])
    result.created += len(to_create)
    result.updated += len(to_update)


# --- Teachers ---------------------------------------------------------------------------------

_POSITIONS = {_fold(value): value for value in TeacherProfile.Position.values} | {
    _fold(str(label)): value for value, label in TeacherProfile.Position.choices
}


def import_teachers(
    text: str,
    *,
    enroll_course_id: int | None = None,
    on_progress: Any = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Upsert teachers by CURP from CSV ``text`` (see docs/learners.md for the columns).

    New teachers get an active account with no password (they set one through "forgot my
    password"); with ``enroll_course_id`` every valid teacher is also enrolled in that course,
    prerequisites enforced (a teacher who lacks them is reported on their line).
    """
    result = result or ImportResult()
    if enroll_course_id is not None:
        from courses.selectors import live_courses

        if not live_courses().filter(pk=enroll_course_id).exists():
            raise ImportFileError(
                _("No existe un curso publicado con id %(id)s.") % {"id": enroll_course_id},
                field="enroll_course_id",
                rule="does_not_exist",
            )
    total, rows = read_rows(text, columns=TEACHER_COLUMNS, required=TEACHER_REQUIRED)
    result.total_rows = total
    subsystems = _SubsystemLookup()
    seen_curp: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    schools: dict[str, School] = {}
    for batch in _batches(rows, setting("LMS_IMPORT_BATCH_SIZE")):
        # Rosters repeat the same schools: fetch each CCT once per import, not once per batch.
        missing = {
            cct
            for _line, row in batch
            if row.get("cct") and (cct := normalise_code(row["cct"])) not in schools
        }
        if missing:
            schools.update(
                School.objects.only("id", "cct").in_bulk(list(missing), field_name="cct")
            )
        valid: list[dict[str, Any]] = []
        for line, row in batch:
            values = _teacher_row(line, row, subsystems, schools, seen_curp, seen_email, result)
            if values is not None:
                valid.append(values)
        user_ids = _write_teachers(valid, result)
        if enroll_course_id is not None and user_ids:
            _enroll_batch(user_ids, enroll_course_id, result)
        result.processed_rows += len(batch)
        if on_progress:
            on_progress(result)
    return result


def _teacher_row(
    line: int,
    row: dict[str, str],
    subsystems: _SubsystemLookup,
    schools: dict[str, School],
    seen_curp: dict[str, int],
    seen_email: dict[str, int],
    result: ImportResult,
) -> dict[str, Any] | None:
    issues: list[RowIssue] = []
    curp = ""
    try:
        curp = validate_curp(row.get("curp", ""))
    except ValidationError as error:
        rule, message = _first_message(error)
        issues.append(RowIssue(line, "curp", rule, message))
    for name, column in (("first_name", "nombre"), ("paternal_surname", "primer_apellido")):
        if not row.get(name):
            issues.append(RowIssue(line, column, "required", _("Este campo es obligatorio.")))
    email = User.objects.normalize_email(row.get("email", "")).lower()
    try:
        validate_email(email)
    except ValidationError:
        issues.append(RowIssue(line, "correo", "email", _("Correo electrónico no válido.")))
        email = ""
    state = normalise_state(row.get("state", ""))
    if state is None:
        issues.append(
            RowIssue(line, "entidad", "state", _("Entidad desconocida: usa la clave INEGI 01-32."))
        )
    subsystem = None
    if row.get("subsystem"):
        subsystem = subsystems.get(row["subsystem"])
        if subsystem is None:
            issues.append(RowIssue(line, "subsistema", "unknown", _("Subsistema desconocido.")))
    school = None
    if row.get("cct"):
        cct = normalise_code(row["cct"])
        school = schools.get(cct)
        if school is None:
            issues.append(
                RowIssue(line, "cct", "unknown", _("La CCT no está en el registro de escuelas."))
            )
        elif state is not None:
            try:
                validate_school_in_state(cct=school.cct, school_state=school.state, state=state)
            except ValidationError as error:
                issues.append(
                    RowIssue(line, "cct", error.code or "school_state", error.messages[0])
                )
    position = TeacherProfile.Position.TEACHER.value
    if row.get("position"):
        position = _POSITIONS.get(_fold(row["position"]), "")
        if not position:
            issues.append(
                RowIssue(
                    line,
                    "funcion",
                    "invalid_choice",
                    _("Función desconocida: docente, directivo, coordinador u otro."),
                )
            )
    if curp and curp in seen_curp:
        issues.append(
            RowIssue(
                line,
                "curp",
                "duplicate",
                _("CURP repetida en el archivo (línea %(line)s).") % {"line": seen_curp[curp]},
            )
        )
    if email and email in seen_email:
        issues.append(
            RowIssue(
                line,
                "correo",
                "duplicate",
                _("Correo repetido en el archivo (línea %(line)s).") % {"line": seen_email[email]},
            )
        )
    if issues:
        for issue in issues:
            result.error(issue)
        return None
    seen_curp[curp] = line
    seen_email[email] = line
    return {
        "line": line,
        "email": email,
        "profile": {
            "curp": curp,
            "first_name": row["first_name"][:150],
            "paternal_surname": row["paternal_surname"][:150],
            "maternal_surname": row.get("maternal_surname", "")[:150],
            "state": state,
            "subsystem": subsystem,
            "school": school,
            "position": position,
        },
    }


_PROFILE_UPDATE_FIELDS = (
    "first_name",
    "paternal_surname",
    "maternal_surname",
    "state",
    "subsystem",
    "school",
    "position",
)


def _write_teachers(valid: list[dict[str, Any]], result: ImportResult) -> list[tuple[int, int]]:
    """Upsert one batch; returns ``(line, user_id)`` of every valid teacher."""
    if not valid:
        return []
    written: list[tuple[int, int]] = []
    with transaction.atomic():
        curps = [item["profile"]["curp"] for item in valid]
        profiles = {
            profile.curp: profile
            for profile in TeacherProfile.objects.select_related("user")
            .filter(curp__in=curps)
            .only("id", "curp", "user_id", *_PROFILE_UPDATE_FIELDS, "user__email", "user__username")
        }
        # Only addresses that are not already their own teacher's can belong to someone else.
        emails = [
            item["email"]
            for item in valid
            if (profile := profiles.get(item["profile"]["curp"])) is None
            or profile.user.email != item["email"]
        ]
        owners: dict[str, Any] = {}
        if emails:
            for user in User.objects.filter(Q(email__in=emails) | Q(username__in=emails)).only(
                "id", "email", "username"
            ):
                owners[user.username.lower()] = user
                if user.email:
                    owners[user.email.lower()] = user
        new_items: list[dict[str, Any]] = []
        profiles_to_update: list[TeacherProfile] = []
        users_to_update: list[Any] = []
        now = timezone.now()
        for item in valid:
            values = item["profile"]
            profile = profiles.get(values["curp"])
            owner = owners.get(item["email"])
            if profile is not None:
                if owner is not None and owner.pk != profile.user_id:
                    result.error(_email_taken(item["line"]))
                    continue
                changed = _assign_changes(profile, values, _PROFILE_UPDATE_FIELDS)
                user = profile.user
                if user.email != item["email"]:
                    if user.username.lower() == (user.email or "").lower():
                        user.username = item["email"]
                    user.email = item["email"]
                    users_to_update.append(user)
                    changed = True
                if changed:
                    profile.updated_at = now
                    profiles_to_update.append(profile)
                    result.updated += 1
                else:
                    result.unchanged += 1
                written.append((item["line"], profile.user_id))
            elif owner is not None:
                # The address belongs to an account with another CURP (or a staff account):
                # one account per person, so this row needs a human decision.
                result.error(_email_taken(item["line"]))
            else:
                new_items.append(item)
        unusable = make_password(None)
        new_users = [
            User(username=item["email"], email=item["email"], password=unusable, is_active=True)
            for item in new_items
        ]
        User.objects.bulk_create(new_users)
        TeacherProfile.objects.bulk_create(
            [
                TeacherProfile(user=user, **item["profile"])
                for user, item in zip(new_users, new_items, strict=True)
            ]
        )
        TeacherProfile.objects.bulk_update(
            profiles_to_update, [*_PROFILE_UPDATE_FIELDS, "updated_at"]
        )
        User.objects.bulk_update(users_to_update, ["email", "username"])
        result.created += len(new_users)
        written.extend(
            (item["line"], user.pk) for user, item in zip(new_users, new_items, strict=True)
        )
    return written


def _email_taken(line: int) -> RowIssue:
    return RowIssue(
        line, "correo", "unique", _("El correo ya pertenece a otra cuenta (otra CURP).")
    )


def _enroll_batch(user_ids: list[tuple[int, int]], course_id: int, result: ImportResult) -> None:
    from learners.services import enrollment_bulk_create

    outcome = enrollment_bulk_create(user_ids=[uid for _line, uid in user_ids], course_id=course_id)
    result.enrolled += outcome.created + outcome.reactivated
    for line, user_id in user_ids:
        if user_id in outcome.refused:
            rule, message = outcome.refused[user_id]
            result.error(RowIssue(line, "inscripcion", rule, message))


# --- Jobs -------------------------------------------------------------------------------------


def import_job_run(*, job_id: int) -> ImportJob:
    """Run an import job from its stored file (idempotent: a re-run upserts the same rows).

    Progress counts are saved after every batch so the admin page can show them.
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), failure=""
    )

    def on_progress(result: ImportResult) -> None:
        ImportJob.objects.filter(pk=job.pk).update(**_job_counts(result))

    result = ImportResult()
    try:
        text = decode_csv(_read_roster(job))
        if job.kind == ImportJob.Kind.SCHOOLS:
            import_schools(text, on_progress=on_progress, result=result)
        else:
            import_teachers(
                text,
                enroll_course_id=job.enroll_course_id,
                on_progress=on_progress,
                result=result,
            )
    except ImportFileError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), failure=str(error)
        )
        job.refresh_from_db()
        _discard_if_not_retained(job)
        return job
    except Exception as error:
        # Batches already written stay (re-running the job upserts them again). Only the error's
        # class is kept and logged: database messages may quote row values such as a CURP.
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            failure=_("Error inesperado (%(kind)s); vuelve a importar el archivo.")
            % {"kind": type(error).__name__},
            **_job_counts(result),
        )
        logger.error("import job %s failed: %s", job.pk, type(error).__name__)
        job.refresh_from_db()
        _discard_if_not_retained(job)
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now(), **_job_counts(result)
    )
    job.refresh_from_db()
    AuditEvent.objects.create(
        actor=job.created_by,
        action=(
            AuditEvent.Action.IMPORT_SCHOOLS
            if job.kind == ImportJob.Kind.SCHOOLS
            else AuditEvent.Action.IMPORT_TEACHERS
        ),
        target_type="import_job",
        target_id=str(job.pk),
        details={
            "rows": result.total_rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.error_count,
            "warnings": result.warning_count,
            "enrolled": result.enrolled,
        },
    )
    logger.info(
        "import job %s done: %s rows, %s created, %s updated, %s errors",
        job.pk,
        result.total_rows,
        result.created,
        result.updated,
        result.error_count,
    )
    _discard_if_not_retained(job)
    return job


def _job_counts(result: ImportResult) -> dict[str, Any]:
    return {
        "total_rows": result.total_rows,
        "processed_rows": result.processed_rows,
        "created_count": result.created,
        "updated_count": result.updated,
        "unchanged_count": result.unchanged,
        "error_count": result.error_count,
        "warning_count": result.warning_count,
        "enrolled_count": result.enrolled,
        "errors": result.errors,
        "warnings": result.warnings,
    }


# --- Roster files: personal data, kept no longer than the import needs -------------------------


def _read_roster(job: ImportJob) -> bytes:
    if not job.file:
        raise ImportFileError(
            _("El archivo de esta importación ya no existe (fue borrado); vuelve a subirlo."),
            rule="gone",
        )
    try:
        with job.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ImportFileError(
            _("El archivo de esta importación ya no existe (fue borrado); vuelve a subirlo."),
            rule="gone",
        ) from None


def _retention() -> dt.timedelta:
    return dt.timedelta(hours=max(0.0, float(setting("LMS_IMPORT_FILE_RETENTION_HOURS"))))


def import_file_delete(*, job: ImportJob) -> bool:
    """Delete the uploaded file of ``job`` from the storage; the job and its counts stay.

    Returns whether there was a file. The storage goes first: if it fails, the row still names
    the file and the next purge tries again (a row naming a missing file is harmless).
    """
    name = job.file.name if job.file else ""
    if not name:
        return False
    default_storage.delete(name)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    job.file.name = ""
    logger.info("import job %s: uploaded file deleted", job.pk)
    return True


def _discard_if_not_retained(job: ImportJob) -> None:
    if not _retention():
        import_file_delete(job=job)


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of imports finished more than ``LMS_IMPORT_FILE_RETENTION_HOURS`` ago.

    Pending and running imports keep theirs (the worker still needs it). Idempotent; run by
    Celery beat (``learners-import-files-purge``). Returns how many files were deleted.
    """
    limit = (now or timezone.now()) - _retention()
    finished = ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED], finished_at__lte=limit
    ).exclude(file="")
    return sum(import_file_delete(job=job) for job in finished.only("pk", "file"))


def import_files_delete_naming(*, curp: str | None, email: str | None) -> int:
    """Delete every stored teacher roster that names this person (ARCO cancellation).

    A roster names her when her CURP or her e-mail address appears in it, in any column, case
    or encoding; a roster that names her only in a refused row counts too. Erring towards
    deleting a roster is harmless: its import is finished or fails asking for a new upload.
    Returns how many files were deleted.
    """
    needles = [value.strip().casefold() for value in (curp, email) if value and value.strip()]
    if not needles:
        return 0
    deleted = 0
    for job in ImportJob.objects.filter(kind=ImportJob.Kind.TEACHERS).exclude(file=""):
        try:
            text = decode_csv(_read_roster(job)).casefold()
        except ImportFileError:
            continue
        if any(needle in text for needle in needles):
            deleted += import_file_delete(job=job)
    return deleted
