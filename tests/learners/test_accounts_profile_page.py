"""The profile page (/cuenta/perfil/): the teacher's data and school, forms that keep what was
typed when a submit fails, messages in «tú»."""

import re
from html import unescape

import pytest

from tests.learners.learners_factories import (  # noqa: F401
    SchoolFactory,
    TeacherProfileFactory,
    UserFactory,
    seeded_subsystems,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
PROFILE = "/cuenta/perfil/"


@pytest.fixture
def teacher(client):
    school = SchoolFactory(cct="14DCT0001S", state="14", name="CBTis 1 de Guadalajara")
    profile = TeacherProfileFactory(
        user=UserFactory(username="gil@example.mx", email="gil@example.mx"),
        first_name="Gilberto",
        paternal_surname="Paz",
        maternal_surname="Núñez",
        state="14",
        school=school,
        position="directivo",
    )
    client.force_login(profile.user)
    return profile


def _facts(html: str) -> dict[str, str]:
    block = re.search(r'<dl class="profile-facts">(.*?)</dl>', html, re.S).group(1)
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S)
    return {unescape(dt): unescape(re.sub(r"\s+", " ", dd)).strip() for dt, dd in pairs}


def _data(**overrides: str) -> dict[str, str]:
    data = {
        "email": "gil@example.mx",
        "first_name": "Gilberto",
        "paternal_surname": "Paz",
        "maternal_surname": "Núñez",
        "state": "14",
        "subsystem": "",
        "cct": "14DCT0001S",
        "position": "directivo",
    }
    data.update(overrides)
    return data


def test_the_profile_shows_the_teachers_data_and_school(client, teacher):
    facts = _facts(client.get(PROFILE).content.decode())
    assert facts["Nombre"] == "Gilberto Paz Núñez"
    assert facts["Correo electrónico"] == "gil@example.mx"
    assert facts["CURP"] == teacher.curp
    assert facts["Entidad"] == "Jalisco"
    assert facts["Escuela"] == "CBTis 1 de Guadalajara (14DCT0001S)"
    assert facts["Función"] == teacher.get_position_display()


def test_a_profile_without_school_says_so(client, teacher):
    teacher.school = None
    teacher.save()
    assert _facts(client.get(PROFILE).content.decode())["Escuela"] == "Sin escuela registrada"


def test_the_profile_in_english(client, teacher):
    facts = _facts(client.get("/en" + PROFILE).content.decode())
    assert facts["State"] == "Jalisco"
    assert facts["Name"] == "Gilberto Paz Núñez"


def test_a_failed_profile_submit_keeps_what_was_typed_and_speaks_tu(client, teacher):
    SchoolFactory(cct="19DCT0001X", state="19")
    response = client.post(
        PROFILE,
        _data(email="no-es-correo", first_name="Gil", cct="19DCT0001X", position="docente"),
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Escribe un correo electrónico válido" in html
    assert "La escuela 19DCT0001X está en Nuevo León, no en Jalisco." in html
    assert 'value="no-es-correo"' in html
    assert 'value="Gil"' in html
    assert 'value="19DCT0001X"' in html
    assert re.search(r'<option value="docente" selected>', html)
    teacher.refresh_from_db()
    assert (teacher.first_name, teacher.position) == ("Gilberto", "directivo")


def test_a_saved_profile_says_so_in_tu(client, teacher):
    response = client.post(PROFILE, _data(first_name="Gil"), follow=True)
    assert "Tus datos se guardaron." in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.first_name == "Gil"


def _main(html: str) -> str:
    # The header's "Mis credenciales" does not count: the profile itself links the wallet.
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(
    ("prefix", "link"),
    [
        ("", '<a href="/credentials/wallet/">Mis credenciales</a>'),
        ("/en", '<a href="/en/credentials/wallet/">My credentials</a>'),
    ],
)
def test_the_profile_links_her_wallet(client, teacher, prefix, link):
    assert link in _main(client.get(prefix + PROFILE).content.decode())
