"""Teacher accounts: sign-up with e-mail confirmation, sign-in/out, password reset, profile."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from learners.models import AuditEvent, TeacherProfile
from tests.learners.learners_factories import (
    DOMAIN_CURPS,
    SchoolFactory,
    TeacherProfileFactory,
    UserFactory,
    seeded_subsystems,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
User = get_user_model()
PASSWORD = "Aprender-2026-seguro"


def _signup_data(**overrides):
    data = {
        "email": "Ana.Salas@Example.mx",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "curp": DOMAIN_CURPS[0].lower(),
        "first_name": "Ana",
        "paternal_surname": "Salas",
        "maternal_surname": "Bravo",
        "state": "09",
        "subsystem": "",
        "cct": "",
        "position": "docente",
        "privacy": "on",
    }
    data.update(overrides)
    return data


def _link_in_last_mail() -> str:
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def test_signup_creates_an_inactive_account_and_sends_a_confirmation_link(client):
    response = client.post(reverse("learners:signup"), _signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:signup_done")
    user = User.objects.get(email="ana.salas@example.mx")
    assert user.username == "ana.salas@example.mx"
    assert not user.is_active
    assert user.teacher_profile.curp == DOMAIN_CURPS[0]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.salas@example.mx"]
    assert "/cuenta/confirmar/" in _link_in_last_mail()
    assert AuditEvent.objects.filter(action="account_signup").count() == 1


def test_cannot_sign_in_before_confirming(client):
    client.post(reverse("learners:signup"), _signup_data())
    response = client.post(
        reverse("learners:login"), {"username": "ana.salas@example.mx", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_confirmation_link_activates_signs_in_and_works_only_once(client):
    client.post(reverse("learners:signup"), _signup_data())
    link = _link_in_last_mail()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:profile")
    assert User.objects.get(email="ana.salas@example.mx").is_active
    assert client.get(reverse("learners:profile")).status_code == 200
    # A second click says the account is already confirmed (no 400 "invalid link"): signed in,
    # on the profile; signed out, on the sign-in page, which the used link does not bypass.
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learners:profile")
    assert "Tu cuenta ya está confirmada" in response.content.decode()
    client.logout()
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learners:login")
    assert "Tu cuenta ya está confirmada" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_confirmation_with_a_forged_token_fails(client):
    client.post(reverse("learners:signup"), _signup_data())
    link = _link_in_last_mail()
    forged = link.rstrip("/").rsplit("/", 1)[0] + "/abc-123/"
    assert client.get(forged).status_code == 400
    assert client.get("/cuenta/confirmar/zzzz/abc-123/").status_code == 400
    assert not User.objects.get(email="ana.salas@example.mx").is_active


def test_signup_errors_are_listed_and_linked_to_their_inputs(client):
    response = client.post(
        reverse("learners:signup"),
        _signup_data(curp="SABC560626MDFLRN02", password2="otra", privacy=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_curp-error"' in html
    assert 'aria-describedby="id_curp-help id_curp-error"' in html or (
        'aria-describedby="id_curp-error id_curp-help"' in html
    )
    assert 'aria-invalid="true"' in html
    assert 'href="#id_password2"' in html
    assert "verificador" in html  # the CURP rule that was broken
    assert not User.objects.exists()


def test_signup_with_a_taken_curp_tells_nothing_and_mails_the_holder(client):
    # One account per CURP, but the form must not reveal whether a CURP has an account:
    # the answer is the one a new account gets, and the holder is told by e-mail how to
    # get back in (sign in, or reset the password).
    holder = TeacherProfileFactory(curp=DOMAIN_CURPS[0])
    response = client.post(reverse("learners:signup"), _signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:signup_done")
    assert TeacherProfile.objects.count() == 1
    assert not User.objects.filter(email="ana.salas@example.mx").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [holder.user.email]
    assert "/cuenta/entrar/" in message.body and "/cuenta/contrasena/" in message.body
    assert DOMAIN_CURPS[0] not in message.body  # nothing personal travels in the mail
    # Another error on the same form is shown as usual, and still says nothing of the CURP.
    response = client.post(reverse("learners:signup"), _signup_data(password2="otra"))
    assert response.status_code == 200
    assert 'id="id_password2-error"' in response.content.decode()
    assert 'id="id_curp-error"' not in response.content.decode()
    assert "Ya existe una cuenta con esta CURP" not in response.content.decode()


def test_signup_with_a_taken_email_tells_nothing_and_mails_the_holder(client):
    # Like a taken CURP: the page must not confirm that an address has an account.
    holder = UserFactory(username="ana.salas@example.mx", email="ana.salas@example.mx")
    response = client.post(reverse("learners:signup"), _signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:signup_done")
    assert User.objects.filter(email__iexact="ana.salas@example.mx").count() == 1
    assert not TeacherProfile.objects.exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [holder.email]
    assert "con tu correo" in message.body and "CURP" not in message.body
    # With another error on the form, that error is shown and the address still is not.
    html = client.post(reverse("learners:signup"), _signup_data(password2="otra")).content.decode()
    assert 'id="id_password2-error"' in html
    assert "Ya existe una cuenta con este correo" not in html


def test_a_taken_curp_and_a_taken_email_of_two_accounts_mail_each_holder_once(client):
    curp_holder = TeacherProfileFactory(curp=DOMAIN_CURPS[0])
    email_holder = UserFactory(username="ana.salas@example.mx", email="ana.salas@example.mx")
    response = client.post(reverse("learners:signup"), _signup_data())
    assert response.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [curp_holder.user.email, email_holder.email]
    )


def test_signup_with_an_unknown_cct_is_refused_and_a_known_one_links_the_school(client):
    response = client.post(reverse("learners:signup"), _signup_data(cct="09DPR1858N"))
    assert "registro de escuelas" in response.content.decode()
    school = SchoolFactory(cct="09DPR1858N")
    client.post(reverse("learners:signup"), _signup_data(cct="09dpr1858n"))
    assert TeacherProfile.objects.get().school == school


def test_signup_page_is_spanish_at_root_and_english_prefix_exists(client):
    assert "Crear cuenta docente" in client.get("/cuenta/registro/").content.decode()
    english = client.get("/en/cuenta/registro/").content.decode()
    assert "Create a teacher account" in english
    assert 'lang="en"' in english


def test_login_with_email_in_any_case_and_logout(client):
    TeacherProfileFactory(user=UserFactory(username="gil@example.mx", password=PASSWORD))
    response = client.post(
        reverse("learners:login"), {"username": " GIL@example.mx ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:profile")
    response = client.post(reverse("learners:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_shows_an_error(client):
    UserFactory(username="gil@example.mx", password=PASSWORD)
    response = client.post(
        reverse("learners:login"), {"username": "gil@example.mx", "password": "nope"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_password_reset_flow_sets_a_new_password(client):
    TeacherProfileFactory(user=UserFactory(username="gil@example.mx", password=PASSWORD))
    response = client.post(reverse("learners:password_reset"), {"email": "gil@example.mx"})
    assert response["Location"] == reverse("learners:password_reset_done")
    link = _link_in_last_mail()
    response = client.get(link, follow=True)
    assert "new_password1" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Otra-clave-2026!", "new_password2": "Otra-clave-2026!"},
    )
    assert response["Location"] == reverse("learners:password_reset_complete")
    assert User.objects.get(username="gil@example.mx").check_password("Otra-clave-2026!")


def test_password_reset_reaches_a_roster_imported_account_without_password(client):
    user = UserFactory(username="nuevo@example.mx", password=None)
    user.set_unusable_password()
    user.save()
    client.post(reverse("learners:password_reset"), {"email": "nuevo@example.mx"})
    assert len(mail.outbox) == 1


def test_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("learners:password_reset"), {"email": "nadie@example.mx"})
    assert response["Location"] == reverse("learners:password_reset_done")
    assert mail.outbox == []


def test_profile_requires_sign_in(client):
    response = client.get(reverse("learners:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("learners:login"))


def test_profile_shows_and_updates_the_teacher_data(client):
    profile = TeacherProfileFactory(user=UserFactory(username="gil@example.mx"))
    school = SchoolFactory(cct="14DPR1858N", state="14")
    client.force_login(profile.user)
    page = client.get(reverse("learners:profile"))
    assert profile.curp in page.content.decode()
    response = client.post(
        reverse("learners:profile"),
        {
            "email": "Gil.Nuevo@example.mx",
            "first_name": "Gil",
            "paternal_surname": "Paz",
            "maternal_surname": "",
            "state": "14",
            "subsystem": "",
            "cct": "14DPR1858N",
            "position": "directivo",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert (profile.first_name, profile.state, profile.school, profile.position) == (
        "Gil",
        "14",
        school,
        "directivo",
    )
    assert profile.user.email == profile.user.username == "gil.nuevo@example.mx"


def test_profile_update_rejects_an_email_of_another_account(client):
    UserFactory(username="otro@example.mx")
    profile = TeacherProfileFactory()
    client.force_login(profile.user)
    response = client.post(
        reverse("learners:profile"),
        {
            "email": "otro@example.mx",
            "first_name": "Ana",
            "paternal_surname": "G",
            "state": "09",
            "position": "docente",
        },
    )
    assert response.status_code == 200
    assert "Ya existe una cuenta con este correo" in response.content.decode()


def test_profile_of_a_user_without_teacher_profile_is_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("learners:profile")).status_code == 404


def test_profile_lists_the_active_enrolments(client):
    from learners.models import Enrollment
    from tests.courses.factories import CoursePageFactory, spanish_catalog

    profile = TeacherProfileFactory()
    course = CoursePageFactory(parent=spanish_catalog(), title="Robótica educativa")
    dropped = CoursePageFactory(parent=spanish_catalog(), title="Curso abandonado")
    Enrollment.objects.create(user=profile.user, course=course)
    Enrollment.objects.create(user=profile.user, course=dropped, status="unenrolled")
    client.force_login(profile.user)
    html = client.get(reverse("learners:profile")).content.decode()
    assert "Robótica educativa" in html
    assert "Curso abandonado" not in html
