"""Issuing: documents in both versions, exactly once, verifiable, tamper-evident."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.utils import timezone

from credentials import baking, documents, services, verification
from credentials.models import AuditEvent, Award
from tests.credentials.factories import (
    AchievementAlignmentFactory,
    AchievementFactory,
    EndorsementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_award_issue_builds_ob2_ob3_jwt_and_baked_png(award, learner):
    credential = award.ob3_credential
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    # Exactly one status entry, an object (the VC model allows 0..1 here), not a list.
    assert isinstance(credential["credentialStatus"], dict)
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert isinstance(credential["proof"], list) and len(credential["proof"]) == 1
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["issuer"]["id"] == "did:web:testserver:credentials:issuers:sep"
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["identityHash"] == services.recipient_hash(learner.email, identity["salt"])
    assert learner.email not in json.dumps(credential)
    assert credential["credentialSubject"]["creditsEarned"] == 20.0
    assert credential["credentialSubject"]["result"][0]["value"] == "90"
    assert award.ob2_assertion["recipient"]["identity"] == award.recipient_hash
    assert award.ob2_assertion["verification"] == {"type": "hosted"}
    with award.baked_png.open("rb") as handle:
        baked = baking.unbake_png(handle.read())
    assert json.loads(baked["openbadgecredential"]) == credential
    assert json.loads(baked["openbadges"]) == award.ob2_assertion
    assert AuditEvent.objects.filter(award=award, action="issued").count() == 1


def test_award_issue_twice_returns_the_same_award_and_changes_nothing(award, achievement, learner):
    again, created = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    assert not created
    assert again.pk == award.pk
    assert again.ob3_jwt == award.ob3_jwt
    assert Award.objects.count() == 1


def test_issued_credential_verifies_as_json_and_as_jwt(award):
    assert verification.verify_json(award.ob3_credential).valid
    report = verification.verify_jwt(award.ob3_jwt)
    assert report.valid, report.as_dict()
    assert report.as_dict()["credential"]["achievement"] == "Inteligencia artificial en el aula"


def _string_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))
    elif isinstance(value, str):
        yield path


def _set(document, path, new):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new


def test_changing_any_value_of_the_signed_credential_fails_verification(award):
    paths = [p for p in _string_paths(award.ob3_credential) if p[0] != "proof" or p[-1] != "type"]
    assert len(paths) > 30
    for path in paths:
        tampered = copy.deepcopy(award.ob3_credential)
        target = tampered
        for key in path[:-1]:
            target = target[key]
        original = target[path[-1]]
        _set(tampered, path, original[:-1] + ("X" if original[-1:] != "X" else "Y"))
        try:
            report = verification.verify_json(tampered)
        except verification.VerificationInputError:
            continue
        assert not report.checks["proof"].ok or not report.valid, path


def test_changing_any_byte_of_the_jwt_fails_verification(award):
    token = award.ob3_jwt
    # Every position of the header and signature, and a spread of payload positions.
    header_end = token.index(".")
    signature_start = token.rindex(".") + 1
    positions = [*range(header_end), *range(header_end + 1, signature_start - 1, 37)]
    positions += list(range(signature_start, len(token) - 1))
    for position in positions:
        char = token[position]
        replacement = "A" if char != "A" else "B"
        tampered = token[:position] + replacement + token[position + 1 :]
        try:
            report = verification.verify_jwt(tampered)
        except verification.VerificationInputError:
            continue
        assert not report.valid, position


def test_changing_any_byte_of_the_canonical_credential_json_fails(award):
    text = json.dumps(award.ob3_credential, sort_keys=True)
    checked = 0
    for position in range(0, len(text), 23):
        char = text[position]
        if not char.isalnum():
            continue
        replacement = "Q" if char != "Q" else "R"
        try:
            tampered = json.loads(text[:position] + replacement + text[position + 1 :])
            report = verification.verify_json(tampered)
        except (ValueError, verification.VerificationInputError):
            continue
        checked += 1
        assert not report.valid, (position, text[position - 20 : position + 20])
    assert checked > 50


def test_revocation_flips_status_everywhere(award, issuer):
    services.award_revoke(award_id=award.pk, reason="Evidencia fraudulenta")
    award.refresh_from_db()
    report = verification.verify_json(award.ob3_credential)
    assert not report.valid
    assert not report.checks["status"].ok
    assert "Evidencia fraudulenta" in report.checks["status"].reason
    assert report.checks["proof"].ok
    assert not verification.verify_jwt(award.ob3_jwt).valid
    assert AuditEvent.objects.filter(award=award, action="revoked").count() == 1


def test_revocation_needs_a_reason(award):
    with pytest.raises(services.AwardError):
        services.award_revoke(award_id=award.pk, reason="  ")


def test_expiry_flips_validity(issuer, learner, monkeypatch):
    expiring = AchievementFactory(issuer=issuer, valid_for_days=30)
    award, _ = services.award_issue(
        achievement_id=expiring.pk, user_id=learner.pk, source="completion"
    )
    assert award.ob3_credential["validUntil"] == documents.iso(award.valid_until)
    assert verification.verify_json(award.ob3_credential).valid
    later = timezone.now() + dt.timedelta(days=31)
    monkeypatch.setattr(verification.timezone, "now", lambda: later)
    report = verification.verify_json(award.ob3_credential)
    assert not report.valid
    assert not report.checks["validity"].ok
    assert report.checks["proof"].ok
    jwt_report = verification.verify_jwt(award.ob3_jwt)
    assert not jwt_report.checks["validity"].ok


def test_not_yet_valid_credential_fails_validity(award, monkeypatch):
    earlier = timezone.now() - dt.timedelta(days=1)
    monkeypatch.setattr(verification.timezone, "now", lambda: earlier)
    assert not verification.verify_json(award.ob3_credential).checks["validity"].ok


def test_rotated_keys_still_verify_old_credentials(issuer, achievement):
    first_user, second_user = UserFactory(), UserFactory()
    old, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=first_user.pk, source="completion"
    )
    old_kid = old.ob3_credential["proof"][0]["verificationMethod"].split("#")[1]
    new_key = services.signing_key_rotate(issuer_id=issuer.pk, algorithm="ed25519", reason="anual")
    assert new_key.kid != old_kid
    new, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=second_user.pk, source="completion"
    )
    assert new.ob3_credential["proof"][0]["verificationMethod"].endswith(new_key.kid)
    for award in (old, new):
        assert verification.verify_json(award.ob3_credential).valid
        assert verification.verify_jwt(award.ob3_jwt).valid
    old_report = verification.verify_json(old.ob3_credential)
    assert "retired" in old_report.checks["issuer"].reason
    assert AuditEvent.objects.filter(action="key_rotated", issuer=issuer).count() == 1


def test_a_key_of_another_issuer_does_not_count_as_the_issuers(award, issuer):
    other = AchievementFactory().issuer
    other_key = services.signing_key_ensure(issuer=other, algorithm="ed25519")
    forged = copy.deepcopy(award.ob3_credential)
    # Claim to be signed by another (real) issuer's key: the signature cannot match.
    forged["proof"][0]["verificationMethod"] = documents.verification_method_id(
        other, other_key.kid
    )
    report = verification.verify_json(forged)
    assert not report.valid


def test_endorsement_is_signed_by_the_endorser_and_embedded_in_new_credentials(issuer, learner):
    achievement = AchievementFactory(issuer=issuer)
    endorsement = EndorsementFactory(achievement=achievement)
    services.endorsement_sign(endorsement_id=endorsement.pk)
    endorsement.refresh_from_db()
    assert endorsement.credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    endorsement_report = verification.verify_json(endorsement.credential)
    assert endorsement_report.valid, endorsement_report.as_dict()
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    embedded = award.ob3_credential["credentialSubject"]["achievement"]["endorsement"]
    assert embedded == [endorsement.credential]
    assert verification.verify_json(award.ob3_credential).valid


def test_alignments_carry_ec_codes_into_both_versions(issuer, learner):
    achievement = AchievementFactory(issuer=issuer)
    AchievementAlignmentFactory(achievement=achievement, target_code="EC0301")
    award, _ = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion"
    )
    alignment = award.ob3_credential["credentialSubject"]["achievement"]["alignment"][0]
    assert alignment["targetCode"] == "EC0301"
    assert alignment["targetFramework"] == "CONOCER RENEC"
    badgeclass = documents.badgeclass_ob2(achievement)
    assert badgeclass["alignment"][0]["targetCode"] == "EC0301"


def test_staff_award_needs_a_reason_and_is_audited(achievement, learner):
    staff = UserFactory(is_staff=True)
    with pytest.raises(services.AwardError):
        services.award_issue(
            achievement_id=achievement.pk, user_id=learner.pk, source="staff", actor_id=staff.pk
        )
    award, created = services.award_issue(
        achievement_id=achievement.pk,
        user_id=learner.pk,
        source="staff",
        actor_id=staff.pk,
        reason="Acreditó por experiencia (Acuerdo 286)",
    )
    assert created
    event = AuditEvent.objects.get(award=award, action="issued")
    assert event.actor == staff
    assert event.reason.startswith("Acreditó")


def test_learner_without_email_cannot_be_awarded(achievement):
    nobody = UserFactory(email="")
    with pytest.raises(services.AwardError):
        services.award_issue(achievement_id=achievement.pk, user_id=nobody.pk, source="completion")
    assert not Award.objects.exists()


def test_recipient_hash_normalises_case_and_spaces():
    assert services.recipient_hash(" Ana@Example.MX ", "s") == services.recipient_hash(
        "ana@example.mx", "s"
    )
    assert services.recipient_hash("ana@example.mx", "s").startswith("sha256$")


def test_the_award_is_recorded_on_the_enrolment_through_progress(
    achievement, learner, monkeypatch, django_capture_on_commit_callbacks
):
    from learners import services as learner_services

    calls = []
    monkeypatch.setattr(
        learner_services, "enrollment_mark_credentialed", lambda **kwargs: calls.append(kwargs)
    )
    with django_capture_on_commit_callbacks(execute=True):
        award, _ = services.award_issue(
            achievement_id=achievement.pk, user_id=learner.pk, source="completion", enrollment_id=7
        )
    assert calls == [{"enrollment_id": 7, "credentialed_at": award.issued_at}]
    with django_capture_on_commit_callbacks(execute=True):
        services.award_issue(
            achievement_id=achievement.pk, user_id=learner.pk, source="completion", enrollment_id=7
        )
    assert len(calls) == 1  # nothing new issued, nothing recorded again


def test_revoking_the_enrolments_last_credential_clears_its_credentialed_date(
    issuer, learner, django_capture_on_commit_callbacks
):
    from learners.models import Enrollment
    from learners.services import enrollment_create
    from tests.courses.factories import build_course

    course = build_course(modules=1, lessons=1)
    enrollment = enrollment_create(user=learner, course_id=course.pk)
    first = AchievementFactory(issuer=issuer, course=course, credits_available=None)
    second = AchievementFactory(issuer=issuer, course=course, credits_available=None)
    awards = []
    with django_capture_on_commit_callbacks(execute=True):
        for achievement in (first, second):
            award, _ = services.award_issue(
                achievement_id=achievement.pk,
                user_id=learner.pk,
                source="completion",
                enrollment_id=enrollment.pk,
            )
            awards.append(award)
    assert Enrollment.objects.get(pk=enrollment.pk).credentialed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        services.award_revoke(award_id=awards[0].pk, reason="Error de captura")
    # Another credential of the enrolment still stands.
    assert Enrollment.objects.get(pk=enrollment.pk).credentialed_at is not None

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.award_revoke(award_id=awards[1].pk, reason="Error de captura")
    assert Enrollment.objects.get(pk=enrollment.pk).credentialed_at is None
    assert callbacks  # the enrolment's report fact is re-synced on commit
