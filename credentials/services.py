"""Writes of the credentials app: keys, issuing, revoking, endorsing, pathways.

Issuing is idempotent: the database holds one award per learner and achievement (a unique
constraint), and ``award_issue`` returns the existing award when another task got there first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InputError
from credentials import baking, documents, keys, proofs, status_lists
from credentials.models import (
    Achievement,
    AuditEvent,
    Award,
    CourseCompletion,
    Endorsement,
    Issuer,
    Microcredential,
    PathwayPart,
    SigningKey,
    StatusList,
)

logger = logging.getLogger(__name__)


class AwardError(InputError):
    """An award cannot be made or changed as asked (the message says why; ``field`` names the
    argument at fault, ``None`` when it is the request as a whole)."""

    def __init__(self, message: str, *, field: str | None = None, rule: str = "invalid") -> None:
        super().__init__(field, rule, message)


# --- keys -------------------------------------------------------------------------------------
def _create_key(
    *, issuer: Issuer, algorithm: str, private_key: keys.PrivateKey, sealed: str
) -> SigningKey:
    jwk = keys.public_jwk(private_key)
    return SigningKey.objects.create(
        issuer=issuer,
        algorithm=algorithm,
        kid=jwk["kid"],
        public_jwk=jwk,
        sealed_private_key=sealed,
        active=True,
    )


def signing_key_ensure(*, issuer: Issuer, algorithm: str) -> SigningKey:
    """The issuer's active key for ``algorithm``: the environment's key when one is configured
    (retiring a different active key, which is how operators rotate), else the stored one,
    generated when absent. Safe under concurrency (a partial unique constraint decides)."""
    env_key = keys.env_private_key(algorithm)
    active = SigningKey.objects.filter(issuer=issuer, algorithm=algorithm, active=True).first()
    if env_key is not None:
        kid = keys.public_jwk(env_key)["kid"]
        if active is not None and active.kid == kid:
            return active
        with transaction.atomic():
            SigningKey.objects.filter(issuer=issuer, algorithm=algorithm, active=True).update(
                active=False, retired_at=timezone.now()
            )
            existing = SigningKey.objects.filter(issuer=issuer, kid=kid).first()
            if existing is not None:
                existing.active = True
                existing.retired_at = None
                existing.save(update_fields=["active", "retired_at"])
                return existing
            key = _create_key(
                issuer=issuer, algorithm=algorithm, private_key=env_key, sealed="env:"
            )
            AuditEvent.objects.create(
                action=AuditEvent.Action.KEY_CREATED,
                issuer=issuer,
                details={"kid": key.kid, "algorithm": algorithm, "source": "environment"},
            )
            return key
    if active is not None:
        return active
    private_key = keys.generate_private_key(algorithm)
    try:
        with transaction.atomic():
            key = _create_key(
                issuer=issuer,
                algorithm=algorithm,
                private_key=private_key,
                sealed=keys.seal(private_key),
            )
            AuditEvent.objects.create(
                action=AuditEvent.Action.KEY_CREATED,
                issuer=issuer,
                details={"kid": key.kid, "algorithm": algorithm, "source": "generated"},
            )
            return key
    except IntegrityError:
        return SigningKey.objects.get(issuer=issuer, algorithm=algorithm, active=True)


def issuer_keys_ensure(*, issuer: Issuer) -> dict[str, SigningKey]:
    """Both signing keys of the issuer (Ed25519 and RSA), generated when absent."""
    return {
        algorithm: signing_key_ensure(issuer=issuer, algorithm=algorithm)
        for algorithm in (keys.ED25519, keys.RSA)
    }


@transaction.atomic
def signing_key_rotate(
    *, issuer_id: int, algorithm: str, actor_id: int | None = None, reason: str = ""
) -> SigningKey:
    """Retire the issuer's active key and generate a new one. The retired key stays published
    (JWKS, DID document), so credentials it signed still verify."""
    if keys.env_private_key(algorithm) is not None:
        raise AwardError(
            _("%(setting)s is set: rotate by changing the variable instead.")
            % {"setting": keys.ENV_SETTING[algorithm]},
            field="algorithm",
            rule="key_from_environment",
        )
    issuer = Issuer.objects.select_for_update().get(pk=issuer_id)
    old = SigningKey.objects.filter(issuer=issuer, algorithm=algorithm, active=True).first()
    SigningKey.objects.filter(issuer=issuer, algorithm=algorithm, active=True).update(
        active=False, retired_at=timezone.now()
    )
    private_key = keys.generate_private_key(algorithm)
    key = _create_key(
        issuer=issuer, algorithm=algorithm, private_key=private_key, sealed=keys.seal(private_key)
    )
    AuditEvent.objects.create(
        action=AuditEvent.Action.KEY_ROTATED,
        issuer=issuer,
        actor_id=actor_id,
        reason=reason,
        details={"algorithm": algorithm, "old_kid": old.kid if old else None, "new_kid": key.kid},
    )
    return key


# --- signing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignedCredential:
    credential: dict[str, Any]
    jwt: str


def _sign_ob3(
    *, issuer: Issuer, unsigned: dict[str, Any], jwt_claims: dict[str, Any] | None
) -> SignedCredential:
    """Data Integrity proof with the Ed25519 key; VC-JWT with the RSA key (RS256), the
    algorithm OB 3.0 requires every JWT verifier to support."""
    ed_row = signing_key_ensure(issuer=issuer, algorithm=keys.ED25519)
    ed_private = keys.unseal(ed_row.sealed_private_key, algorithm=keys.ED25519)
    signed = proofs.di_sign(
        unsigned,
        private_key=ed_private,  # type: ignore[arg-type]
        verification_method=documents.verification_method_id(issuer, ed_row.kid),
        created=documents.iso(timezone.now()),
    )
    # The OB 3.0 JSON Schema's ``proof`` is a Proof or a list of them; the list is the form
    # that stays valid when a second proof is added, and the one its examples use.
    signed["proof"] = [signed["proof"]]
    rsa_row = signing_key_ensure(issuer=issuer, algorithm=keys.RSA)
    rsa_private = keys.unseal(rsa_row.sealed_private_key, algorithm=keys.RSA)
    claims = jwt_claims if jwt_claims is not None else dict(unsigned)
    token = proofs.jwt_sign(
        claims,
        key=keys.jwk_private(rsa_private),
        # An HTTPS URL answering the bare JWK, which OB 3.0 verifiers dereference; its last
        # segment is the key's ``kid`` in the issuer's and the host's JWKS.
        kid=documents.jwt_key_url(issuer, rsa_row.kid),
        alg=keys.JWT_ALG[keys.RSA],
    )
    return SignedCredential(signed, token)


def _endorsement_documents(achievement: Achievement) -> list[dict[str, Any]]:
    return [
        endorsement.credential
        for endorsement in achievement.endorsements.all()
        if endorsement.credential
    ]


@transaction.atomic
def endorsement_sign(*, endorsement_id: int) -> Endorsement:
    """Sign (or re-sign after an edit) the EndorsementCredential with the endorser's key."""
    endorsement = (
        Endorsement.objects.select_for_update()
        .select_related("endorser", "achievement")
        .get(pk=endorsement_id)
    )
    valid_from = endorsement.valid_from or timezone.now()
    unsigned = documents.endorsement_unsigned(endorsement, valid_from=valid_from)
    signed = _sign_ob3(issuer=endorsement.endorser, unsigned=unsigned, jwt_claims=None)
    endorsement.credential = signed.credential
    endorsement.valid_from = valid_from
    endorsement.save(update_fields=["credential", "valid_from", "updated_at"])
    AuditEvent.objects.create(
        action=AuditEvent.Action.ENDORSED,
        issuer=endorsement.endorser,
        details={"endorsement": str(endorsement.uuid), "achievement": endorsement.achievement_id},
    )
    return endorsement


