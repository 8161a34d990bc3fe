"""The person's credential pages: the certificate names her from her teacher profile, dates in
words, both languages, the site's login, the recipient check by POST, revoked and expired
credentials shown unmistakably, Open Graph tags, and the links that lead to the wallet."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
from django.utils import timezone, translation

from credentials import certificates, services
from learners import services as learner_services
from tests.credentials.factories import UserFactory
from tests.learners.learners_factories import TeacherProfileFactory

pytestmark = pytest.mark.django_db

EMAIL = "ana.perez@example.mx"


@pytest.fixture
def profile(learner):
    # The account's own first/last name ("Ana Pérez") and username ("ana") differ from the
    # profile's, so a test can tell which one a page used.
    return TeacherProfileFactory(
        user=learner,
        first_name="María Guadalupe",
        paternal_surname="Núñez",
        maternal_surname="Güemes",
    )


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the certificate --------------------------------------------------------------------------
def test_certificate_names_the_person_from_her_teacher_profile(client, learner, profile, award):
    client.force_login(learner)
    html = _html(client.get(f"/credentials/{award.uuid}/certificate/"))
    assert "María Guadalupe Núñez Güemes" in html
    assert "data-learner-name>María Guadalupe Núñez Güemes<" in html
    assert EMAIL not in html
    assert "Ana Pérez" not in html


def test_certificate_pdf_names_the_person_with_spanish_letters(client, learner, profile, award):
    client.force_login(learner)
    response = client.get(f"/credentials/{award.uuid}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # The file is named with the page's word for it ("Constancia (PDF)"; "Certificate" in English).
    assert f'filename="constancia-{award.uuid}.pdf"' in response["Content-Disposition"]
    english = client.get(f"/credentials/{award.uuid}/certificate.pdf?lang=en")
    assert f'filename="certificate-{award.uuid}.pdf"' in english["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "María Guadalupe Núñez Güemes" in text
    assert "Ana Pérez" not in text and EMAIL not in text
    assert "Constancia de logro" in text
    assert f"/credentials/{award.uuid}/" in text.replace("\n", "")


def test_certificate_pdf_in_english_has_the_date_in_english_words(client, learner, profile, award):
    award.issued_at = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
    award.save(update_fields=["issued_at"])
    client.force_login(learner)
    text = _pdf_text(client.get(f"/credentials/{award.uuid}/certificate.pdf?lang=en").content)
    assert "December 1, 2026" in text
    assert "Certificate of achievement" in text or "María Guadalupe" in text


def test_certificate_without_a_profile_name_never_falls_back_to_username_or_email(
    client, learner, award
):
    client.force_login(learner)
    html = _html(client.get(f"/credentials/{award.uuid}/certificate/"))
    assert "data-learner-name><" in html
    assert EMAIL not in html
    assert ">ana<" not in html
    assert "Ana Pérez" not in html
    # She is told where to write her name.
    assert "/cuenta/perfil/" in html
    assert EMAIL not in _pdf_text(client.get(f"/credentials/{award.uuid}/certificate.pdf").content)


def test_certificate_dates_are_in_words_in_the_page_language(client, learner, profile, award):
    award.issued_at = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
    award.save(update_fields=["issued_at"])
    client.force_login(learner)
    spanish = _html(client.get(f"/credentials/{award.uuid}/certificate/"))
    assert "1 de diciembre de 2026" in spanish
    english = _html(client.get(f"/en/credentials/{award.uuid}/certificate/"))
    assert "December 1, 2026" in english
    assert "Certificate of achievement" in english or "Constancia de logro" not in english


def test_date_in_words_uses_mexico_city_time():
    # 03:00 UTC on 2 December is still 1 December in Mexico City.
    moment = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)
    assert certificates.date_in_words(moment, language="es-mx") == "1 de diciembre de 2026"
    assert certificates.date_in_words(moment, language="en") == "December 1, 2026"


def test_certificate_shows_issuer_hours_alignment_qr_and_a_readable_address(
    client, learner, profile, award, achievement
):
    from tests.credentials.factories import AchievementAlignmentFactory

    AchievementAlignmentFactory(achievement=achievement, target_code="EC0217")
    client.force_login(learner)
    html = _html(client.get(f"/credentials/{award.uuid}/certificate/"))
    assert "Secretaría de Educación Pública" in html
    assert "data-hours>20 horas<" in html
    assert "EC0217" in html
    assert "<svg" in html
    assert f">testserver/credentials/{award.uuid}/<" in html
    assert "@page" not in html  # the print rules live in the stylesheet
    assert "credentials/credentials.css" in html


def test_signed_out_certificate_goes_to_the_site_login_not_the_admin(client, award):
    for path in (
        f"/credentials/{award.uuid}/certificate/",
        f"/credentials/{award.uuid}/certificate.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/cuenta/entrar/?next=")
        assert "/admin/" not in response["Location"]
    english = client.get(f"/en/credentials/{award.uuid}/certificate/")
    assert english["Location"].startswith("/en/cuenta/entrar/?next=")
    assert client.get("/credentials/wallet/")["Location"].startswith("/cuenta/entrar/")


def test_someone_else_cannot_open_her_certificate(client, award, profile):
    client.force_login(UserFactory(username="otro", email="otro@example.mx"))
    assert client.get(f"/credentials/{award.uuid}/certificate/").status_code == 404
    assert client.get(f"/credentials/{award.uuid}/certificate.pdf").status_code == 404


# --- the verification page --------------------------------------------------------------------
def test_verification_page_names_the_holder_as_on_the_certificate(client, profile, award):
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    assert "data-holder>María Guadalupe Núñez Güemes<" in html
    assert EMAIL not in html


def test_after_arco_cancellation_the_page_shows_nothing_about_her(client, learner, profile, award):
    learner_services.teacher_account_cancel(user=learner)
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    assert "María" not in html and "Núñez" not in html and "data-holder" not in html
    assert EMAIL not in html


def test_verification_checks_are_plain_words_in_the_page_language(client, award):
    spanish = _html(client.get(f"/credentials/{award.uuid}/"))
    # The issuer's name is data without its article ("la Secretaría…", "el CONOCER"): the
    # sentences name it after a colon instead of reading "emitida por Secretaría…".
    assert "Firma digital válida del emisor: Secretaría de Educación Pública" in spanish
    assert "No ha sido revocada" in spanish
    assert "Emisor: Secretaría de Educación Pública" in spanish
    assert "emitida por Secretaría" not in spanish and "Emitida por Secretaría" not in spanish
    for english_text in (
        "Signature verified",
        "Not revoked",
        "status lists checked",
        "Signed with",
    ):
        assert english_text not in spanish
    english = _html(client.get(f"/en/credentials/{award.uuid}/"))
    assert "Valid digital signature from the issuer: Secretaría de Educación Pública" in english
    assert "Not revoked" in english
    assert "Firma digital" not in english


def test_technical_details_are_collapsed(client, award):
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    details = html[html.index('<details class="technical">') :]
    assert "<summary>Detalles técnicos</summary>" in details
    assert "did:web:" in details
    assert f"/credentials/{award.uuid}/ob3.json" in details
    before = html[: html.index('<details class="technical">')]
    assert "did:web:" not in before.split("</head>", 1)[1]
    assert "ob3.json" not in before.split("</head>", 1)[1]


def test_open_graph_tags_show_the_badge_and_title(client, award, achievement):
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    assert f'<meta property="og:title" content="{achievement.name}">' in html
    assert (
        f'<meta property="og:image" content="http://testserver/credentials/{award.uuid}/badge.png">'
        in html
    )
    assert f'<meta property="og:url" content="http://testserver/credentials/{award.uuid}/">' in html
    english = _html(client.get(f"/en/credentials/{award.uuid}/"))
    assert f'content="http://testserver/en/credentials/{award.uuid}/"' in english
    assert 'og:locale" content="en_US"' in english


def test_revoked_credential_is_unmistakable(client, award, achievement):
    services.award_revoke(award_id=award.pk, reason="Plagio comprobado")
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    assert 'data-state="revoked"' in html
    assert 'class="verdict verdict-revoked"' in html
    assert "Credencial revocada" in html and "Plagio comprobado" in html
    assert "credential-header badge-void" in html
    assert "Revocada el" in html
    assert 'data-check="status" data-ok="false"' in html
    assert "(revocada)" in html  # in the og:title and the badge's alternative text


def test_expired_credential_is_unmistakable(client, award):
    award.valid_until = timezone.now() - dt.timedelta(days=1)
    award.save(update_fields=["valid_until"])
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    assert "Credencial vencida" in html
    assert 'data-state="expired"' in html and "credential-header badge-void" in html
    assert "Venció el" in html


def test_recipient_check_is_a_post_and_a_get_never_checks(client, award):
    html = _html(client.get(f"/credentials/{award.uuid}/"))
    assert '<form method="post" class="recipient-form"' in html
    # An address in the URL (old links, a crafted link) is ignored: no check is made.
    ignored = _html(client.get(f"/credentials/{award.uuid}/", {"email": EMAIL}))
    assert "data-recipient-match" not in ignored
    yes = client.post(f"/credentials/{award.uuid}/", {"email": EMAIL.upper()})
    assert 'data-recipient-match="true"' in _html(yes)
    assert yes["Cache-Control"] == "private, no-store"
    assert 'data-recipient-match="false"' in _html(
        client.post(f"/credentials/{award.uuid}/", {"email": "otra@example.mx"})
    )


@pytest.mark.parametrize("bad", ["", "   ", "sin-arroba", "a@" + "b" * 300, "x\x00@y.mx"])
def test_recipient_check_with_a_malformed_address_says_which_rule(client, award, bad):
    response = client.post(f"/credentials/{award.uuid}/", {"email": bad})
    html = _html(response)
    assert "data-recipient-match" not in html
    assert 'id="email-error"' in html
    assert "correo electrónico completo" in html


def test_recipient_check_logs_no_address(client, award, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(f"/credentials/{award.uuid}/", {"email": EMAIL})
    assert EMAIL not in caplog.text


def test_recipient_check_needs_the_csrf_token(award):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/credentials/{award.uuid}/", {"email": EMAIL}).status_code == 403


# --- English pages and the links to the wallet ------------------------------------------------
def test_english_pages_live_under_en(client, learner, award):
    assert 'lang="en"' in _html(client.get(f"/en/credentials/{award.uuid}/"))
    client.force_login(learner)
    wallet = _html(client.get("/en/credentials/wallet/"))
    assert "My credentials" in wallet
    assert f'href="/en/credentials/{award.uuid}/certificate/"' in wallet
    assert f'value="http://testserver/en/credentials/{award.uuid}/"' in wallet


def test_credential_ids_never_take_a_language_prefix(client, award):
    with translation.override("en"):
        issued, _created = services.award_issue(
            achievement_id=award.achievement_id,
            user_id=UserFactory(username="bea", email="bea@example.mx").pk,
            source="completion",
        )
    assert "/en/" not in issued.ob3_credential["id"]
    assert client.get(f"/en/credentials/{award.uuid}/ob3.json").status_code in (200, 404)


def test_header_links_the_wallet_when_signed_in(client, learner):
    signed_out = client.get("/cuenta/entrar/").content.decode()
    assert "Mis credenciales" not in signed_out
    client.force_login(learner)
    html = client.get("/credentials/wallet/").content.decode()
    assert '<a href="/credentials/wallet/">Mis credenciales</a>' in html
    english = client.get("/en/credentials/wallet/").content.decode()
    assert '<a href="/en/credentials/wallet/">My credentials</a>' in english


def test_completed_course_page_links_her_badge_and_wallet(rf, learner, award, achievement):
    from credentials.wagtail_hooks import course_page_microcredentials
    from tests.courses.factories import build_course

    course = build_course(title="IA en el aula", modules=1, lessons=1)
    achievement.course = course
    achievement.save(update_fields=["course"])
    request = rf.get("/")
    request.user = learner
    with translation.override("es-mx"):
        html = course_page_microcredentials(request, course)
    assert f'data-held="{award.uuid}"' in html
    assert 'href="/credentials/wallet/"' in html
    assert f'href="/credentials/{award.uuid}/certificate/"' in html
    request.user = UserFactory(username="otra", email="otra@example.mx")
    with translation.override("es-mx"):
        other = course_page_microcredentials(request, course)
    assert "data-held" not in other and "Al completar el curso obtienes" in other
