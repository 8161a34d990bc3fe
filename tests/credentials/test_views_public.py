"""Public pages and documents under /credentials/: no sign-in, stable URLs, both languages."""

from __future__ import annotations

import json

import pytest

from credentials import baking, documents, services, status_lists, verification
from tests.credentials.factories import (
    AchievementAlignmentFactory,
    EndorsementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_verification_page_shows_what_was_achieved_in_spanish(client, award, achievement):
    AchievementAlignmentFactory(achievement=achievement, target_code="EC0217")
    endorsement = EndorsementFactory(achievement=achievement, endorser__name="CANACINTRA")
    services.endorsement_sign(endorsement_id=endorsement.pk)
    response = client.get(f"/credentials/{award.uuid}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Credencial válida" in html
    assert achievement.name in html
    assert "Secretaría de Educación Pública" in html
    assert "EC0217" in html
    assert "CANACINTRA" in html
    assert "data-hours>20<" in html
    assert 'data-check="proof" data-ok="true"' in html
    assert "ana.perez@example.mx" not in html


def test_verification_page_is_not_indexed_and_names_targets_without_slugs(
    client, award, achievement
):
    # It carries the holder's full name: search engines must not list it.
    AchievementAlignmentFactory(
        achievement=achievement,
        framework="sector",
        target_code="tecnologias-de-la-informacion",
        target_name="Tecnologías de la información",
    )
    html = client.get(f"/credentials/{award.uuid}/").content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "Tecnologías de la información" in html
    assert "tecnologias-de-la-informacion" not in html.split('id="alignment-heading"')[1]


def test_verification_page_in_english(client, award):
    response = client.get(f"/credentials/{award.uuid}/?lang=en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Valid credential" in html
    assert "What it certifies" in html


def test_verification_page_shows_revocation(client, award):
    services.award_revoke(award_id=award.pk, reason="Plagio comprobado")
    html = client.get(f"/credentials/{award.uuid}/").content.decode()
    assert "Credencial revocada" in html
    assert "Plagio comprobado" in html
    assert 'data-check="status" data-ok="false"' in html


def test_recipient_check_by_email_on_the_page(client, award):
    yes = client.post(f"/credentials/{award.uuid}/", {"email": "Ana.Perez@example.mx"})
    assert 'data-recipient-match="true"' in yes.content.decode()
    no = client.post(f"/credentials/{award.uuid}/", {"email": "otra@example.mx"})
    assert 'data-recipient-match="false"' in no.content.decode()


def test_unknown_or_malformed_credential_ids_are_404(client):
    assert client.get("/credentials/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/credentials/not-a-uuid/").status_code == 404
    assert (
        client.get("/credentials/00000000-0000-0000-0000-000000000000/ob3.json").status_code == 404
    )
    assert client.get("/credentials/issuers/nadie/jwks.json").status_code == 404
    assert (
        client.get("/credentials/achievements/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


def test_json_documents_at_stable_urls(client, award, achievement):
    ob3 = client.get(f"/credentials/{award.uuid}/ob3.json")
    assert ob3.status_code == 200
    assert ob3["Content-Type"] == "application/ld+json"
    assert ob3.json() == award.ob3_credential
    assert ob3.json()["id"] == f"http://testserver/credentials/{award.uuid}/ob3.json"
    jwt = client.get(f"/credentials/{award.uuid}/ob3.jwt")
    assert jwt.content.decode() == award.ob3_jwt
    ob2 = client.get(f"/credentials/{award.uuid}/ob2.json").json()
    assert ob2["type"] == "Assertion"
    badgeclass = client.get(ob2["badge"].replace("http://testserver", "")).json()
    assert badgeclass["type"] == "BadgeClass"
    issuer_doc = client.get(badgeclass["issuer"].replace("http://testserver", "")).json()
    assert issuer_doc["type"] == "Issuer"
    revocations = client.get(issuer_doc["revocationList"].replace("http://testserver", "")).json()
    assert revocations["revokedAssertions"] == []
    image = client.get(badgeclass["image"].replace("http://testserver", ""))
    assert image["Content-Type"] == "image/png"
    achievement_doc = client.get(f"/credentials/achievements/{achievement.uuid}/").json()
    assert achievement_doc["type"] == ["Achievement"]
    profile = client.get("/credentials/issuers/sep/").json()
    assert profile["id"] == "did:web:testserver:credentials:issuers:sep"


def test_revoked_ob2_assertion_answers_410_with_revoked_true(client, award):
    services.award_revoke(award_id=award.pk, reason="Duplicada")
    response = client.get(f"/credentials/{award.uuid}/ob2.json")
    assert response.status_code == 410
    assert response.json()["revoked"] is True
    listed = client.get("/credentials/issuers/sep/ob2-revocations.json").json()
    assert listed["revokedAssertions"][0]["revocationReason"] == "Duplicada"


def test_jwks_and_did_document_publish_every_key_including_retired(client, award, issuer):
    old_kid = award.ob3_credential["proof"][0]["verificationMethod"].split("#")[1]
    services.signing_key_rotate(issuer_id=issuer.pk, algorithm="ed25519")
    jwks = client.get("/credentials/issuers/sep/jwks.json").json()
    kids = [key["kid"] for key in jwks["keys"]]
    assert old_kid in kids and len(kids) == 3
    assert all("d" not in key for key in jwks["keys"])
    did = client.get("/credentials/issuers/sep/did.json")
    assert did["Content-Type"] == "application/did+ld+json"
    document = did.json()
    assert document["id"] == "did:web:testserver:credentials:issuers:sep"
    method_ids = [method["id"] for method in document["verificationMethod"]]
    assert f"{document['id']}#{old_kid}" in method_ids
    assert set(document["assertionMethod"]) == set(method_ids)
    assert documents.did_web_to_url(document["id"]) == (
        "https://testserver/credentials/issuers/sep/did.json"
    )


def test_revocation_lists_reflect_revocation(client, award):
    status_url = award.ob3_credential["credentialStatus"]["statusListCredential"]
    before = client.get(status_url.replace("http://testserver", "")).json()
    index = int(award.ob3_credential["credentialStatus"]["statusListIndex"])
    assert not status_lists.is_set(before["credentialSubject"]["encodedList"], index)
    assert verification.verify_json(before).checks["proof"].ok
    services.award_revoke(award_id=award.pk, reason="Error")
    after = client.get(status_url.replace("http://testserver", "")).json()
    assert after["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_lists.is_set(after["credentialSubject"]["encodedList"], index)
    assert verification.verify_json(after).checks["proof"].ok
    edtech = client.get("/credentials/issuers/sep/revocations.json").json()
    assert edtech["revokedCredential"][0]["id"] == award.ob3_credential["id"]
    assert edtech["revokedCredential"][0]["revoked"] is True


def test_baked_png_and_svg_downloads_carry_the_credential(client, award):
    png = client.get(f"/credentials/{award.uuid}/badge.png").content
    assert json.loads(baking.unbake_png(png)["openbadgecredential"]) == award.ob3_credential
    svg = client.get(f"/credentials/{award.uuid}/badge.svg").content.decode()
    assert json.loads(baking.unbake_svg(svg)["openbadgecredential"]) == award.ob3_credential
    assert verification.verify_image(svg.encode()).valid


def test_baked_png_carries_the_served_ob2_assertion_itself(client, award):
    # OB 2.0 baking: the iTXt "openbadges" text is the assertion JSON (or a JWS), not its URL.
    png = client.get(f"/credentials/{award.uuid}/badge.png").content
    baked = baking.unbake_png(png)["openbadges"]
    served = client.get(f"/credentials/{award.uuid}/ob2.json")
    assert served.status_code == 200
    assert json.loads(baked) == json.loads(served.content)
    assert json.loads(baked)["recipient"]["identity"] == award.recipient_hash
    assert "ana.perez@example.mx" not in baked


def test_png_baked_with_only_the_ob2_assertion_verifies_as_hosted(client, award):
    png = client.get(f"/credentials/{award.uuid}/badge.png").content
    only_ob2 = baking.bake_png(
        services.achievement_base_png(award.achievement),
        baking.unbake_png(png)["openbadges"],
        keyword=baking.OB2_KEYWORD,
    )
    report = verification.verify_image(only_ob2)
    assert report.format == "baked-png:ob2-hosted"
    assert report.valid
    services.award_revoke(award_id=award.pk, reason="Plagio comprobado")
    assert not verification.verify_image(only_ob2).valid


def test_certificate_is_for_the_learner_only(client, award, learner):
    url = f"/credentials/{award.uuid}/certificate/"
    assert client.get(url).status_code == 302  # to sign-in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(learner)
    from tests.learners.learners_factories import TeacherProfileFactory

    TeacherProfileFactory(user=learner, first_name="Ana", paternal_surname="Pérez")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ana Pérez López" in html and "<svg" in html
    pdf = client.get(f"/credentials/{award.uuid}/certificate.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_staff_with_view_permission_may_open_a_certificate(client, award):
    staff = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)
    assert client.get(f"/credentials/{award.uuid}/certificate.pdf").status_code == 200


def test_wallet_page_lists_downloads_share_and_linkedin(client, award, learner):
    assert client.get("/credentials/wallet/").status_code == 302
    client.force_login(learner)
    html = client.get("/credentials/wallet/").content.decode()
    assert str(award.uuid) in html
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in html
    assert f"http://testserver/credentials/{award.uuid}/" in html
    assert "badge.png" in html and "ob3.jwt" in html
    client.force_login(UserFactory())
    assert str(award.uuid) not in client.get("/credentials/wallet/").content.decode()


def test_post_to_public_documents_is_refused(client, award):
    assert client.post(f"/credentials/{award.uuid}/ob3.json").status_code == 405
    # The verification page takes a POST only for the recipient check; other writes are 405.
    assert client.put(f"/credentials/{award.uuid}/").status_code == 405
    assert client.delete(f"/credentials/{award.uuid}/").status_code == 405


def test_alignment_page_describes_a_target_without_its_own_url(client, achievement):
    AchievementAlignmentFactory(achievement=achievement, target_code="EC0301")
    response = client.get("/credentials/alignments/conocer/EC0301")
    assert response.status_code == 200
    assert "EC0301" in response.content.decode()
    assert client.get("/credentials/alignments/conocer/EC9999").status_code == 404


def test_jwks_still_answers_when_the_key_policy_forbids_creating_keys(client, issuer, settings):
    settings.LMS_ALLOW_PLAINTEXT_SIGNING_KEYS = False
    settings.LMS_KEY_ENCRYPTION_KEY = ""
    response = client.get("/credentials/issuers/sep/jwks.json")
    assert response.status_code == 200
    assert response.json() == {"keys": []}


def test_the_course_page_links_the_learner_to_her_own_credential_only(client, issuer, learner):
    from tests.courses.factories import build_course
    from tests.credentials.factories import AchievementFactory

    course = build_course(modules=1, lessons=1, slug="con-insignia")
    achievement = AchievementFactory(issuer=issuer, name="Robótica", course=course)
    award, _created = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion", score=0.9
    )
    link = f'href="/credentials/{award.uuid}/"'
    assert link not in client.get(course.url).content.decode()  # signed out
    client.force_login(UserFactory(username="otra", email="otra@example.mx"))
    assert link not in client.get(course.url).content.decode()  # someone else
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert link in html and "Ver tu credencial «Robótica»" in html
    services.award_revoke(award_id=award.pk, reason="error")
    assert link not in client.get(course.url).content.decode()  # revoked: no longer offered
