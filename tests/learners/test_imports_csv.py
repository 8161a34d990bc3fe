"""CSV import of schools and teacher rosters: per-line errors, upserts, idempotent re-import."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from learners.imports import ImportFileError, import_schools, import_teachers
from learners.models import AuditEvent, ImportJob, School, TeacherProfile
from learners.services import import_job_create
from tests.learners.learners_factories import (
    DOMAIN_CURPS,
    SchoolFactory,
    TeacherProfileFactory,
    UserFactory,
    make_cct,
    make_curp,
    seeded_subsystems,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]

SCHOOLS_CSV = (
    "cct,nombre,entidad,municipio,subsistema\n"
    "09DPR1858N,CETis 1,09,Coyoacán,DGETI\n"  # line 2: valid
    "14DPR1858N,CBTis 2,09,Guadalajara,dgeti\n"  # line 3: state prefix differs
    "09DPR1858A,CETis 3,09,Tlalpan,CONALEP\n"  # line 4: check letter warns, imported
    "09XX12345N,Mal,09,,\n"  # line 5: bad pattern
    "09DPR1858N,CETis 1 bis,09,,\n"  # line 6: duplicate of line 2
    "09ETC0001B,,09,,Marte\n"  # line 7: no name, unknown subsystem
)


def _errors_by_line(result):
    by_line: dict[int, set[tuple[str, str]]] = {}
    for error in result.errors:
        by_line.setdefault(error["line"], set()).add((error["field"], error["rule"]))
    return by_line


def test_import_schools_reports_errors_by_line_and_imports_valid_rows():
    result = import_schools(SCHOOLS_CSV)
    assert result.total_rows == 6
    assert result.created == 2
    assert _errors_by_line(result) == {
        3: {("cct", "cct_state")},
        5: {("cct", "cct_format")},
        6: {("cct", "duplicate")},
        7: {("nombre", "required"), ("subsistema", "unknown")},
    }
    assert [(w["line"], w["rule"]) for w in result.warnings] == [(4, "cct_check_letter")]
    assert School.objects.get(cct="09DPR1858N").subsystem.code == "dgeti"
    warned = School.objects.get(cct="09DPR1858A")
    assert warned.cct_check_letter_ok is False
    assert warned.subsystem.code == "conalep"


def test_import_schools_twice_is_idempotent():
    import_schools(SCHOOLS_CSV)
    before = list(School.objects.order_by("cct").values())
    again = import_schools(SCHOOLS_CSV)
    assert again.created == 0
    assert again.updated == 0
    assert again.unchanged == 2
    assert list(School.objects.order_by("cct").values()) == before


def test_import_schools_updates_changed_rows_by_cct():
    import_schools(SCHOOLS_CSV)
    result = import_schools("cct,nombre,entidad\n09DPR1858N,CETis Uno,DF\n")
    assert (result.created, result.updated) == (0, 1)
    assert School.objects.get(cct="09DPR1858N").name == "CETis Uno"


def test_import_schools_accepts_semicolons_bom_and_english_headers():
    text = "\ufeffCCT;Name;State;Municipality\n09dpr1858n;CETis 1;Ciudad de México;Coyoacán\n"
    result = import_schools(text)
    assert (result.created, result.error_count) == (1, 0)


def test_import_schools_without_required_columns_fails_as_a_whole():
    with pytest.raises(ImportFileError, match="entidad"):
        import_schools("cct,nombre\n09DPR1858N,CETis\n")


def test_import_schools_multi_line_quoted_field_keeps_line_numbers():
    text = 'cct,nombre,entidad\n09DPR1858N,"CETis\nuno",09\n00BAD,Mala,09\n'
    result = import_schools(text)
    assert result.created == 1
    assert [e["line"] for e in result.errors] == [4]


def _roster(*rows: str) -> str:
    header = "curp,nombre,primer_apellido,segundo_apellido,correo,entidad,subsistema,cct,funcion\n"
    return header + "".join(row + "\n" for row in rows)


def test_import_teachers_reports_errors_by_line_and_imports_valid_rows():
    school = SchoolFactory(cct="09DPR1858N")
    text = _roster(
        f"{DOMAIN_CURPS[0]},Ana,Salas,Bravo,ana@example.mx,09,DGETI,{school.cct},docente",  # 2
        "SABC560626MDFLRN02,Bea,Ruiz,,bea@example.mx,09,,,",  # 3 check digit
        f"{make_curp(1)},,Ruiz,,carla@example.mx,09,,,",  # 4 no first name
        f"{make_curp(2)},Dora,Ruiz,,no-es-correo,09,,,",  # 5 bad e-mail
        f"{make_curp(3)},Eva,Ruiz,,eva@example.mx,99,,09XXX0000X,jefa",  # 6 state, cct, position
        f"{DOMAIN_CURPS[0]},Ana,Salas,,otra@example.mx,09,,,",  # 7 duplicate CURP
        f"{make_curp(4)},Fer,Ruiz,,ANA@example.mx,09,,,",  # 8 duplicate e-mail
        f"{DOMAIN_CURPS[1]},Gil,Paz,,gil@example.mx,Veracruz,CONALEP,,Directivo",  # 9 valid
    )
    result = import_teachers(text)
    assert result.created == 2
    assert _errors_by_line(result) == {
        3: {("curp", "curp_check_digit")},
        4: {("nombre", "required")},
        5: {("correo", "email")},
        6: {("entidad", "state"), ("cct", "unknown"), ("funcion", "invalid_choice")},
        7: {("curp", "duplicate")},
        8: {("correo", "duplicate")},
    }
    ana = TeacherProfile.objects.select_related("user", "school").get(curp=DOMAIN_CURPS[0])
    assert ana.user.email == "ana@example.mx"
    assert ana.user.username == "ana@example.mx"
    assert ana.user.is_active
    assert not ana.user.has_usable_password()
    assert ana.school == school
    gil = TeacherProfile.objects.get(curp=DOMAIN_CURPS[1])
    assert (gil.state, gil.subsystem.code, gil.position) == ("30", "conalep", "directivo")


def test_import_teachers_refuses_a_school_of_another_state_naming_both():
    school = SchoolFactory(cct="14DCT0001S", state="14")
    result = import_teachers(
        _roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@example.mx,09,,{school.cct},docente")
    )
    assert result.created == 0
    assert _errors_by_line(result) == {2: {("cct", "school_state")}}
    message = result.errors[0]["message"]
    assert "14DCT0001S" in message and "Jalisco" in message and "Ciudad de México" in message
    assert not TeacherProfile.objects.exists()


def test_import_teachers_errors_never_echo_curps_or_names():
    text = _roster("SABC560626MDFLRN02,Bernardina,Ruizcalderón,,bea@example.mx,09,,,")
    result = import_teachers(text)
    report = str(result.errors)
    assert "SABC560626MDFLRN02" not in report
    assert "Bernardina" not in report


def test_import_teachers_twice_is_idempotent():
    text = _roster(
        f"{DOMAIN_CURPS[0]},Ana,Salas,Bravo,ana@example.mx,09,DGETI,,docente",
        f"{DOMAIN_CURPS[1]},Gil,Paz,,gil@example.mx,30,,,",
    )
    import_teachers(text)
    users = get_user_model().objects.count()
    profiles = list(TeacherProfile.objects.order_by("pk").values())
    again = import_teachers(text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert get_user_model().objects.count() == users
    assert list(TeacherProfile.objects.order_by("pk").values()) == profiles


def test_import_teachers_updates_by_curp_including_the_email():
    profile = TeacherProfileFactory(curp=DOMAIN_CURPS[0], user=UserFactory(username="vieja@ex.mx"))
    result = import_teachers(_roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,nueva@ex.mx,14,,,coordinador"))
    assert (result.created, result.updated) == (0, 1)
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert (profile.first_name, profile.state, profile.position) == ("Ana", "14", "coordinador")
    assert profile.user.email == profile.user.username == "nueva@ex.mx"
    # The password the teacher set is untouched by a roster import.
    assert profile.user.has_usable_password()


def test_import_teachers_refuses_an_email_of_another_account():
    TeacherProfileFactory(curp=DOMAIN_CURPS[1], user=UserFactory(username="gil@ex.mx"))
    result = import_teachers(_roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,gil@ex.mx,09,,,"))
    assert result.created == 0
    assert _errors_by_line(result) == {2: {("correo", "unique")}}
    assert not TeacherProfile.objects.filter(curp=DOMAIN_CURPS[0]).exists()


def test_import_teachers_in_several_batches_counts_every_row(settings):
    settings.LMS_IMPORT_BATCH_SIZE = 3
    rows = [f"{make_curp(n)},N{n},Ape,,d{n}@ex.mx,09,,," for n in range(10)]
    progress: list[int] = []
    result = import_teachers(
        _roster(*rows), on_progress=lambda r: progress.append(r.processed_rows)
    )
    assert result.created == 10
    assert progress == [3, 6, 9, 10]


def test_import_teachers_query_count_does_not_grow_with_rows(
    settings, django_assert_max_num_queries
):
    settings.LMS_IMPORT_BATCH_SIZE = 500
    rows = [f"{make_curp(n)},N{n},Ape,,d{n}@ex.mx,09,DGETI,,docente" for n in range(200)]
    with django_assert_max_num_queries(15):
        result = import_teachers(_roster(*rows))
    assert result.created == 200


def test_import_job_runs_from_default_storage_and_audits(django_capture_on_commit_callbacks):
    uploader = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            kind=ImportJob.Kind.SCHOOLS,
            file=ContentFile(SCHOOLS_CSV.encode(), name="escuelas.csv"),
            created_by=uploader,
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.total_rows, job.processed_rows, job.percent) == (6, 6, 100)
    assert (job.created_count, job.error_count, job.warning_count) == (2, 5, 1)
    assert job.errors[0]["line"] == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_SCHOOLS)
    assert event.actor == uploader
    assert event.details["created"] == 2


def test_import_job_with_an_unreadable_file_fails_with_a_message():
    job = import_job_create(
        kind=ImportJob.Kind.TEACHERS, file=ContentFile(b"", name="x.csv"), background=False
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.failure


def test_import_job_latin1_file_is_read():
    text = "cct,nombre,entidad,municipio\n09DPR1858N,Escuela Ñandú,09,Álvaro Obregón\n"
    job = import_job_create(
        kind=ImportJob.Kind.SCHOOLS,
        file=ContentFile(text.encode("cp1252"), name="e.csv"),
        background=False,
    )
    job.refresh_from_db()
    assert job.created_count == 1
    assert School.objects.get().name == "Escuela Ñandú"


def test_import_schools_command_prints_errors_with_lines(tmp_path):
    path = tmp_path / "escuelas.csv"
    path.write_text(SCHOOLS_CSV, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_schools", str(path), stdout=out, stderr=err)
    assert "6 rows, 2 created" in out.getvalue()
    assert "line 3: cct: cct_state" in err.getvalue()
    assert "line 4: warning" in out.getvalue()


def test_import_teachers_command_upserts(tmp_path):
    path = tmp_path / "docentes.csv"
    path.write_text(_roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@ex.mx,09,,,"), encoding="utf-8")
    out = StringIO()
    call_command("import_teachers", str(path), stdout=out, stderr=StringIO())
    call_command("import_teachers", str(path), stdout=out, stderr=StringIO())
    assert "1 created" in out.getvalue()
    assert "1 unchanged" in out.getvalue()
    assert TeacherProfile.objects.count() == 1


def test_import_command_missing_file_is_an_error():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_schools", "/nonexistent/escuelas.csv")


def test_import_command_missing_columns_is_an_error(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("cct\n09DPR1858N\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Faltan columnas"):
        call_command("import_schools", str(path), stdout=StringIO())


def test_make_cct_helper_is_well_formed():
    assert make_cct(1858, kind="DPR") == "09DPR1858N"


def test_import_teachers_with_enrol_enrols_every_valid_teacher_once():
    from learners.models import Enrollment
    from tests.courses.factories import CoursePageFactory, spanish_catalog

    course = CoursePageFactory(parent=spanish_catalog())
    text = _roster(
        f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@ex.mx,09,,,",
        f"{DOMAIN_CURPS[1]},Gil,Paz,,gil@ex.mx,30,,,",
        "SABC560626MDFLRN02,Mal,Dato,,mal@ex.mx,09,,,",
    )
    result = import_teachers(text, enroll_course_id=course.pk)
    assert (result.created, result.enrolled, result.error_count) == (2, 2, 1)
    again = import_teachers(text, enroll_course_id=course.pk)
    assert again.enrolled == 0
    assert Enrollment.objects.filter(course=course, status="active").count() == 2


def test_import_teachers_with_enrol_reports_missing_prerequisites_by_line():
    from django.utils import timezone

    from learners.models import Enrollment
    from tests.courses.factories import CoursePageFactory, spanish_catalog

    basics = CoursePageFactory(parent=spanish_catalog())
    advanced = CoursePageFactory(parent=spanish_catalog())
    advanced.prerequisites.add(basics)
    advanced.save()
    ready = TeacherProfileFactory(curp=DOMAIN_CURPS[0], user=UserFactory(username="ana@ex.mx"))
    Enrollment.objects.create(user=ready.user, course=basics, completed_at=timezone.now())
    text = _roster(
        f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@ex.mx,09,,,",
        f"{DOMAIN_CURPS[1]},Gil,Paz,,gil@ex.mx,30,,,",
    )
    result = import_teachers(text, enroll_course_id=advanced.pk)
    assert result.enrolled == 1
    assert _errors_by_line(result) == {3: {("inscripcion", "prerequisites")}}
    # The teacher is imported even though the enrolment was refused.
    assert TeacherProfile.objects.filter(curp=DOMAIN_CURPS[1]).exists()


def test_import_teachers_with_an_unknown_course_fails_before_any_row():
    with pytest.raises(ImportFileError, match="curso"):
        import_teachers(
            _roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@ex.mx,09,,,"), enroll_course_id=999
        )
    assert not TeacherProfile.objects.exists()


def test_import_teachers_command_with_enroll(tmp_path):
    from tests.courses.factories import CoursePageFactory, spanish_catalog

    course = CoursePageFactory(parent=spanish_catalog())
    path = tmp_path / "docentes.csv"
    path.write_text(_roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@ex.mx,09,,,"), encoding="utf-8")
    out = StringIO()
    call_command("import_teachers", str(path), "--enroll", str(course.pk), stdout=out)
    assert "1 enrolled" in out.getvalue()


def test_import_command_background_queues_the_job_for_a_worker(
    tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "escuelas.csv"
    path.write_text(SCHOOLS_CSV, encoding="utf-8")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("import_schools", str(path), "--background", stdout=out)
    assert "queued" in out.getvalue()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PENDING
    assert len(callbacks) == 1  # the task is sent only once the job row is committed
    callbacks[0]()  # the (eager) task runs it
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, 2)


def test_import_job_with_an_unexpected_error_is_marked_failed_without_row_values(
    monkeypatch, caplog
):
    import learners.imports as imports

    def broken(valid, result):
        raise RuntimeError(f"duplicate key {DOMAIN_CURPS[0]}")

    monkeypatch.setattr(imports, "_write_teachers", broken)
    job = import_job_create(
        kind=ImportJob.Kind.TEACHERS,
        file=ContentFile(_roster(f"{DOMAIN_CURPS[0]},Ana,Salas,,ana@ex.mx,09,,,").encode()),
        background=False,
    )
    assert job.status == ImportJob.Status.FAILED
    assert "RuntimeError" in job.failure
    assert DOMAIN_CURPS[0] not in job.failure
    assert DOMAIN_CURPS[0] not in caplog.text
