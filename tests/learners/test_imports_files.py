"""Teacher rosters (CSV imports) are personal data: staff only, gone after the import and on the
ARCO cancellation of anyone they name, on the filesystem default and on the real S3 server."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from learners.imports import import_files_purge
from learners.models import ImportJob, TeacherProfile
from learners.services import import_job_create, teacher_account_cancel
from tests.learners.learners_factories import (
    DOMAIN_CURPS,
    UserFactory,
    seeded_subsystems,  # noqa: F401  (fixture)
)
from tests.reports.reports_builders import make_monitor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]

HEADER = "curp,nombre,primer_apellido,segundo_apellido,correo,entidad,subsistema\n"
ANA = f"{DOMAIN_CURPS[0]},Ana,Salas,Bravo,ana@example.mx,09,DGETI\n"
LUIS = f"{DOMAIN_CURPS[1]},Luis,Gómez,,luis@example.mx,09,DGETI\n"


def _import(body: str, *, name: str = "plantilla.csv") -> ImportJob:
    job = import_job_create(
        kind=ImportJob.Kind.TEACHERS,
        file=ContentFile(body.encode(), name=name),
        created_by=UserFactory(is_staff=True),
        background=False,
    )
    job.refresh_from_db()
    return job


def _staff_client(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="add_importjob"),
    )
    client.force_login(user)
    return client


def _download_url(job: ImportJob) -> str:
    return reverse("progress_imports:file", args=[job.pk])


# --- deleted when the import is done -----------------------------------------------------------


def test_roster_is_deleted_when_its_import_is_done():
    job = _import(HEADER + ANA + LUIS)
    assert job.status == ImportJob.Status.DONE and job.created_count == 2
    assert not job.file
    assert not any(files for _, _, files in _walk("imports"))


def _walk(folder: str):
    """(folder, subfolders, files) of the default storage, like os.walk."""
    if not default_storage.exists(folder):
        return
    folders, files = default_storage.listdir(folder)
    yield folder, folders, files
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")


def test_a_failed_imports_roster_is_deleted_too():
    job = _import("nombre,correo\nAna,ana@example.mx\n")
    assert job.status == ImportJob.Status.FAILED and job.failure
    assert not job.file
    assert not any(files for _, _, files in _walk("imports"))


def test_retention_keeps_a_roster_until_the_purge(settings):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    job = _import(HEADER + ANA)
    name = job.file.name
    assert default_storage.exists(name)
    assert import_files_purge() == 0
    assert default_storage.exists(name)
    later = timezone.now() + dt.timedelta(hours=25)
    assert import_files_purge(now=later) == 1
    assert not default_storage.exists(name)
    job.refresh_from_db()
    assert not job.file and job.created_count == 1  # the counts stay
    assert import_files_purge(now=later) == 0  # idempotent


def test_the_purge_leaves_unfinished_imports_alone(settings):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 1
    job = import_job_create(
        kind=ImportJob.Kind.TEACHERS,
        file=ContentFile((HEADER + ANA).encode(), name="p.csv"),
    )  # queued on commit, never run in this test
    assert job.status == ImportJob.Status.PENDING
    assert import_files_purge(now=timezone.now() + dt.timedelta(days=30)) == 0
    assert default_storage.exists(job.file.name)


def test_an_import_whose_roster_is_gone_fails_with_a_message():
    from learners.imports import import_job_run

    job = import_job_create(
        kind=ImportJob.Kind.TEACHERS,
        file=ContentFile((HEADER + ANA).encode(), name="p.csv"),
    )
    default_storage.delete(job.file.name)
    ImportJob.objects.filter(pk=job.pk).update(file="")
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert "archivo" in job.failure
    assert TeacherProfile.objects.count() == 0


# --- only to staff -----------------------------------------------------------------------------


def test_staff_with_the_import_permission_download_a_retained_roster(settings, client):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    job = _import(HEADER + ANA)
    response = _staff_client(client).get(_download_url(job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == HEADER + ANA
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    assert "attachment" in response["Content-Disposition"]


def test_a_purged_roster_is_a_404_even_for_staff(client):
    job = _import(HEADER + ANA)
    assert _staff_client(client).get(_download_url(job)).status_code == 404


def test_anonymous_wrong_role_and_monitors_never_get_a_roster(settings, client):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    job = _import(HEADER + ANA)
    url = _download_url(job)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    # An editor of the admin without the import permission.
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    refused = client.get(url)
    assert refused.status_code in (302, 403) and DOMAIN_CURPS[0].encode() not in refused.content
    # A state coordinator (SEP monitor): reports, not rosters.
    client.force_login(make_monitor("coord", level="state", state="09"))
    refused = client.get(url)
    assert refused.status_code in (302, 403) and DOMAIN_CURPS[0].encode() not in refused.content


# --- ARCO cancellation -------------------------------------------------------------------------


def test_cancellation_deletes_every_roster_that_names_the_teacher(settings):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    naming = _import(HEADER + ANA + LUIS, name="a.csv")
    # Lower case, Windows-1252 and another order of columns still name her.
    other_layout = import_job_create(
        kind=ImportJob.Kind.TEACHERS,
        file=ContentFile(
            ("correo;curp;nombre;primer_apellido;entidad\n"
             f"ana@example.mx;{DOMAIN_CURPS[0].lower()};Ana;Salas;09\n").encode("cp1252"),
            name="b.csv",
        ),
        background=False,
    )  # fmt: skip
    other_layout.refresh_from_db()
    not_naming = _import(HEADER + LUIS, name="c.csv")
    names = {job.pk: job.file.name for job in (naming, other_layout, not_naming)}
    ana = TeacherProfile.objects.get(curp=DOMAIN_CURPS[0]).user
    teacher_account_cancel(user=ana)
    assert not default_storage.exists(names[naming.pk])
    assert not default_storage.exists(names[other_layout.pk])
    assert default_storage.exists(names[not_naming.pk])
    naming.refresh_from_db()
    assert not naming.file and naming.created_count == 2


def test_cancellation_finds_a_roster_naming_her_by_email_only(settings):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    _import(HEADER + ANA)
    # A later roster whose CURP for her is wrong (the row is refused) still names her.
    bad_row = _import(HEADER + "SABC560626MDFLRN09,Ana,Salas,Bravo,ANA@example.mx,09,DGETI\n")
    name = bad_row.file.name
    assert bad_row.error_count == 1
    teacher_account_cancel(user=TeacherProfile.objects.get(curp=DOMAIN_CURPS[0]).user)
    assert not default_storage.exists(name)


# --- on the real S3 server ---------------------------------------------------------------------


def _keys(s3_storage) -> list[str]:
    listing = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])
    return [item["Key"] for item in listing.get("Contents", [])]


@pytest.mark.services
def test_on_s3_a_roster_is_private_staff_only_and_deleted(s3_storage, settings, client):
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    job = _import(HEADER + ANA + LUIS)
    assert job.file.name in _keys(s3_storage)
    plain = f"{s3_storage['endpoint']}/{s3_storage['bucket']}/{job.file.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain, timeout=10)  # the local test server, unsigned
    assert refused.value.code == 403
    assert client.get(_download_url(job)).status_code == 302  # anonymous: to the login
    staff = _staff_client(client)
    response = staff.get(_download_url(job))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == HEADER + ANA + LUIS
    teacher_account_cancel(user=TeacherProfile.objects.get(curp=DOMAIN_CURPS[1]).user)
    assert job.file.name not in _keys(s3_storage)
    assert staff.get(_download_url(job)).status_code == 404
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 0
    done = _import(HEADER + ANA, name="d.csv")
    assert not done.file
    assert not [key for key in _keys(s3_storage) if key.startswith("imports/")]


def test_the_beat_entry_purges_kept_rosters(settings):
    from learners.tasks import purge_import_files

    entry = settings.CELERY_BEAT_SCHEDULE["learners-import-files-purge"]
    assert entry["task"] == purge_import_files.name
    settings.LMS_IMPORT_FILE_RETENTION_HOURS = 24
    job = _import(HEADER + ANA)
    name = job.file.name
    assert purge_import_files() == 0 and default_storage.exists(name)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    assert purge_import_files() == 1
    assert not default_storage.exists(name)
