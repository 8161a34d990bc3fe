"""Credentials API: public verify, the learner's wallet, staff award and revoke."""

from __future__ import annotations

import base64
import copy

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from credentials import badge_images, services
from credentials.models import AuditEvent, Award
from tests.credentials.factories import AchievementFactory, UserFactory

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/credentials/verify"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def _png_bytes(award: Award) -> bytes:
    with award.baked_png.open("rb") as handle:
        return handle.read()


# --- verify -------------------------------------------------------------------------------------
def test_verify_accepts_a_jwt_without_sign_in(api, award):
    response = api.post(VERIFY, {"jwt": award.ob3_jwt}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["format"] == "vc-jwt"
    assert set(body["checks"]) == {"proof", "status", "validity", "issuer"}
    assert all(check["ok"] and check["reason"] for check in body["checks"].values())


def test_verify_accepts_a_json_credential(api, award):
    response = api.post(VERIFY, {"credential": award.ob3_credential}, format="json")
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert response.json()["credential"]["issuer_id"].startswith("did:web:")


def test_verify_accepts_a_baked_image_as_base64_or_upload(api, award):
    encoded = base64.b64encode(_png_bytes(award)).decode()
    body = api.post(VERIFY, {"image": encoded}, format="json").json()
    assert body["valid"] is True and body["format"].startswith("baked-png")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("badge.png", _png_bytes(award), content_type="image/png")
    response = api.post(VERIFY, {"image": upload}, format="multipart")
    assert response.status_code == 200 and response.json()["valid"] is True


def test_verify_reports_a_tampered_credential_as_invalid_with_reasons(api, award):
    tampered = copy.deepcopy(award.ob3_credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Doctorado"
    body = api.post(VERIFY, {"credential": tampered}, format="json").json()
    assert body["valid"] is False
    assert body["checks"]["proof"]["ok"] is False
    assert "does not match" in body["checks"]["proof"]["reason"]


def test_verify_reports_revocation(api, award):
    services.award_revoke(award_id=award.pk, reason="Revocada por la institución")
    body = api.post(VERIFY, {"jwt": award.ob3_jwt}, format="json").json()
    assert body["valid"] is False
    assert body["checks"]["status"]["ok"] is False
    assert "Revocada por la institución" in body["checks"]["status"]["reason"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"jwt": "a.b.c", "credential": {"x": 1}}, "non_field_errors"),
        ({"jwt": "not-a-jwt"}, "jwt"),
        ({"jwt": "eyJhbGciOiJub25lIn0.e30.x"}, "jwt"),
        ({"credential": {"type": ["Nope"]}}, "credential"),
        ({"credential": "{not json"}, "credential"),
        ({"credential": 5}, "credential"),
        ({"image": "!!!"}, "image"),
        ({"image": base64.b64encode(b"GIF89a....").decode()}, "image"),
    ],
)
def test_verify_bad_input_is_400_naming_the_field(api, payload, field):
    response = api.post(VERIFY, payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["rule"]


def test_verify_an_image_without_a_baked_badge_is_400(api):
    plain = badge_images.generate_png(title="x", primary="#000000", secondary="#ffffff")
    response = api.post(VERIFY, {"image": base64.b64encode(plain).decode()}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "image"


def test_verify_rejects_get_and_malformed_json(api):
    assert api.get(VERIFY).status_code == 405
    response = api.generic("POST", VERIFY, "{broken", content_type="application/json")
    assert response.status_code == 400


def test_verify_is_in_the_openapi_schema(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/credentials/verify"]["post"]
    assert "400" in operation["responses"]
    assert "/api/v1/me/credentials/" in schema["paths"]
    assert "/api/v1/credentials/awards/{uuid}/revoke" in schema["paths"]


# --- wallet -------------------------------------------------------------------------------------
def test_wallet_requires_sign_in(api):
    assert api.get("/api/v1/me/credentials/").status_code in (401, 403)


def test_wallet_lists_only_my_credentials_with_every_link(
    api, award, learner, issuer, django_assert_max_num_queries
):
    for _ in range(3):
        other = AchievementFactory(issuer=issuer)
        services.award_issue(achievement_id=other.pk, user_id=learner.pk, source="completion")
    stranger = UserFactory()
    services.award_issue(
        achievement_id=AchievementFactory(issuer=issuer).pk,
        user_id=stranger.pk,
        source="completion",
    )
    api.force_authenticate(learner)
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/me/credentials/")
    assert response.status_code == 200
    items = response.json()["results"]
    assert len(items) == 4
    item = next(entry for entry in items if entry["id"] == str(award.uuid))
    assert set(item) >= {
        "id",
        "achievement",
        "issued_at",
        "verify_url",
        "ob2_assertion_url",
        "ob3_url",
        "ob3_jwt",
        "baked_png_url",
    }
    assert item["verify_url"] == f"http://testserver/credentials/{award.uuid}/"
    assert item["ob3_jwt"] == award.ob3_jwt
    assert item["achievement"]["name"] == award.achievement.name


# --- staff award / revoke ---------------------------------------------------------------------
@pytest.fixture
def staff():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="credentials", codename__in=["add_award", "change_award"]
        )
    )
    return user


def test_staff_award_by_hand_with_reason_is_audited(api, staff, achievement, learner):
    api.force_authenticate(staff)
    payload = {"achievement": str(achievement.uuid), "user_id": learner.pk, "reason": "RPL"}
    response = api.post("/api/v1/credentials/awards/", payload, format="json")
    assert response.status_code == 201
    award = Award.objects.get(recipient=learner)
    assert award.source == "staff"
    assert AuditEvent.objects.get(award=award, action="issued").actor == staff
    again = api.post("/api/v1/credentials/awards/", payload, format="json")
    assert again.status_code == 200
    assert Award.objects.count() == 1


def test_staff_award_negative_cases(api, staff, achievement, learner):
    url = "/api/v1/credentials/awards/"
    payload = {"achievement": str(achievement.uuid), "user_id": learner.pk, "reason": "RPL"}
    assert api.post(url, payload, format="json").status_code in (401, 403)
    api.force_authenticate(learner)
    assert api.post(url, payload, format="json").status_code == 403
    api.force_authenticate(staff)
    missing = api.post(
        url, {"achievement": str(achievement.uuid), "user_id": learner.pk}, format="json"
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    unknown = api.post(
        url,
        {
            "achievement": "00000000-0000-0000-0000-000000000000",
            "user_id": learner.pk,
            "reason": "x",
        },
        format="json",
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "achievement"
    nobody = api.post(
        url, {"achievement": str(achievement.uuid), "user_id": 999999, "reason": "x"}, format="json"
    )
    assert nobody.status_code == 400 and nobody.json()["errors"][0]["field"] == "user_id"
    no_email = UserFactory(email="")
    response = api.post(
        url,
        {"achievement": str(achievement.uuid), "user_id": no_email.pk, "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert not Award.objects.exists()


def test_staff_revoke_with_reason(api, staff, award, learner):
    url = f"/api/v1/credentials/awards/{award.uuid}/revoke"
    assert api.post(url, {"reason": "x"}, format="json").status_code in (401, 403)
    api.force_authenticate(learner)
    assert api.post(url, {"reason": "x"}, format="json").status_code == 403
    api.force_authenticate(staff)
    assert api.post(url, {}, format="json").status_code == 400
    blank = api.post(url, {"reason": "   "}, format="json")
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "reason"
    missing = api.post(
        "/api/v1/credentials/awards/00000000-0000-0000-0000-000000000000/revoke",
        {"reason": "x"},
        format="json",
    )
    assert missing.status_code == 404
    done = api.post(url, {"reason": "Documento apócrifo"}, format="json")
    assert done.status_code == 200 and done.json()["revoked"] is True
    event = AuditEvent.objects.get(award=award, action="revoked")
    assert event.actor == staff and event.reason == "Documento apócrifo"


def test_verify_is_rate_limited_per_address(api, award, settings):
    settings.LMS_CREDENTIALS_VERIFY_RATE = "2/min"
    for _ in range(2):
        assert api.post(VERIFY, {"jwt": award.ob3_jwt}, format="json").status_code == 200
    limited = api.post(VERIFY, {"jwt": award.ob3_jwt}, format="json")
    assert limited.status_code == 429
