"""ARCO cancellation and credentials: afterwards the public page and documents say nothing about
the person (no recipient check, no published salted hash); before confirming she is told what
happens to her credentials and can download them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from credentials import baking, services, verification
from credentials.models import Award
from tests.credentials.factories import AchievementFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Aprender-2026-seguro"
EMAIL = "ana.perez@example.mx"


@pytest.fixture
def holder(learner):
    learner.set_password(PASSWORD)
    learner.save()
    return learner


def _cancel_through_the_api(user) -> None:
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        "/api/v1/me/cancel/", {"password": PASSWORD, "confirm": True}, format="json"
    )
    assert response.status_code == 200, response.content


def _page(client, award, email: str) -> str:
    response = client.post(f"/credentials/{award.uuid}/", {"email": email})
    assert response.status_code == 200
    return response.content.decode()


def test_recipient_check_after_cancellation_answers_the_same_for_her_and_any_guess(
    client, holder, award
):
    assert 'data-recipient-match="true"' in _page(client, award, EMAIL)
    old_hash, old_salt = award.recipient_hash, award.recipient_salt

    _cancel_through_the_api(holder)

    right = _page(client, award, EMAIL)
    wrong = _page(client, award, "otra.persona@example.mx")
    assert right == wrong
    assert "data-recipient-match" not in right
    assert 'data-recipient-check="unavailable"' in right
    assert old_hash.split("$")[-1] not in right and old_salt not in right
    award.refresh_from_db()
    assert award.recipient_hash == "" and award.recipient_salt == ""
    assert award.recipient_erased_at is not None
    # Nothing stored can confirm a guess any more.
    assert services.recipient_hash(EMAIL, award.recipient_salt) != award.recipient_hash


def test_page_still_verifies_the_credential_after_cancellation(client, holder, award):
    _cancel_through_the_api(holder)
    html = _page(client, award, "")
    assert "Credencial válida" in html
    assert 'data-check="proof" data-ok="true"' in html
    assert award.achievement.name in html


@pytest.mark.parametrize("document", ["ob3.json", "ob3.jwt", "ob2.json", "badge.png", "badge.svg"])
def test_documents_carrying_the_salted_hash_are_no_longer_published(
    client, holder, award, document
):
    assert client.get(f"/credentials/{award.uuid}/{document}").status_code == 200
    salt = award.recipient_salt
    _cancel_through_the_api(holder)
    response = client.get(f"/credentials/{award.uuid}/{document}")
    assert response.status_code == 404
    assert salt.encode() not in response.content


def test_cancellation_erases_the_stored_copies_that_are_not_needed_to_verify(holder, award):
    _cancel_through_the_api(holder)
    award.refresh_from_db()
    assert award.ob2_assertion is None
    assert award.ob3_jwt == ""
    assert not award.baked_png
    # The signed OB 3.0 credential is the issuer's record of what it signed: it stays, unserved,
    # so the page can still tell whether a copy the holder presents is genuine and unrevoked.
    assert verification.verify_award(award).valid


def test_cancelling_through_the_profile_page_erases_the_recipient_too(client, holder, award):
    client.force_login(holder)
    response = client.post(reverse("learners:cancel"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.recipient_erased_at is not None and award.recipient_hash == ""


def test_a_failed_cancellation_keeps_the_recipient_check(client, holder, award):
    api = APIClient()
    api.force_authenticate(holder)
    response = api.post("/api/v1/me/cancel/", {"password": "mal", "confirm": True}, format="json")
    assert response.status_code == 400
    award.refresh_from_db()
    assert award.recipient_erased_at is None
    assert 'data-recipient-match="true"' in _page(client, award, EMAIL)


def test_other_peoples_credentials_are_untouched(client, holder, award, achievement):
    other = UserFactory(email="luis@example.mx")
    theirs, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=other.pk, source="completion"
    )
    _cancel_through_the_api(holder)
    assert 'data-recipient-match="true"' in _page(client, theirs, "luis@example.mx")
    assert client.get(f"/credentials/{theirs.uuid}/ob3.json").status_code == 200


# --- before confirming: what happens, and the download ----------------------------------------
def test_cancel_page_tells_what_happens_to_the_credentials_and_links_the_download(
    client, holder, award
):
    client.force_login(holder)
    html = client.get(reverse("learners:cancel")).content.decode()
    assert 'data-cancel-notice="credentials"' in html
    assert "1 credencial" in html
    assert "seguirán siendo válidas" in html
    assert "ya no permitirá comprobar" in html
    assert reverse("credentials:wallet_export") in html


def test_cancel_page_without_credentials_shows_no_credentials_notice(client):
    user = UserFactory(email="sin.insignias@example.mx")
    client.force_login(user)
    html = client.get(reverse("learners:cancel")).content.decode()
    assert 'data-cancel-notice="credentials"' not in html


def test_cancel_api_describes_what_happens_before_confirming(holder, award):
    api = APIClient()
    api.force_authenticate(holder)
    response = api.get("/api/v1/me/cancel/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    notices = {notice["key"]: notice for notice in response.json()["notices"]}
    credentials = notices["credentials"]
    assert credentials["count"] == 1
    assert "recipient" in credentials["text"].lower()
    assert credentials["downloads"][0]["url"].endswith("/api/v1/me/credentials/export/")
    award.refresh_from_db()
    assert award.recipient_erased_at is None  # reading the notice cancels nothing
    assert APIClient().get("/api/v1/me/cancel/").status_code in (401, 403)


def test_cancel_api_is_documented_with_the_credentials_consequence(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    cancel = schema["paths"]["/api/v1/me/cancel/"]
    assert "credential" in cancel["post"]["description"].lower()
    assert "/api/v1/me/credentials/export/" in cancel["post"]["description"]
    assert "get" in cancel
    assert "/api/v1/me/credentials/export/" in schema["paths"]


def _zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_wallet_download_has_every_credential_as_ob3_json_jwt_and_baked_images(
    client, holder, award, issuer
):
    second = AchievementFactory(issuer=issuer, name="Pensamiento computacional")
    other, _ = services.award_issue(
        achievement_id=second.pk, user_id=holder.pk, source="completion"
    )
    client.force_login(holder)
    response = client.get(reverse("credentials:wallet_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    archive = _zip(response.content)
    for item in (award, other):
        item.refresh_from_db()
        base = f"{item.uuid}/"
        assert json.loads(archive.read(base + "credential.json")) == item.ob3_credential
        assert archive.read(base + "credential.jwt").decode() == item.ob3_jwt
        png = baking.unbake_png(archive.read(base + "badge.png"))
        assert json.loads(png["openbadgecredential"]) == item.ob3_credential
        assert json.loads(png["openbadges"]) == item.ob2_assertion
        assert baking.unbake_svg(archive.read(base + "badge.svg").decode())
        assert verification.verify_image(archive.read(base + "badge.png")).valid
    assert EMAIL not in b"".join(archive.read(name) for name in archive.namelist()).decode(
        "latin-1"
    )


def test_wallet_download_through_the_api_holds_only_her_credentials(holder, award, achievement):
    other = UserFactory(email="luis@example.mx")
    theirs, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=other.pk, source="completion"
    )
    api = APIClient()
    api.force_authenticate(holder)
    response = api.get("/api/v1/me/credentials/export/")
    assert response.status_code == 200
    names = _zip(response.content).namelist()
    assert any(name.startswith(f"{award.uuid}/") for name in names)
    assert not any(name.startswith(f"{theirs.uuid}/") for name in names)


def test_wallet_download_needs_sign_in(client):
    assert client.get(reverse("credentials:wallet_export")).status_code == 302
    assert APIClient().get("/api/v1/me/credentials/export/").status_code in (401, 403)


def test_wallet_download_includes_revoked_credentials_marked_as_such(client, holder, award):
    services.award_revoke(award_id=award.pk, reason="Plagio comprobado")
    client.force_login(holder)
    archive = _zip(client.get(reverse("credentials:wallet_export")).content)
    index = json.loads(archive.read("index.json"))
    assert index[0]["id"] == str(award.uuid) and index[0]["revoked"] is True
    assert Award.objects.get(pk=award.pk).revoked_at is not None


def test_copies_downloaded_before_cancelling_still_verify_afterwards(client, holder, award):
    client.force_login(holder)
    archive = _zip(client.get(reverse("credentials:wallet_export")).content)
    client.logout()
    base = f"{award.uuid}/"
    credential = json.loads(archive.read(base + "credential.json"))
    jwt = archive.read(base + "credential.jwt").decode()
    png = archive.read(base + "badge.png")
    _cancel_through_the_api(holder)
    assert verification.verify_json(credential).valid
    assert verification.verify_jwt(jwt).valid
    assert verification.verify_image(png).valid  # the OB 3.0 credential baked in it
    # The OB 2.0 hosted assertion is no longer published, so its hosted check fails, plainly.
    only_ob2 = baking.bake_png(
        services.achievement_base_png(award.achievement),
        baking.unbake_png(png)["openbadges"],
        keyword=baking.OB2_KEYWORD,
    )
    report = verification.verify_image(only_ob2)
    assert not report.valid
    assert "no longer published" in report.checks["proof"].reason
