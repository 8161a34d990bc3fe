"""Public pages and Open Badges documents under /credentials/ (no sign-in), and the learner's
wallet page. Views are thin: selectors read, ``documents`` shapes, ``verification`` checks."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from common.auth import signed_in_user
from credentials import (
    certificates,
    documents,
    keys,
    selectors,
    services,
    verification,
)
from credentials import wallet as wallet_files
from credentials.models import Achievement, Award, Endorsement, Issuer

logger = logging.getLogger(__name__)
LD_JSON = "application/ld+json"
# The site's own sign-in page (in the page's language), never the Wagtail admin's.
SITE_LOGIN_URL = reverse_lazy("learners:login")
PUBLIC_CACHE = "public, max-age=300"


def _json(data: Any, *, status: int = 200, content_type: str = LD_JSON) -> JsonResponse:
    response = JsonResponse(
        data,
        status=status,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        safe=False,
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _wants_html(request: HttpRequest) -> bool:
    """Content negotiation: a browser (Accept preferring text/html) gets the page, anything
    else (no Accept, */*, JSON, JSON-LD) the JSON-LD document."""
    preferred = request.get_preferred_type([LD_JSON, "application/json", "text/html"])
    return preferred == "text/html"


def _negotiated(response: HttpResponse) -> HttpResponse:
    # Caches must key the answer on Accept: the same URL answers HTML or JSON-LD.
    patch_vary_headers(response, ["Accept"])
    return response


def _award_or_404(uuid: Any) -> Award:
    award = selectors.award_public(uuid=str(uuid))
    if award is None or not award.ob3_credential:
        raise Http404("No such credential.")
    return award


def _published_award_or_404(uuid: Any) -> Award:
    """An award whose documents are still published: not after the holder's ARCO cancellation,
    since each of them carries the salted hash of her e-mail (and its salt)."""
    award = _award_or_404(uuid)
    if award.recipient_erased_at is not None:
        raise Http404("No such credential.")
    return award


def _language(request: HttpRequest) -> str:
    """The page's language: ``/en/...`` is English, ``/...`` Spanish (LocaleMiddleware);
    ``?lang=`` is still read so links shared before the English URLs existed keep working."""
    requested = request.GET.get("lang", "")
    if requested in ("en", "es", "es-mx"):
        return "en" if requested == "en" else "es-mx"
    return "en" if (translation.get_language() or "").startswith("en") else "es-mx"


def _other_language_url(name: str, language: str, **kwargs: Any) -> str:
    other = "es-mx" if language == "en" else "en"
    with translation.override(other):
        return reverse(f"credentials_pages:{name}", kwargs=kwargs)


def _plain_checks(award: Award, report: verification.Report, language: str) -> list[dict]:
    """Each check of the report in plain words of the page's language; the verifier's
    technical reason goes to the "Detalles técnicos" part of the page."""
    issuer = award.achievement.issuer.name
    checks = report.checks
    now = timezone.now()

    def when(moment: Any) -> str:
        return certificates.date_in_words(moment, language=language)

    def item(key: str, ok_text: str, failed_text: str) -> dict:
        check = checks.get(key)
        ok = bool(check and check.ok)
        return {
            "key": key,
            "ok": ok,
            "text": ok_text if ok else failed_text,
        }

    with translation.override(language):
        if award.valid_until is None:
            valid_text = _("Vigente, sin fecha de vencimiento")
        else:
            valid_text = _("Vigente hasta el %(date)s") % {"date": when(award.valid_until)}
        if award.valid_until is not None and award.valid_until <= now:
            invalid_text = _("Venció el %(date)s") % {"date": when(award.valid_until)}
        else:
            invalid_text = _("Fuera de su periodo de vigencia")
        if award.revoked_at is not None:
            revoked_text = _("Revocada el %(date)s") % {"date": when(award.revoked_at)}
        else:
            revoked_text = _("No se pudo comprobar si fue revocada")
        return [
            item(
                "proof",
                _("Firma digital válida del emisor: %(issuer)s") % {"issuer": issuer},
                _("La firma digital no es válida: el documento cambió o no lo firmó %(issuer)s")
                % {"issuer": issuer},
            ),
            item(
                "issuer",
                _("Emisor: %(issuer)s") % {"issuer": issuer},
                _("No se pudo confirmar quién la emitió"),
            ),
            # The award's own end date counts even when a copy of the credential omits it.
            item("validity", valid_text, invalid_text)
            if award.valid_until is None or award.valid_until > now
            else {"key": "validity", "ok": False, "text": invalid_text},
            item("status", _("No ha sido revocada"), revoked_text),
        ]


# --- award pages and documents ----------------------------------------------------------------
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def award_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The verification page: verifies on the server and shows what the badge certifies.

    The recipient check is a POST, so the e-mail address a verifier types never appears in a
    URL (history, proxies, access logs, Referer)."""
    award = _award_or_404(uuid)
    report = verification.verify_award(award)
    recipient_check = None
    email_error = ""
    # After an ARCO cancellation there is nothing to compare with: every guess gets the same
    # page, which says no recipient check is available (it never says "no match").
    recipient_erased = award.recipient_erased_at is not None
    language = _language(request)
    if request.method == "POST" and not recipient_erased:
        email = request.POST.get("email", "").strip()
        if not email or len(email) > 254 or "@" not in email or "\x00" in email:
            with translation.override(language):
                email_error = _("Escribe un correo electrónico completo, como nombre@dominio.mx.")
        else:
            recipient_check = (
                services.recipient_hash(email, award.recipient_salt) == award.recipient_hash
            )
    expired = award.valid_until is not None and award.valid_until <= timezone.now()
    with translation.override(language):
        response = render(
            request,
            "credentials/award_detail.html",
            {
                "award": award,
                "achievement": award.achievement,
                "microcredential": award.achievement.microcredential,
                "issuer": award.achievement.issuer,
                "report": report,
                "checks": report.as_dict()["checks"],
                "plain_checks": _plain_checks(award, report, language),
                "alignments": documents.alignments(award.achievement),
                "hours": documents.credits_available(award.achievement),
                "endorsements": selectors.achievement_endorsements(achievement=award.achievement),
                "recipient_check": recipient_check,
                "email_error": email_error,
                "recipient_erased": recipient_erased,
                "holder_name": "" if recipient_erased else certificates.learner_name(award),
                "issued_on": certificates.date_in_words(award.issued_at, language=language),
                "valid_until": (
                    certificates.date_in_words(award.valid_until, language=language)
                    if award.valid_until
                    else ""
                ),
                "expired": expired,
                "verify_url": documents.url("award_detail", uuid=award.uuid),
                "page_url": documents.absolute(request.path),
                "image_url": documents.url("award_png", uuid=award.uuid)
                if not recipient_erased
                else documents.url("achievement_image", uuid=award.achievement.uuid),
                "issuer_did": documents.issuer_did(award.achievement.issuer),
                "language": language,
                "other_language_url": _other_language_url(
                    "award_detail", language, uuid=award.uuid
                ),
            },
        )
    response["Referrer-Policy"] = "same-origin"
    if request.method == "POST":
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def award_ob3(request: HttpRequest, uuid: Any) -> JsonResponse:
    return _json(_published_award_or_404(uuid).ob3_credential)


@require_GET
def award_jwt(request: HttpRequest, uuid: Any) -> HttpResponse:
    response = HttpResponse(
        _published_award_or_404(uuid).ob3_jwt, content_type="application/vc+jwt"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def award_ob2(request: HttpRequest, uuid: Any) -> JsonResponse:
    """OB 2.0 hosted assertion; a revoked one answers 410 with ``revoked: true`` (OB 2.0)."""
    award = _published_award_or_404(uuid)
    if award.revoked_at is not None:
        return _json(
            {
                **(award.ob2_assertion or {}),
                "revoked": True,
                "revocationReason": award.revocation_reason,
            },
            status=410,
        )
    return _json(award.ob2_assertion)


@require_GET
def award_png(request: HttpRequest, uuid: Any) -> HttpResponse:
    award = _published_award_or_404(uuid)
    with award.baked_png.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="badge-{award.uuid}.png"'
    return response


@require_GET
def award_svg(request: HttpRequest, uuid: Any) -> HttpResponse:
    award = _published_award_or_404(uuid)
    response = HttpResponse(wallet_files.baked_svg(award), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="badge-{award.uuid}.svg"'
    return response


def _owner_or_staff(request: HttpRequest, award: Award) -> None:
    user = request.user
    if not user.is_authenticated:
        raise Http404("No such certificate.")
    if award.recipient_id != user.pk and not user.has_perm("credentials.view_award"):
        raise Http404("No such certificate.")


@login_required(login_url=SITE_LOGIN_URL)
@require_GET
def award_certificate(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Printable certificate (with the learner's name, so only for the learner and staff)."""
    award = _award_or_404(uuid)
    _owner_or_staff(request, award)
    language = _language(request)
    verify_url = certificates.verification_url(award, language=language)
    with translation.override(language):
        return render(
            request,
            "credentials/certificate.html",
            {
                "award": award,
                "achievement": award.achievement,
                "issuer": award.achievement.issuer,
                "learner_name": certificates.learner_name(award),
                "is_holder": award.recipient_id == request.user.pk,
                "hours": documents.credits_available(award.achievement),
                "conocer_alignments": [
                    alignment
                    for alignment in documents.alignments(award.achievement)
                    if alignment.framework == "conocer"
                ],
                "issued_on": certificates.date_in_words(award.issued_at, language=language),
                "verify_url": verify_url,
                "verify_url_readable": verify_url.split("://", 1)[-1],
                "qr_svg": certificates.qr_svg(verify_url),
                "language": language,
                "other_language_url": _other_language_url(
                    "award_certificate", language, uuid=award.uuid
                ),
            },
        )


@login_required(login_url=SITE_LOGIN_URL)
@require_GET
def award_certificate_pdf(request: HttpRequest, uuid: Any) -> HttpResponse:
    award = _award_or_404(uuid)
    _owner_or_staff(request, award)
    language = _language(request)
    pdf = certificates.certificate_pdf(award, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    # Named with the word the pages use for it: "Constancia (PDF)", "Certificate (PDF)".
    stem = "certificate" if language == "en" else "constancia"
    response["Content-Disposition"] = f'attachment; filename="{stem}-{award.uuid}.pdf"'
    return response


# --- achievements -----------------------------------------------------------------------------
def _achievement_or_404(uuid: Any) -> Achievement:
    return get_object_or_404(
        Achievement.objects.select_related("issuer", "microcredential").prefetch_related(
            "alignments", "endorsements"
        ),
        uuid=uuid,
    )


@require_GET
def achievement_json(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The achievement: its page for a browser, the OB 3.0 ``Achievement`` (JSON-LD) for a
    client, at the one URL the credentials name as the achievement's id."""
    achievement = _achievement_or_404(uuid)
    if _wants_html(request):
        return _negotiated(
            render(
                request,
                "credentials/achievement.html",
                {
                    "achievement": achievement,
                    "alignments": documents.alignments(achievement),
                    "hours": documents.credits_available(achievement),
                    "json_url": documents.url("achievement_json", uuid=achievement.uuid),
                },
            )
        )
    endorsements = [
        endorsement.credential
        for endorsement in selectors.achievement_endorsements(achievement=achievement)
        if endorsement.credential is not None  # as the selector filters
    ]
    document = {
        "@context": documents.OB3_CONTEXTS,
        **documents.achievement_ob3(achievement, endorsements=endorsements),
    }
    return _negotiated(_json(document))


@require_GET
def achievement_criteria(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The achievement's criteria (``criteria.id``): a page for a browser, the ``Criteria``
    object (JSON-LD) for a client."""
    achievement = _achievement_or_404(uuid)
    criteria_url = documents.url("achievement_criteria", uuid=achievement.uuid)
    if _wants_html(request):
        return _negotiated(
            render(
                request,
                "credentials/criteria.html",
                {"achievement": achievement, "json_url": criteria_url},
            )
        )
    document = {
        "@context": documents.OB3_CONTEXTS,
        "id": criteria_url,
        "type": ["Criteria"],
        "narrative": achievement.criteria_narrative,
    }
    return _negotiated(_json(document))


@require_GET
def achievement_badgeclass(request: HttpRequest, uuid: Any) -> JsonResponse:
    return _json(documents.badgeclass_ob2(_achievement_or_404(uuid)))


@require_GET
def achievement_image(request: HttpRequest, uuid: Any) -> HttpResponse:
    achievement = _achievement_or_404(uuid)
    response = HttpResponse(services.achievement_base_png(achievement), content_type="image/png")
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def endorsement_json(request: HttpRequest, uuid: Any) -> JsonResponse:
    endorsement = get_object_or_404(Endorsement, uuid=uuid, credential__isnull=False)
    return _json(endorsement.credential)


@require_GET
def alignment_detail(request: HttpRequest, framework: str, code: str) -> HttpResponse:
    """Where an alignment without its own URL points: what the target is."""
    from credentials.models import AchievementAlignment, MicrocredentialAlignment

    match = (
        AchievementAlignment.objects.filter(framework=framework, target_code=code).first()
        or MicrocredentialAlignment.objects.filter(framework=framework, target_code=code).first()
        or AchievementAlignment.objects.filter(framework=framework, target_name=code).first()
        or MicrocredentialAlignment.objects.filter(framework=framework, target_name=code).first()
    )
    if match is None and framework in ("skill", "sector"):
        # Skills and sectors are the courses' snippets: their alignments point here by slug.
        from courses import selectors as course_selectors

        term = course_selectors.taxonomy_term(kind=framework, slug=code)
        if term is not None:
            item = documents.AlignmentItem(framework=framework, target_name=term.name)
            return render(
                request,
                "credentials/taxonomy_term.html",
                {"term": term, "framework_name": item.framework_name},
            )
    if match is None:
        raise Http404("Unknown alignment target.")
    return render(request, "credentials/alignment.html", {"alignment": match})


# --- issuers ----------------------------------------------------------------------------------
def _issuer_or_404(slug: str) -> Issuer:
    issuer = get_object_or_404(Issuer, slug=slug)
    try:
        services.issuer_keys_ensure(issuer=issuer)
    except keys.KeyConfigurationError:
        # Misconfigured key policy: publish the keys that exist rather than fail the page;
        # issuing fails loudly in the worker, where operators look.
        logger.exception("issuer %s: signing keys cannot be created", issuer.slug)
    return issuer


@require_GET
def issuer_profile(request: HttpRequest, slug: str) -> JsonResponse:
    issuer = _issuer_or_404(slug)
    return _json({"@context": documents.OB3_CONTEXTS, **documents.issuer_profile_ob3(issuer)})


@require_GET
def issuer_ob2(request: HttpRequest, slug: str) -> JsonResponse:
    return _json(documents.issuer_ob2(get_object_or_404(Issuer, slug=slug)))


@require_GET
def issuer_jwks(request: HttpRequest, slug: str) -> JsonResponse:
    issuer = _issuer_or_404(slug)
    return _json(
        documents.jwks(selectors.issuer_keys(issuer=issuer)), content_type="application/json"
    )


@require_GET
def host_jwks(request: HttpRequest) -> JsonResponse:
    """``/.well-known/jwks.json``: every issuer's public keys (retired ones included), so a
    VC-JWT ``kid`` is found in the host's JWKS as well as at its own URL."""
    return _json(documents.jwks(selectors.all_issuer_keys()), content_type="application/json")


@require_GET
def issuer_key(request: HttpRequest, slug: str, kid: str) -> JsonResponse:
    """One public key as a bare JWK: what a VC-JWT header ``kid`` URL dereferences to."""
    issuer = get_object_or_404(Issuer, slug=slug)
    key = selectors.issuer_key_by_kid(issuer=issuer, kid=kid)
    if key is None:
        raise Http404("No such key.")
    response = _json(
        documents.public_jwk_members(key.public_jwk), content_type="application/jwk+json"
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def issuer_did(request: HttpRequest, slug: str) -> JsonResponse:
    issuer = _issuer_or_404(slug)
    return _json(
        documents.did_document(issuer, selectors.issuer_keys(issuer=issuer)),
        content_type="application/did+ld+json",
    )


@require_GET
def issuer_revocations(request: HttpRequest, slug: str) -> JsonResponse:
    """1EdTech Revocation List: the issuer's revoked credentials by id, with reasons."""
    issuer = get_object_or_404(Issuer, slug=slug)
    revoked = [
        {
            "id": documents.url("award_ob3", uuid=award.uuid),
            "revoked": True,
            "revocationReason": award.revocation_reason,
        }
        for award in selectors.issuer_revoked_awards(issuer=issuer)
    ]
    # One array, named as the 1EdTech revocation list validator reads it.
    return _json(
        {
            "id": documents.url("issuer_revocations", slug=issuer.slug),
            "issuer": documents.issuer_did(issuer),
            "revokedCredential": revoked,
        },
        content_type="application/json",
    )


@require_GET
def issuer_ob2_revocations(request: HttpRequest, slug: str) -> JsonResponse:
    issuer = get_object_or_404(Issuer, slug=slug)
    return _json(
        {
            "@context": documents.OB2_CONTEXT,
            "type": "RevocationList",
            "id": documents.url("issuer_ob2_revocations", slug=issuer.slug),
            "issuer": documents.url("issuer_ob2", slug=issuer.slug),
            "revokedAssertions": [
                {
                    "id": documents.url("award_ob2", uuid=award.uuid),
                    "revocationReason": award.revocation_reason,
                }
                for award in selectors.issuer_revoked_awards(issuer=issuer)
            ],
        }
    )


@require_GET
def issuer_status_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The issuer's signed BitstringStatusListCredential. Signed once per change (see
    ``services.status_list_current``), served with validators so caches revalidate cheaply."""
    issuer = _issuer_or_404(slug)
    status_list = services.status_list_current(issuer=issuer)
    etag = quote_etag(status_list.fingerprint + "-" + str(int(status_list.signed_at.timestamp())))
    last_modified = http_date(status_list.signed_at.timestamp())
    not_modified = _not_modified(request, etag=etag, last_modified=status_list.signed_at)
    response = HttpResponse(status=304) if not_modified else _json(status_list.credential)
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    # Short: a revocation must reach verifiers within minutes; the list itself stays valid
    # (validUntil) far longer than any cache keeps it.
    response["Cache-Control"] = PUBLIC_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _not_modified(request: HttpRequest, *, etag: str, last_modified: Any) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
    from django.utils.http import parse_etags, parse_http_date_safe

    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return "*" in tags or etag in tags or etag.removeprefix("W/") in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(last_modified.timestamp()) <= since


# --- wallet page ------------------------------------------------------------------------------
def linkedin_add_url(award: Award) -> str:
    """LinkedIn "add to profile" link for a certification."""
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": award.achievement.name,
            "organizationName": award.achievement.issuer.name,
            "issueYear": award.issued_at.year,
            "issueMonth": award.issued_at.month,
            "certUrl": documents.url("award_detail", uuid=award.uuid),
            "certId": str(award.uuid),
        }
    )


@login_required(login_url=SITE_LOGIN_URL)
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    """The learner's credentials with downloads, a share link and LinkedIn's add-to-profile."""
    awards = list(selectors.awards_of_user(user_id=signed_in_user(request).pk))
    language = _language(request)
    items = [
        {
            "award": award,
            "verify_url": certificates.verification_url(award, language=language),
            "issued_on": certificates.date_in_words(award.issued_at, language=language),
            "linkedin_url": linkedin_add_url(award),
        }
        for award in awards
    ]
    with translation.override(language):
        return render(request, "credentials/wallet.html", {"items": items, "language": language})


@login_required(login_url=SITE_LOGIN_URL)
@require_GET
def wallet_export(request: HttpRequest) -> HttpResponse:
    """All of the learner's credentials as one zip (OB 3.0 JSON and VC-JWT, OB 2.0 assertion,
    baked PNG and SVG), to keep them, for instance before cancelling the account."""
    user = signed_in_user(request)
    data = wallet_files.export_zip(selectors.awards_of_user(user_id=user.pk))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="mis-credenciales-capacita.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