# --- recipient --------------------------------------------------------------------------------
def recipient_hash(email: str, salt: str) -> str:
    """``sha256$<hex>`` of the normalised e-mail followed by the salt (OB 2.0 and 3.0)."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


# --- badge image ------------------------------------------------------------------------------
_BASE_PNG_CACHE: dict[tuple[int, str], bytes] = {}


def achievement_base_png(achievement: Achievement) -> bytes:
    """The achievement's artwork as PNG: the uploaded image, or one generated from its colours.

    Cached per process by (id, last change), since every award of it is baked on the same art.
    """
    cache_key = (achievement.pk, achievement.updated_at.isoformat())
    cached = _BASE_PNG_CACHE.get(cache_key)
    if cached is not None:
        return cached
    from credentials import badge_images

    png: bytes | None = None
    if achievement.image_id:
        png = _uploaded_png(achievement)
    if png is None:
        png = badge_images.generate_png(**badge_design(achievement))
    if len(_BASE_PNG_CACHE) > 256:
        _BASE_PNG_CACHE.clear()
    _BASE_PNG_CACHE[cache_key] = png
    return png


def badge_design(achievement: Achievement) -> dict[str, str]:
    """Title, colours and caption of the generated artwork; a course's colour leads."""
    hours = documents.credits_available(achievement)
    primary = achievement.primary_colour
    if achievement.course_id and achievement.course is not None:
        primary = achievement.course.colour or primary
    return {
        "title": achievement.name,
        "primary": primary,
        "secondary": achievement.secondary_colour,
        "caption": f"{hours:g} h" if hours else "",
    }


