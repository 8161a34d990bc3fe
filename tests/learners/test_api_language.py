"""API error messages follow ``Accept-Language`` (es / en), one language per response.

Each case lists the whole error body it expects in both languages, so a message left in the
other language (a hard-coded English string in a Spanish answer, or a Spanish service message
in an English one) fails the test.
"""

import pytest
from rest_framework.test import APIClient

from tests.learners.learners_factories import TeacherProfileFactory, UserFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
PASSWORD = "Aprender-2026-seguro"
LANGUAGES = {"es": "es-MX,es;q=0.9", "en": "en-US,en;q=0.9"}


@pytest.fixture
def teacher():
    return TeacherProfileFactory(user=UserFactory(username="ana@example.mx", password=PASSWORD))


@pytest.fixture
def api(teacher) -> APIClient:
    client = APIClient()
    client.force_authenticate(teacher.user)
    return client


def _messages(response) -> list[str]:
    body = response.json()
    return [body["detail"], *(error["message"] for error in body["errors"])]


def _call(client: APIClient, method: str, path: str, language: str, data=None):
    return getattr(client, method)(
        path, data, format="json", HTTP_ACCEPT_LANGUAGE=LANGUAGES[language]
    )


CASES = {
    "token, wrong password": (
        False,
        "post",
        "/api/v1/auth/token/",
        {"username": "ana@example.mx", "password": "otra"},
        400,
        {
            "es": ["No se pudo entrar con ese usuario y contraseña."],
            "en": ["Unable to log in with the given username and password."],
        },
    ),
    "token, missing fields (DRF's own message)": (
        False,
        "post",
        "/api/v1/auth/token/",
        {},
        400,
        {"es": ["Este campo es necesario."], "en": ["This field is required."]},
    ),
    "profile, not signed in (DRF's own message)": (
        False,
        "get",
        "/api/v1/me/",
        None,
        403,  # session authentication comes first, and it answers 403
        {
            "es": ["Las credenciales de autenticación no se proveyeron."],
            "en": ["Authentication credentials were not provided."],
        },
    ),
    "cancel, wrong password": (
        True,
        "post",
        "/api/v1/me/cancel/",
        {"password": "otra", "confirm": True},
        400,
        {"es": ["La contraseña no es correcta."], "en": ["The password is not correct."]},
    ),
    "cancel, confirm false": (
        True,
        "post",
        "/api/v1/me/cancel/",
        {"password": PASSWORD, "confirm": False},
        400,
        {
            "es": ["Pon confirm en true para cancelar la cuenta."],
            "en": ["Set confirm to true to cancel the account."],
        },
    ),
    "enrolment, unknown course (a service's message)": (
        True,
        "post",
        "/api/v1/me/enrollments/",
        {"course": 999999},
        400,
        {
            "es": ["No existe un curso publicado con ese id."],
            "en": ["No published course with this id."],
        },
    ),
    "enrolment, course not a number (DRF's message, in tú)": (
        True,
        "post",
        "/api/v1/me/enrollments/",
        {"course": "abc"},
        400,
        {"es": ["Escribe un número entero válido."], "en": ["A valid integer is required."]},
    ),
    "enrolment, course below 1 (DRF's message, in tú)": (
        True,
        "post",
        "/api/v1/me/enrollments/",
        {"course": 0},
        400,
        {
            "es": ["El valor debe ser mayor o igual a 1."],
            "en": ["Ensure this value is greater than or equal to 1."],
        },
    ),
    "progress, not enrolled": (
        True,
        "get",
        "/api/v1/me/progress/999999/",
        None,
        404,
        {
            "es": ["No tienes inscripción activa en este curso."],
            "en": ["You are not enrolled in this course."],
        },
    ),
    "reports, not a monitor": (
        True,
        "get",
        "/api/v1/reports/summary/",
        None,
        403,
        {
            "es": ["Los reportes son solo para monitores de la SEP."],
            "en": ["Reports are for SEP monitors only."],
        },
    ),
    "catalog, unknown course": (
        False,
        "get",
        "/api/v1/courses/999999/",
        None,
        404,
        {
            "es": ["No existe un curso publicado con ese id."],
            "en": ["No published course with this id."],
        },
    ),
}


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_api_errors_speak_the_requested_language(api, language, case):
    signed_in, method, path, data, status, expected = CASES[case]
    client = api if signed_in else APIClient()
    response = _call(client, method, path, language, data)
    assert response.status_code == status, response.content
    messages = _messages(response)
    # The detail repeats the first error; every message is the expected one, in one language.
    assert set(messages) == set(expected[language]), messages
    assert response["Content-Language"].startswith(language)


def test_without_accept_language_the_api_answers_in_spanish(api):
    response = api.post("/api/v1/me/cancel/", {"password": "otra", "confirm": True}, format="json")
    assert _messages(response) == ["La contraseña no es correcta."] * 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR, en;q=0.5", "Set confirm to true to cancel the account."),
        ("en;q=0.2, es;q=0.8", "Pon confirm en true para cancelar la cuenta."),
        ("fr, de", "Pon confirm en true para cancelar la cuenta."),
        ("*", "Pon confirm en true para cancelar la cuenta."),
        ("en-GB", "Set confirm to true to cancel the account."),
    ],
)
def test_the_first_supported_language_by_quality_wins_else_spanish(api, header, expected):
    response = api.post(
        "/api/v1/me/cancel/",
        {"password": PASSWORD, "confirm": False},
        format="json",
        HTTP_ACCEPT_LANGUAGE=header,
    )
    assert set(_messages(response)) == {expected}


def test_the_site_language_cookie_does_not_override_the_header(api):
    api.cookies["django_language"] = "en"
    response = _call(api, "post", "/api/v1/me/cancel/", "es", {"password": "x", "confirm": True})
    assert set(_messages(response)) == {"La contraseña no es correcta."}
