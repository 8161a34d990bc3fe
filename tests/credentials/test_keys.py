"""Signing keys: generated when absent, sealed at rest, from the environment, rotated."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from credentials import keys, selectors, services, verification
from credentials.models import SigningKey

pytestmark = pytest.mark.django_db


def test_issuer_gets_ed25519_and_rsa_keys_when_absent(issuer):
    created = services.issuer_keys_ensure(issuer=issuer)
    assert set(created) == {"ed25519", "rsa"}
    assert created["ed25519"].public_jwk["crv"] == "Ed25519"
    assert created["rsa"].public_jwk["kty"] == "RSA"
    assert "d" not in created["ed25519"].public_jwk and "d" not in created["rsa"].public_jwk
    again = services.issuer_keys_ensure(issuer=issuer)
    assert {k.pk for k in again.values()} == {k.pk for k in created.values()}


def test_private_keys_are_encrypted_at_rest_when_a_key_encryption_key_is_set(issuer, settings):
    settings.LMS_KEY_ENCRYPTION_KEY = Fernet.generate_key().decode()
    key = services.signing_key_ensure(issuer=issuer, algorithm="ed25519")
    assert key.sealed_private_key.startswith("fernet:")
    assert "PRIVATE KEY" not in key.sealed_private_key
    private = keys.unseal(key.sealed_private_key, algorithm="ed25519")
    assert keys.public_jwk(private)["kid"] == key.kid


def test_a_passphrase_is_stretched_into_a_fernet_key(issuer, settings):
    settings.LMS_KEY_ENCRYPTION_KEY = "una frase larga y secreta de operación"
    key = services.signing_key_ensure(issuer=issuer, algorithm="rsa")
    assert key.sealed_private_key.startswith("fernet:")
    settings.LMS_KEY_ENCRYPTION_KEY = "otra frase"
    with pytest.raises(keys.KeyConfigurationError):
        keys.unseal(key.sealed_private_key, algorithm="rsa")
    settings.LMS_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(keys.KeyConfigurationError):
        keys.unseal(key.sealed_private_key, algorithm="rsa")


def test_plain_text_storage_is_refused_when_forbidden(issuer, settings):
    settings.LMS_ALLOW_PLAINTEXT_SIGNING_KEYS = False
    settings.LMS_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(keys.KeyConfigurationError):
        services.signing_key_ensure(issuer=issuer, algorithm="ed25519")
    assert not SigningKey.objects.exists()


def test_embedded_default_stores_pem_marked_plain(issuer, settings):
    settings.LMS_KEY_ENCRYPTION_KEY = ""
    key = services.signing_key_ensure(issuer=issuer, algorithm="ed25519")
    assert key.sealed_private_key.startswith("plain:-----BEGIN PRIVATE KEY-----")


def test_environment_key_is_used_and_never_stored(issuer, settings, learner, achievement):
    private = keys.generate_private_key("ed25519")
    pem = keys.private_pem(private)
    settings.LMS_SIGNING_KEY_ED25519 = base64.b64encode(pem).decode()
    key = services.signing_key_ensure(issuer=issuer, algorithm="ed25519")
    assert key.sealed_private_key == "env:"
    assert key.kid == keys.public_jwk(private)["kid"]
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    assert award.ob3_credential["proof"][0]["verificationMethod"].endswith(key.kid)
    assert verification.verify_json(award.ob3_credential).valid
    with pytest.raises(services.AwardError):
        services.signing_key_rotate(issuer_id=issuer.pk, algorithm="ed25519")


def test_changing_the_environment_key_rotates_and_keeps_the_old_one_published(
    issuer, settings, learner, achievement
):
    settings.LMS_SIGNING_KEY_ED25519 = keys.private_pem(
        keys.generate_private_key("ed25519")
    ).decode()
    old_award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    old_kid = services.signing_key_ensure(issuer=issuer, algorithm="ed25519").kid
    old_pem = settings.LMS_SIGNING_KEY_ED25519
    settings.LMS_SIGNING_KEY_ED25519 = keys.private_pem(
        keys.generate_private_key("ed25519")
    ).decode()
    new_key = services.signing_key_ensure(issuer=issuer, algorithm="ed25519")
    assert new_key.kid != old_kid
    kids = {key.kid for key in selectors.issuer_keys(issuer=issuer)}
    assert old_kid in kids and new_key.kid in kids
    # The proof verifies from the published public key, whatever the environment holds now.
    assert verification.verify_json(old_award.ob3_credential).valid
    assert old_pem != settings.LMS_SIGNING_KEY_ED25519


def test_environment_key_of_the_wrong_algorithm_is_refused(issuer, settings):
    settings.LMS_SIGNING_KEY_RSA = keys.private_pem(keys.generate_private_key("ed25519")).decode()
    with pytest.raises(keys.KeyConfigurationError):
        services.signing_key_ensure(issuer=issuer, algorithm="rsa")
    settings.LMS_SIGNING_KEY_RSA = "not a key"
    with pytest.raises(keys.KeyConfigurationError):
        services.signing_key_ensure(issuer=issuer, algorithm="rsa")


def test_management_command_ensures_and_rotates(issuer, capsys):
    from django.core.management import call_command

    call_command("credentials_keys", "ensure", "sep")
    first = capsys.readouterr().out
    assert "ed25519" in first and "rsa" in first
    call_command("credentials_keys", "rotate", "sep", "--algorithm", "rsa", "--reason", "prueba")
    assert SigningKey.objects.filter(issuer=issuer, algorithm="rsa").count() == 2
    assert SigningKey.objects.filter(issuer=issuer, algorithm="rsa", active=True).count() == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("credentials_keys", "ensure", "nadie")