def _uploaded_png(achievement: Achievement) -> bytes | None:
    import io

    from PIL import Image

    image = achievement.image
    if image is None:
        return None
    try:
        with image.file.open("rb") as handle:
            original = handle.read()
        if original.startswith(baking.PNG_SIGNATURE):
            return original
        converted = io.BytesIO()
        Image.open(io.BytesIO(original)).convert("RGBA").save(converted, format="PNG")
        return converted.getvalue()
    except (OSError, ValueError):
        logger.warning("achievement %s: uploaded image unreadable, generating one", achievement.pk)
        return None


# --- issuing ----------------------------------------------------------------------------------
def _mark_enrollment_credentialed(
    *, enrollment_id: int | None, credentialed_at: dt.datetime
) -> None:
    """Record the award on the enrolment through progress' service (DESIGN.md: progress owns
    enrolments and counts credentials in its reports without importing credentials)."""
    if enrollment_id is None:
        return
    from learners import services as learner_services

    learner_services.enrollment_mark_credentialed(
        enrollment_id=enrollment_id, credentialed_at=credentialed_at
    )


def award_issue(
    *,
    achievement_id: int,
    user_id: int,
    source: str,
    enrollment_id: int | None = None,
    completed_at: dt.datetime | None = None,
    score: float | None = None,
    actor_id: int | None = None,
    reason: str = "",
) -> tuple[Award, bool]:
    """Issue ``achievement`` to the user, once. Returns ``(award, created)``.

    A second call (a retried task, a concurrent worker) returns the standing award unchanged.
    An award revoked by staff stands in the way too (it is returned, revoked). One revoked only
    because its completion was voided does not: when the learner has earned the achievement
    again, a new award with a new credential is issued and the revoked one stays revoked.
    """
    if source == Award.Source.STAFF and not reason.strip():
        raise AwardError(_("A manual award needs a reason."), field="reason", rule="required")
    user = get_user_model().objects.get(pk=user_id)
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        raise AwardError(
            _("The learner has no e-mail address to identify the recipient."),
            field="user_id",
            rule="no_email",
        )
    blocking = _award_blocking_issue(achievement_id=achievement_id, user_id=user_id, source=source)
    if blocking is not None:
        return blocking, False
    achievement = (
        Achievement.objects.select_related("issuer", "microcredential", "course")
        .prefetch_related("alignments", "endorsements")
        .get(pk=achievement_id)
    )
    now = timezone.now()
    salt = secrets.token_hex(16)
    try:
        with transaction.atomic():
            award = Award.objects.create(
                achievement=achievement,
                recipient_id=user_id,
                enrollment_id=enrollment_id,
                source=source,
                reason=reason,
                recipient_salt=salt,
                recipient_hash=recipient_hash(email, salt),
                issued_at=now,
                valid_until=(
                    now + dt.timedelta(days=achievement.valid_for_days)
                    if achievement.valid_for_days
                    else None
                ),
                score=score,
                credits_earned=documents.credits_available(achievement),
                completed_at=completed_at,
            )
            _award_sign_and_bake(award)
            AuditEvent.objects.create(
                action=AuditEvent.Action.ISSUED,
                award=award,
                issuer=achievement.issuer,
                actor_id=actor_id,
                reason=reason,
                details={"source": source, "achievement": achievement.pk},
            )
    except IntegrityError:
        # Another worker inserted the same (achievement, learner) first: that award stands.
        winner = Award.objects.filter(
            achievement_id=achievement_id, recipient_id=user_id, revoked_at__isnull=True
        ).first()
        if winner is None:
            raise
        return winner, False
    leads_to_pathway = bool(
        achievement.microcredential_id
        and PathwayPart.objects.filter(part_id=achievement.microcredential_id).exists()
    )
    transaction.on_commit(
        lambda: _after_award(
            user_id=user_id,
            enrollment_id=enrollment_id,
            issued_at=now,
            leads_to_pathway=leads_to_pathway,
        )
    )
    transaction.on_commit(lambda: _notify_holder(award_id=award.pk))
    return award, True


