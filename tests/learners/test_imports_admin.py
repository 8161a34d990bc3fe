"""The Wagtail admin import pages: upload, background job, polling status, permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learners.models import ImportJob, School
from tests.learners.learners_factories import UserFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]

CSV = b"cct,nombre,entidad\n09DPR1858N,CETis 1,09\n09DPR1858A,CETis 2,09\n14DPR1858N,Mal,09\n"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_import_upload_runs_the_job_and_redirects_to_its_page(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("progress_imports:index"),
            {"kind": "schools", "file": SimpleUploadedFile("escuelas.csv", CSV)},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("progress_imports:detail", args=[job.pk])
    assert School.objects.count() == 2
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "cct_state" in content  # the row error, with its line
    assert "<td>4</td>" in content
    assert "letra verificadora" in content.lower()  # the check-letter warning on line 3
    status = admin_client.get(reverse("progress_imports:status", args=[job.pk])).json()
    assert status["status"] == "done"
    assert (status["percent"], status["created"], status["errors"], status["warnings"]) == (
        100,
        2,
        1,
        1,
    )


def test_import_index_lists_jobs_and_the_form(admin_client):
    response = admin_client.get(reverse("progress_imports:index"))
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_import_upload_rejects_a_non_csv_file(admin_client):
    response = admin_client.post(
        reverse("progress_imports:index"),
        {"kind": "schools", "file": SimpleUploadedFile("escuelas.xlsx", b"PK")},
    )
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0
    assert "csv" in response.content.decode().lower()


def test_import_upload_enrol_only_for_teachers(admin_client):
    response = admin_client.post(
        reverse("progress_imports:index"),
        {"kind": "schools", "file": SimpleUploadedFile("e.csv", CSV), "enroll_course_id": 3},
    )
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0


def test_import_pages_need_the_import_permission(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    denied = client.get(reverse("progress_imports:index"))
    assert (denied.status_code, denied["Location"]) == (302, "/admin/")
    editor.user_permissions.add(Permission.objects.get(codename="add_importjob"))
    assert client.get(reverse("progress_imports:index")).status_code == 200


def test_import_pages_redirect_anonymous_to_login(client):
    response = client.get(reverse("progress_imports:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_school_and_subsystem_admin_listings(admin_client):
    School.objects.create(cct="09DPR1858A", name="CETis", state="09", cct_check_letter_ok=False)
    assert admin_client.get(reverse("schools:index")).status_code == 200
    assert admin_client.get(reverse("subsystems:index")).status_code == 200


def test_school_admin_form_rejects_a_cct_of_another_state(admin_client):
    response = admin_client.post(
        reverse("schools:add"), {"cct": "14DPR1858N", "name": "CBTis", "state": "09"}
    )
    assert response.status_code == 200
    assert not School.objects.exists()
    ok = admin_client.post(
        reverse("schools:add"), {"cct": "09dpr1858n", "name": "CBTis", "state": "09"}
    )
    assert ok.status_code == 302
    assert School.objects.get().cct == "09DPR1858N"


def test_import_upload_with_an_unknown_course_is_refused_in_the_form(admin_client):
    roster = b"curp,nombre,primer_apellido,correo,entidad\n"
    response = admin_client.post(
        reverse("progress_imports:index"),
        {"kind": "teachers", "file": SimpleUploadedFile("d.csv", roster), "enroll_course_id": 999},
    )
    assert response.status_code == 200
    assert "curso publicado" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_audit_page_lists_events_filtered_by_action_without_personal_data(admin_client):
    from learners.models import AuditEvent

    AuditEvent.objects.create(action="arco_export", target_type="user", target_id="7")
    AuditEvent.objects.create(action="import_schools", target_type="import_job", target_id="3")
    response = admin_client.get(reverse("progress_audit:index"), {"action": "arco_export"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "user 7" in html
    assert "import_job 3" not in html


def test_audit_page_needs_the_view_permission(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(reverse("progress_audit:index")).status_code == 302
