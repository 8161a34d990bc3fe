"""ARCO on the profile pages: download my data, cancel my account with confirmation."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from learners.models import AuditEvent, TeacherProfile
from tests.learners.learners_factories import TeacherProfileFactory, UserFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
PASSWORD = "Aprender-2026-seguro"


@pytest.fixture
def teacher_client(client):
    profile = TeacherProfileFactory(user=UserFactory(username="ana@example.mx", password=PASSWORD))
    client.force_login(profile.user)
    client.profile = profile
    return client


def test_profile_page_offers_download_and_cancel(teacher_client):
    html = teacher_client.get(reverse("learners:profile")).content.decode()
    assert reverse("learners:export") in html
    assert reverse("learners:cancel") in html


def test_download_my_data_is_a_json_attachment_and_audited(teacher_client):
    response = teacher_client.post(reverse("learners:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"]["curp"] == teacher_client.profile.curp
    assert AuditEvent.objects.filter(action="arco_export").count() == 1


def test_download_needs_post_and_sign_in(client, teacher_client):
    assert teacher_client.get(reverse("learners:export")).status_code == 405
    teacher_client.logout()
    assert teacher_client.post(reverse("learners:export")).status_code == 302


def test_cancel_page_requires_password_and_confirmation(teacher_client):
    response = teacher_client.post(reverse("learners:cancel"), {"password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_password-error"' in html
    assert 'id="id_confirm-error"' in html
    assert TeacherProfile.objects.get().cancelled_at is None


def test_cancel_page_erases_personal_data_and_signs_out(teacher_client):
    response = teacher_client.post(
        reverse("learners:cancel"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:cancelled")
    profile = TeacherProfile.objects.get()
    user = get_user_model().objects.get()
    assert profile.curp is None and profile.first_name == "" and profile.cancelled_at
    assert user.email == "" and not user.is_active
    assert "_auth_user_id" not in teacher_client.session
    assert teacher_client.get(reverse("learners:profile")).status_code == 302
    assert AuditEvent.objects.filter(action="arco_cancel").count() == 1