def _notify_holder(*, award_id: int) -> None:
    from credentials import tasks

    tasks.award_notify.delay(award_id=award_id)


def _award_blocking_issue(*, achievement_id: int, user_id: int, source: str) -> Award | None:
    """The award that makes issuing ``achievement`` to the user a no-op, or None."""
    awards = list(
        Award.objects.filter(achievement_id=achievement_id, recipient_id=user_id).order_by("-pk")
    )
    for award in awards:
        if award.revoked_at is None:
            return award
    for award in awards:
        if award.revocation_cause != Award.RevocationCause.COMPLETION_VOIDED:
            return award  # a person revoked it: a later completion does not overrule them
    if awards and source in (Award.Source.COMPLETION, Award.Source.MICROCREDENTIAL):
        from credentials import selectors

        # Only void-revoked awards so far. A late or retried issuing task must not re-issue
        # what a void has just taken back: the completions must stand again first.
        if not selectors.achievement_earned_by_completions(
            user_id=user_id, achievement_id=achievement_id
        ):
            return awards[0]
    return None


def _after_award(
    *, user_id: int, enrollment_id: int | None, issued_at: dt.datetime, leads_to_pathway: bool
) -> None:
    _mark_enrollment_credentialed(enrollment_id=enrollment_id, credentialed_at=issued_at)
    if leads_to_pathway:
        # Only a microcredential that is part of a pathway can complete one.
        from credentials import tasks

        tasks.evaluate_pathways.delay(user_id=user_id)


def _award_sign_and_bake(award: Award) -> None:
    achievement = award.achievement
    unsigned = documents.award_ob3_unsigned(award, endorsements=_endorsement_documents(achievement))
    signed = _sign_ob3(
        issuer=achievement.issuer,
        unsigned=unsigned,
        jwt_claims=documents.award_jwt_claims(award, unsigned),
    )
    award.ob3_credential = signed.credential
    award.ob3_jwt = signed.jwt
    award.ob2_assertion = documents.award_ob2(award)
    import json

    png = baking.bake_png(
        achievement_base_png(achievement),
        json.dumps(signed.credential, separators=(",", ":"), ensure_ascii=False),
        keyword=baking.OB3_KEYWORD,
    )
    # OB 2.0 baking puts the hosted assertion itself in the chunk (its URL alone is the
    # pre-2013 tEXt form): a verifier reads it offline and re-fetches its id to confirm it.
    png = baking.bake_png(
        png,
        json.dumps(award.ob2_assertion, separators=(",", ":"), ensure_ascii=False),
        keyword=baking.OB2_KEYWORD,
    )
    award.baked_png.save(f"{award.uuid}.png", ContentFile(png), save=False)
    award.save(update_fields=["ob3_credential", "ob3_jwt", "ob2_assertion", "baked_png"])


@transaction.atomic
def award_revoke(
    *,
    award_id: int,
    reason: str,
    actor_id: int | None = None,
    cause: str = Award.RevocationCause.STAFF,
) -> Award:
    """Revoke an award with a reason; status lists and the verification page show it at once.

    ``cause`` says whether a person decided it (``staff``, the default) or a voided completion
    undid it (``completion_voided``); only the latter lets the learner earn a new award.
    """
    if not reason.strip():
        raise AwardError(_("A revocation needs a reason."), field="reason", rule="required")
    award = Award.objects.select_for_update().get(pk=award_id)
    if award.revoked_at is not None:
        return award
    award.revoked_at = timezone.now()
    award.revocation_reason = reason.strip()
    award.revocation_cause = cause
    award.save(update_fields=["revoked_at", "revocation_reason", "revocation_cause"])
    if (
        award.enrollment_id is not None
        and not Award.objects.filter(enrollment_id=award.enrollment_id, revoked_at__isnull=True)
        .exclude(pk=award.pk)
        .exists()
    ):
        # The enrolment's last standing credential: reports stop counting it as credentialed.
        from learners import services as learner_services

        learner_services.enrollment_clear_credentialed(enrollment_id=award.enrollment_id)
    AuditEvent.objects.create(
        action=AuditEvent.Action.REVOKED,
        award=award,
        issuer_id=award.achievement.issuer_id,
        actor_id=actor_id,
        reason=award.revocation_reason,
        details={"cause": cause},
    )
    return award


