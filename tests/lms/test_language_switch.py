"""English and Spanish on pages outside Wagtail's tree (account, wallet): the header's switch to
the other language, and words that come from data (the subsystem "Otro")."""

import pytest

pytestmark = pytest.mark.django_db


def _switch(html: str) -> str:
    start = html.index('<nav aria-label="')
    return html[start : html.index("</nav>", start)]


@pytest.mark.parametrize(
    ("path", "other", "label"),
    [
        ("/cuenta/entrar/", "/en/cuenta/entrar/", "English"),
        ("/en/cuenta/entrar/", "/cuenta/entrar/", "Español"),
        ("/cuenta/registro/", "/en/cuenta/registro/", "English"),
        ("/en/cuenta/registro/", "/cuenta/registro/", "Español"),
    ],
)
def test_sign_in_and_sign_up_link_to_the_other_language(client, path, other, label):
    nav = _switch(client.get(path).content.decode())
    assert f'href="{other}"' in nav and f">{label}</a>" in nav


def test_profile_and_wallet_link_to_the_other_language(client):
    from tests.learners.learners_factories import TeacherProfileFactory

    client.force_login(TeacherProfileFactory().user)
    for path, other in (
        ("/cuenta/perfil/", "/en/cuenta/perfil/"),
        ("/en/cuenta/perfil/", "/cuenta/perfil/"),
        ("/credentials/wallet/", "/en/credentials/wallet/"),
        ("/en/credentials/wallet/", "/credentials/wallet/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'href="{other}"' in _switch(response.content.decode()), path


def test_a_page_not_found_has_no_switch(client):
    # A 404 has no "other language" of a thing that does not exist.
    html = client.get("/no-existe/").content.decode()
    assert "hreflang" not in _switch(html)


def test_the_subsystem_other_reads_in_english_on_english_pages(client):
    # Subsystems are acronyms (DGETI, CONALEP) in both languages, except the catch-all "Otro".
    from learners.models import Subsystem
    from tests.learners.learners_factories import TeacherProfileFactory

    other, _ = Subsystem.objects.get_or_create(code="otro", defaults={"name": "Otro"})
    client.force_login(TeacherProfileFactory(subsystem=other).user)
    html = client.get("/en/cuenta/perfil/").content.decode()
    assert "<dd>Other</dd>" in html and ">Otro<" not in html
    assert "<dd>Otro</dd>" in client.get("/cuenta/perfil/").content.decode()
