"""A teacher and an employer in Debian's Chromium: the certificate names her from her teacher
profile; the verification page fits a 360 px phone in both languages; a revoked credential
is unmistakable; the recipient check never puts the address in the URL."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from credentials import services
from tests.credentials.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.learners.learners_factories import TeacherProfileFactory

SHOTS = Path(os.environ.get("LMS_BROWSER_SCREENSHOTS", "/tmp/capacita-credentials-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issued(live_server, settings):
    # Ids and links of the credential point at the live server, as in production.
    settings.LMS_SITE_URL = live_server.url
    issuer = IssuerFactory(
        slug="sep-browser",
        name="Secretaría de Educación Pública",
        url="https://www.gob.mx/sep",
    )
    achievement = AchievementFactory(
        issuer=issuer, name="Inteligencia artificial generativa para la planeación didáctica"
    )
    learner = UserFactory(username="docente-navegador", email="lupita@example.mx")
    TeacherProfileFactory(
        user=learner,
        first_name="María Guadalupe",
        paternal_surname="Núñez",
        maternal_surname="Güemes",
    )
    award, _created = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    return award, learner


def _phone(browser, live_server, *, locale: str = "es-MX", session: str | None = None):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale)
    if session:
        host = urlsplit(live_server.url).hostname
        context.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _no_horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_certificate_names_her_from_her_profile(live_server, browser, issued):
    award, learner = issued
    client = Client()
    client.force_login(learner)
    page = _phone(browser, live_server, session=client.cookies["sessionid"].value)
    page.goto(f"{live_server.url}/credentials/wallet/")
    page.get_by_role("link", name="Constancia para imprimir").click()
    page.wait_for_url(f"**/credentials/{award.uuid}/certificate/")
    name = page.locator("[data-learner-name]")
    assert name.inner_text() == "María Guadalupe Núñez Güemes"
    body = page.locator("main").inner_text()
    assert "lupita@example.mx" not in body and "docente-navegador" not in body
    assert page.locator(".certificate svg").count() == 1  # the QR code
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "certificate-360.png"), full_page=True)
    assert _no_horizontal_overflow(page) <= 360
    # Printed, only the certificate remains (no header, footer or buttons).
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Imprimir").is_visible()
    assert name.is_visible()


def test_signed_out_certificate_link_goes_to_the_site_login(live_server, browser, issued):
    award, _learner = issued
    page = _phone(browser, live_server)
    page.goto(f"{live_server.url}/credentials/{award.uuid}/certificate/")
    assert urlsplit(page.url).path == "/cuenta/entrar/"
    assert "/admin/" not in page.url


@pytest.mark.parametrize(
    ("path", "locale", "heading"),
    [
        ("/credentials/{uuid}/", "es-MX", "Comprobaciones"),
        ("/en/credentials/{uuid}/", "en-US", "Checks"),
    ],
)
def test_verification_page_fits_a_phone(live_server, browser, issued, path, locale, heading):
    award, _learner = issued
    page = _phone(browser, live_server, locale=locale)
    page.goto(live_server.url + path.format(uuid=award.uuid))
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator("[data-holder]").inner_text() == "María Guadalupe Núñez Güemes"
    # The long did:web id is in the collapsed technical details.
    details = page.locator("details.technical")
    assert details.get_attribute("open") is None
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"verify-{locale}-360.png"), full_page=True)
    assert _no_horizontal_overflow(page) <= 360
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert _no_horizontal_overflow(page) <= 360
    page.screenshot(path=str(SHOTS / f"verify-{locale}-details-360.png"), full_page=True)


def test_revoked_credential_page_is_unmistakable(live_server, browser, issued):
    award, _learner = issued
    services.award_revoke(award_id=award.pk, reason="Se detectó plagio en la evidencia")
    page = _phone(browser, live_server)
    page.goto(f"{live_server.url}/credentials/{award.uuid}/")
    verdict = page.locator(".verdict")
    assert "Credencial revocada" in verdict.inner_text()
    assert "Se detectó plagio" in verdict.inner_text()
    colour = verdict.evaluate("element => getComputedStyle(element).borderTopColor")
    assert colour == "rgb(155, 28, 28)"
    badge_filter = page.locator(".credential-header img").evaluate(
        "element => getComputedStyle(element).filter"
    )
    assert "grayscale" in badge_filter
    status = page.locator('[data-check="status"]')
    assert status.get_attribute("data-ok") == "false"
    assert "Revocada el" in status.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "verify-revoked-360.png"), full_page=True)
    assert _no_horizontal_overflow(page) <= 360


def test_recipient_check_keeps_the_address_out_of_the_url(live_server, browser, issued):
    award, _learner = issued
    page = _phone(browser, live_server)
    page.goto(f"{live_server.url}/credentials/{award.uuid}/")
    page.get_by_label("Correo electrónico").fill("lupita@example.mx")
    page.get_by_role("button", name="Comprobar").click()
    match = page.locator("[data-recipient-match]")
    match.wait_for()
    assert match.get_attribute("data-recipient-match") == "true"
    assert "lupita" not in page.url and "example.mx" not in page.url