@transaction.atomic
def awards_erase_recipient(*, user_id: int) -> int:
    """ARCO cancellation: erase what lets anyone confirm who holds the user's awards.

    Salt and hash go, and so do the stored copies that carry them but are not needed to verify
    (the VC-JWT, the OB 2.0 assertion, the baked PNG); the signed OB 3.0 credential stays,
    unpublished, as the issuer's record of what it signed, so the verification page still tells
    whether a copy the holder presents is genuine and unrevoked. Returns how many were erased.
    """
    awards = list(
        Award.objects.select_for_update().filter(
            recipient_id=user_id, recipient_erased_at__isnull=True
        )
    )
    now = timezone.now()
    for award in awards:
        if award.baked_png:
            award.baked_png.delete(save=False)
        award.recipient_salt = ""
        award.recipient_hash = ""
        award.recipient_erased_at = now
        award.ob2_assertion = None
        award.ob3_jwt = ""
        award.baked_png = ""
        award.save(
            update_fields=[
                "recipient_salt",
                "recipient_hash",
                "recipient_erased_at",
                "ob2_assertion",
                "ob3_jwt",
                "baked_png",
            ]
        )
    return len(awards)


# --- completions, microcredentials, pathways -------------------------------------------------
def course_completion_record(
    *,
    user_id: int,
    course_id: int,
    enrollment_id: int | None,
    completed_at: dt.datetime,
    score: float | None,
) -> list[int]:
    """Record a completion and return the ids of the achievements it now earns."""
    CourseCompletion.objects.update_or_create(
        user_id=user_id,
        course_id=course_id,
        defaults={
            "enrollment_id": enrollment_id,
            "completed_at": completed_at,
            "score": score,
            "revoked": False,
        },
    )
    from credentials import selectors

    return selectors.achievements_earned_by_completions(user_id=user_id, course_id=course_id)


@transaction.atomic
def course_completion_revoke(*, user_id: int, course_id: int) -> list[Award]:
    """A void undid a completion: revoke the awards that completion produced automatically."""
    CourseCompletion.objects.filter(user_id=user_id, course_id=course_id).update(revoked=True)
    from credentials import selectors

    revoked = []
    for award in selectors.automatic_awards_for_course(user_id=user_id, course_id=course_id):
        revoked.append(
            award_revoke(
                award_id=award.pk,
                reason="Course completion voided by the LRS.",
                cause=Award.RevocationCause.COMPLETION_VOIDED,
            )
        )
    return revoked


def pathways_evaluate(*, user_id: int) -> list[Award]:
    """Award every pathway whose parts the user now holds (repeats until nothing changes)."""
    from credentials import selectors

    issued: list[Award] = []
    while True:
        due = selectors.pathways_due(user_id=user_id)
        if not due:
            return issued
        progressed = False
        for microcredential in due:
            award, created = award_issue(
                achievement_id=microcredential.achievement.pk,
                user_id=user_id,
                source=Award.Source.PATHWAY,
            )
            if created:
                issued.append(award)
                progressed = True
        if not progressed:
            return issued


def microcredential_credits(microcredential: Microcredential) -> Decimal:
    return microcredential.workload_hours


# --- A course's own achievement ---------------------------------------------------------------


