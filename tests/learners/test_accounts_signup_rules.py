"""Sign-up form rules (issue 10): no preselected state, a CCT from the registry in the chosen
state, fields that survive a failed submit, a plain labelled consent checkbox, «tú» messages."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learners.forms import SignupForm
from learners.mexico import STATES, STATES_BY_INEGI
from learners.models import TeacherProfile
from learners.validators import validate_cct, validate_school_in_state
from lms.demo_progress import DEMO_CCT
from tests.learners.learners_factories import DOMAIN_CURPS, SchoolFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
User = get_user_model()
PASSWORD = "Aprender-2026-seguro"
SIGNUP = "/cuenta/registro/"


def _data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "ana.salas@example.mx",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "curp": DOMAIN_CURPS[0],
        "first_name": "Ana",
        "paternal_surname": "Salas",
        "maternal_surname": "Bravo",
        "state": "14",
        "subsystem": "",
        "cct": "",
        "position": "docente",
        "privacy": "on",
    }
    data.update(overrides)
    return data


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else ""


def test_the_state_is_not_preselected_and_an_empty_one_is_refused(client):
    select = _select(client.get(SIGNUP).content.decode(), "state")
    selected = re.findall(r'<option value="([^"]*)" selected>', select)
    assert selected == [""]  # only the "Elige tu entidad" placeholder
    first_option = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first_option
    response = client.post(SIGNUP, _data(state=""))
    assert response.status_code == 200
    assert _error_of(response.content.decode(), "state") == "Elige la entidad donde trabajas."
    assert not User.objects.exists()


def test_an_unknown_cct_is_refused_naming_it(client):
    response = client.post(SIGNUP, _data(cct="14dpr1858n"))
    error = _error_of(response.content.decode(), "cct")
    assert "14DPR1858N" in error
    assert "registro de escuelas" in error
    assert not User.objects.exists()


def test_a_cct_of_a_school_in_another_state_names_both_states(client):
    SchoolFactory(cct="19DCT0001X", state="19")
    response = client.post(SIGNUP, _data(cct="19DCT0001X", state="14"))
    assert response.status_code == 200
    assert (
        _error_of(response.content.decode(), "cct")
        == "La escuela 19DCT0001X está en Nuevo León, no en Jalisco."
    )
    assert not User.objects.exists()


def test_a_cct_of_a_school_in_the_chosen_state_links_the_school(client):
    school = SchoolFactory(cct="19DCT0001X", state="19")
    response = client.post(SIGNUP, _data(cct=" 19dct-0001x ", state="19"))
    assert response.status_code == 302
    assert TeacherProfile.objects.get().school == school


def test_the_registry_state_decides_not_the_cct_prefix(client):
    # The registry is the source of truth; a school recorded in Jalisco is in Jalisco.
    SchoolFactory(cct="19DCT0002Y", state="14")
    response = client.post(SIGNUP, _data(cct="19DCT0002Y", state="19"))
    assert (
        _error_of(response.content.decode(), "cct")
        == "La escuela 19DCT0002Y está en Jalisco, no en Nuevo León."
    )


def test_the_cct_example_in_the_help_text_is_the_demo_school():
    help_text = str(SignupForm().fields["cct"].help_text)
    examples = re.findall(r"\b\d{2}[A-Z]{3}\d{4}[A-Z]\b", help_text)
    assert examples == [DEMO_CCT]
    assert validate_cct(examples[0]) == DEMO_CCT


def test_fields_other_than_passwords_survive_a_failed_submit(client):
    school = SchoolFactory(cct="14DCT0001S", state="14")
    data = _data(
        email="gil.paz@example.mx",
        curp=DOMAIN_CURPS[1],
        first_name="Gilberto",
        paternal_surname="Paz",
        maternal_surname="Núñez",
        cct=school.cct,
        position="directivo",
        password2="otra-distinta-2026",
    )
    html = client.post(SIGNUP, data).content.decode()
    assert _error_of(html, "password2")
    for name in ("email", "curp", "first_name", "paternal_surname", "maternal_surname", "cct"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(data[name])}"', html), name
    assert re.search(r'<option value="14" selected>', _select(html, "state"))
    assert re.search(r'<option value="directivo" selected>', _select(html, "position"))
    assert re.search(r'<input type="checkbox" name="privacy"[^>]*checked', html)
    for name in ("password1", "password2"):
        tag = re.search(rf'<input type="password" name="{name}"[^>]*>', html).group(0)
        assert "value=" not in tag


def test_a_taken_email_is_not_revealed_by_the_form(client):
    User.objects.create_user(username="ana.salas@example.mx", email="ana.salas@example.mx")
    response = client.post(SIGNUP, _data(first_name="Anabel"))
    assert response.status_code == 302  # answered as for a new account (the holder is mailed)
    assert User.objects.filter(username__iexact="ana.salas@example.mx").count() == 1


def test_the_consent_is_a_plain_labelled_checkbox_linked_to_the_notice(client):
    html = client.get(SIGNUP).content.decode()
    box = re.search(r'<input type="checkbox" name="privacy"[^>]*>', html).group(0)
    assert 'id="id_privacy"' in box
    assert "hidden" not in box and "display" not in box and "opacity" not in box
    assert 'aria-describedby="id_privacy-help"' in box
    label = re.search(r'<label for="id_privacy">(.*?)</label>', html, re.S).group(1)
    assert "aviso de privacidad" in label
    help_ = re.search(r'<p class="help" id="id_privacy-help">(.*?)</p>', html, re.S).group(1)
    assert 'href="#aviso-privacidad"' in help_
    assert 'id="aviso-privacidad"' in html
    # The notice is on the page, not hidden in a collapsed <details>.
    assert "<details" not in html


def test_signup_without_consent_is_refused_in_tu(client):
    data = _data()
    del data["privacy"]
    response = client.post(SIGNUP, data)
    assert _error_of(response.content.decode(), "privacy") == (
        "Para crear tu cuenta, marca que leíste y aceptas el aviso de privacidad."
    )
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"email": "no-es-correo"}, "email", "Escribe un correo electrónico válido"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "solo números"),
        ({"password1": "corta", "password2": "corta"}, "password1", "Tu contraseña es muy corta"),
        ({"position": "astronauta"}, "position", "Elige una opción de la lista"),
    ],
)
def test_django_messages_speak_to_the_teacher_as_tu(client, overrides, field, expected):
    html = client.post(SIGNUP, _data(**overrides)).content.decode()
    error = _error_of(html, field)
    assert expected in error
    for usted in ("Introduzca", "Ingrese", "Escoja", "Su contraseña", "Asegúrese"):
        assert usted not in html


def test_login_errors_speak_as_tu(client):
    html = client.post(
        reverse("learners:login"), {"username": "nadie@example.mx", "password": "x"}
    ).content.decode()
    assert "El correo o la contraseña no son correctos" in unescape(html)
    assert "introduzca" not in html.lower()


def test_english_sign_up_speaks_english(client):
    SchoolFactory(cct="19DCT0001X", state="19")
    html = unescape(
        client.post("/en" + SIGNUP, _data(cct="19DCT0001X", state="14")).content.decode()
    )
    assert "School 19DCT0001X is in Nuevo León, not in Jalisco." in html
    assert "Choose your state" in html


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STATES), st.sampled_from(STATES))
def test_school_in_state_rule_names_both_states(school_state, chosen):
    if school_state == chosen:
        validate_school_in_state(cct="X", school_state=school_state.inegi, state=chosen.inegi)
        return
    with pytest.raises(Exception) as caught:
        validate_school_in_state(cct="X", school_state=school_state.inegi, state=chosen.inegi)
    (message,) = caught.value.messages
    assert message == f"La escuela X está en {school_state.name}, no en {chosen.name}."
    assert caught.value.code == "school_state"
    assert STATES_BY_INEGI[chosen.inegi] is chosen
