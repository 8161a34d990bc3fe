"""The e-mail that tells a teacher a credential was issued to her, in her language, with the
link to its public verification page. Sent at most once per award (``Award.notified_at``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from credentials import certificates
from credentials.models import Award

logger = logging.getLogger(__name__)
TEMPLATES = "credentials/email"


def holder_language(award: Award) -> str:
    """The language she studied in: that of the course whose completion earned the award, or
    the site's default language (a manual award, a pathway)."""
    from learners import selectors as learner_selectors

    if award.enrollment_id:
        enrollment = (
            learner_selectors.enrollment_list_for(user=award.recipient)
            .filter(pk=award.enrollment_id)
            .select_related("course__locale")
            .first()
        )
        if enrollment is not None and enrollment.course.locale_id:
            code = enrollment.course.locale.language_code.lower()
            if code.startswith("en"):
                return "en"
    return settings.LANGUAGE_CODE


def award_notify(*, award_id: int) -> bool:
    """E-mail the holder of ``award_id`` its verification link; return whether a mail went out.

    Idempotent: the award row is locked and ``notified_at`` set in the same transaction as the
    sending, so a second run (retry, duplicate delivery) sends nothing. Nothing is sent for a
    revoked award, after an ARCO cancellation, or to an account without an e-mail address.
    The log names the award, never the address.
    """
    with transaction.atomic():
        award = (
            Award.objects.select_for_update()
            .select_related("achievement__issuer", "recipient")
            .filter(pk=award_id)
            .first()
        )
        if award is None or award.notified_at is not None:
            return False
        address = (getattr(award.recipient, "email", "") or "").strip()
        if award.revoked_at is not None or award.recipient_erased_at is not None or not address:
            return False
        language = holder_language(award)
        with translation.override(language):
            context = {
                "name": certificates.learner_name(award),
                "achievement": award.achievement.name,
                "issuer": award.achievement.issuer.name,
                "issued_on": certificates.date_in_words(award.issued_at, language=language),
                "verify_url": certificates.verification_url(award, language=language),
                "wallet_url": certificates.page_url("wallet", language=language),
            }
            subject = render_to_string(f"{TEMPLATES}/award_subject.txt", context).strip()
            body = render_to_string(f"{TEMPLATES}/award_body.txt", context)
        send_mail(subject, body, None, [address])
        award.notified_at = timezone.now()
        award.save(update_fields=["notified_at"])
    logger.info("award %s: holder notified", award.uuid)
    return True