class CourseAchievementIncomplete(ValueError):
    """The course lacks what its achievement needs; ``missing`` names each thing, for the
    course editor."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


def _course_achievement_draft(course: Any, issuer: Issuer | None) -> Achievement:
    return Achievement(
        issuer=issuer,
        course=course,
        name=(course.title or "")[:200],
        description=course.summary or "",
        criteria_narrative=(
            f"Concluir el curso «{course.title}» en Capacita: todas las lecciones obligatorias "
            f"y un promedio de al menos {course.passing_score} en las comprobaciones."
        ),
        achievement_type=Achievement.AchievementType.COURSE,
        credits_available=Decimal(course.estimated_hours) if course.estimated_hours else None,
        language=(
            Achievement.Language.EN
            if course.locale.language_code.startswith("en")
            else Achievement.Language.ES_MX
        ),
        tags=", ".join(sector.slug for sector in course.sectors.all())[:300],
    )


def course_achievement_missing(*, course: Any) -> list[str]:
    """What stops ``course`` from getting its achievement (empty when nothing does)."""
    from django.core.exceptions import ValidationError

    issuer = Issuer.objects.filter(slug="sep").first()
    missing = []
    if issuer is None:
        missing.append(_("emisor: no existe el emisor «sep»"))
    draft = _course_achievement_draft(course, issuer)
    try:
        draft.full_clean(exclude=["issuer"] if issuer is None else None)
    except ValidationError as error:
        labels = {"name": _("título"), "description": _("resumen"), "credits_available": _("horas")}
        for field, messages in error.message_dict.items():
            missing.append(f"{labels.get(field, field)}: {' '.join(messages)}")
    return missing


@transaction.atomic
def course_achievement_ensure(*, course_id: int) -> tuple[Achievement, bool]:
    """The achievement a course earns, created from the course when it has none yet.

    A course and its translations share one achievement (found through any of them). Raises
    :class:`CourseAchievementIncomplete` naming what is missing when the course cannot make
    a valid one (no SEP issuer, no summary…). Returns ``(achievement, created)``.
    """
    from courses.models import CoursePage
    from credentials.selectors import course_family

    course = CoursePage.objects.select_related("locale").get(pk=course_id)
    existing = (
        Achievement.objects.filter(
            course_id__in=course_family(course_id=course_id), microcredential=None
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    missing = course_achievement_missing(course=course)
    if missing:
        raise CourseAchievementIncomplete(missing)
    achievement = _course_achievement_draft(course, Issuer.objects.get(slug="sep"))
    achievement.save()
    return achievement, True


# --- status list ------------------------------------------------------------------------------
# How long a signed status list stays valid, and how much of that must remain for it to be
# served as is: a verifier that caches it (Cache-Control, a few minutes) never holds an
# expired list, and it is re-signed at most once a day when nothing changes.
STATUS_LIST_VALIDITY = dt.timedelta(days=7)
STATUS_LIST_RESIGN_BEFORE = dt.timedelta(days=6)


def _status_list_state(issuer: Issuer) -> tuple[str, set[int], int]:
    """Fingerprint, revoked indexes and size (bits) of the issuer's status list right now."""
    revoked = set(
        Award.objects.filter(achievement__issuer=issuer, revoked_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    highest = (
        Award.objects.filter(achievement__issuer=issuer)
        .order_by("-pk")
        .values_list("pk", flat=True)
    ).first() or 0
    # Whole blocks of the minimum size, so issuing does not change the list until it grows.
    size = ((highest // status_lists.MIN_BITS) + 1) * status_lists.MIN_BITS
    digest = hashlib.sha256(
        f"{size}:{','.join(str(index) for index in sorted(revoked))}".encode()
    ).hexdigest()
    return digest, revoked, size


def status_list_current(*, issuer: Issuer) -> StatusList:
    """The issuer's signed BitstringStatusListCredential, signed again only when its content
    changed or its validity period is nearly over (then once, under a row lock)."""
    fingerprint, _revoked, _size = _status_list_state(issuer)
    now = timezone.now()
    current = StatusList.objects.filter(issuer=issuer).first()
    if (
        current is not None
        and current.fingerprint == fingerprint
        and current.valid_until - now > STATUS_LIST_RESIGN_BEFORE
    ):
        return current
    with transaction.atomic():
        Issuer.objects.select_for_update().filter(pk=issuer.pk).first()
        # Another request may have signed it while this one waited for the lock.
        fingerprint, revoked, size = _status_list_state(issuer)
        current = StatusList.objects.filter(issuer=issuer).first()
        now = timezone.now()
        if (
            current is not None
            and current.fingerprint == fingerprint
            and current.valid_until - now > STATUS_LIST_RESIGN_BEFORE
        ):
            return current
        valid_until = now + STATUS_LIST_VALIDITY
        list_url = documents.status_list_url(issuer)
        unsigned = {
            "@context": [documents.OB3_CONTEXTS[0]],
            "id": list_url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": documents.issuer_did(issuer),
            "validFrom": documents.iso(now),
            "validUntil": documents.iso(valid_until),
            "credentialSubject": {
                "id": f"{list_url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": status_lists.encode(revoked, size=size),
            },
        }
        signed = _sign_ob3(issuer=issuer, unsigned=unsigned, jwt_claims=None).credential
        row, _created = StatusList.objects.update_or_create(
            issuer=issuer,
            defaults={
                "fingerprint": fingerprint,
                "credential": signed,
                "signed_at": now,
                "valid_until": valid_until,
            },
        )
        return row
