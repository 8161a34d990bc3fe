"""Verifying Open Badges credentials: our own and other issuers'.

``verify_jwt``, ``verify_json`` and ``verify_image`` return a ``Report``: ``valid`` and four
checks (proof, status, validity window, issuer), each with ``ok`` and a reason. Keys, DID
documents and status lists of other issuers are fetched through the configured adapter
(``LMS_CREDENTIALS_FETCHER``); ours are read from the database, no network involved.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypeVar
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone
from django.utils.module_loading import import_string
from jwcrypto import jwk

from common import json_input
from common.errors import InputError
from credentials import baking, conf, documents, proofs, status_lists
from credentials.models import Award, Issuer, SigningKey
from integrations.http_documents import DocumentFetcher, FetchError

_P = ParamSpec("_P")
_R = TypeVar("_R")


@dataclass
class Check:
    ok: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": self.reason}


@dataclass
class Report:
    format: str
    checks: dict[str, Check] = field(default_factory=dict)
    credential: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks.values())

    def summary(self) -> dict[str, Any]:
        credential = self.credential or {}
        subject = credential.get("credentialSubject") or {}
        if isinstance(subject, list):
            subject = subject[0] if subject else {}
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        issuer = credential.get("issuer")
        return {
            "id": credential.get("id"),
            "type": credential.get("type"),
            "name": credential.get("name"),
            "issuer": issuer.get("name") if isinstance(issuer, dict) else issuer,
            "issuer_id": issuer.get("id") if isinstance(issuer, dict) else issuer,
            "achievement": achievement.get("name") if isinstance(achievement, dict) else None,
            "valid_from": credential.get("validFrom") or credential.get("issuanceDate"),
            "valid_until": credential.get("validUntil") or credential.get("expirationDate"),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "format": self.format,
            "credential": self.summary() if self.credential else None,
            "checks": {name: check.as_dict() for name, check in self.checks.items()},
        }


class VerificationInputError(InputError):
    """The input is not a credential this verifier can read (the message names the problem).

    ``field`` is the input it was given as (``credential``, ``jwt``, ``image``): the public
    ``verify_*`` function the caller called names it (see :func:`_names_input`)."""

    def __init__(self, message: str, *, field: str | None = None, rule: str = "unreadable") -> None:
        super().__init__(field, rule, message)


def _names_input(field: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """A public ``verify_*`` function names the input it was given (``field``) in the
    :class:`VerificationInputError` it raises. The one the caller called names it last: the
    problem of a credential found inside an image is a problem of the image."""

    def decorate(function: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(function)
        def verify(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return function(*args, **kwargs)
            except VerificationInputError as exc:
                exc.field = field
                raise

        return verify

    return decorate


def get_fetcher() -> DocumentFetcher:
    fetcher_class = import_string(conf.get("LMS_CREDENTIALS_FETCHER"))
    return fetcher_class(timeout=float(conf.get("LMS_CREDENTIALS_FETCH_TIMEOUT")))


# --- key resolution ---------------------------------------------------------------------------
class KeyResolver:
    """Resolve verification methods / JWT kids to public keys: ours locally, others by fetch."""

    def __init__(self, fetcher: DocumentFetcher | None = None) -> None:
        self._fetcher = fetcher
        self.controllers: dict[str, str] = {}

    @property
    def fetcher(self) -> DocumentFetcher:
        if self._fetcher is None:
            self._fetcher = get_fetcher()
        return self._fetcher

    def _local(self, method: str) -> SigningKey | Literal[False] | None:
        """The local key row, None if ours but unknown, False when not one of our DIDs."""
        did, _, kid = method.partition("#")
        prefix = documents.issuer_did(Issuer(slug="")).rstrip(":")
        if not did.startswith(prefix + ":") or ":" in did[len(prefix) + 1 :]:
            return False
        slug = did[len(prefix) + 1 :]
        return SigningKey.objects.filter(issuer__slug=slug, kid=kid).first()

    def _local_key_url(self, kid: str) -> SigningKey | Literal[False] | None:
        """Our key behind a VC-JWT ``kid`` URL (``/credentials/issuers/<slug>/keys/<kid>``):
        the row, None if the URL is ours but names no key, False when it is not ours."""
        prefix = documents.absolute("/credentials/issuers/")
        if not kid.startswith(prefix):
            return False
        slug, marker, key_id = kid[len(prefix) :].partition("/keys/")
        if not marker or not slug or "/" in slug or not key_id or "/" in key_id:
            return False
        return (
            SigningKey.objects.select_related("issuer")
            .filter(issuer__slug=slug, kid=key_id)
            .first()
        )

    def local_row(self, method: str) -> SigningKey | None:
        """Our key row behind a DID URL or a key URL, if it is one of ours."""
        for found in (self._local(method), self._local_key_url(method)):
            if isinstance(found, SigningKey):
                return found
        return None

    def _remote_method(self, method: str) -> dict[str, Any] | None:
        base, _, _fragment = method.partition("#")
        if base.startswith("did:web:"):
            document = self.fetcher.fetch_json(documents.did_web_to_url(base))
        elif base.startswith(("https://", "http://")):
            document = self.fetcher.fetch_json(base)
        else:
            raise FetchError(f"cannot dereference {method!r} (only did:web and https)")
        if not isinstance(document, dict):
            return None
        if not _fragment and base.startswith(("https://", "http://")) and document.get("kty"):
            # A bare JWK at the kid URL (the OB 3.0 VC-JWT convention): the issuer check then
            # asks that it be served from the issuer's own host.
            self.controllers[method] = base
            return {"publicKeyJwk": document}
        if document.get("id") == method and (
            "publicKeyMultibase" in document or "publicKeyJwk" in document
        ):
            self.controllers[method] = str(document.get("controller", base))
            return document
        candidates = list(document.get("verificationMethod") or [])
        candidates += [item for item in document.get("keys") or [] if isinstance(item, dict)]
        for item in candidates:
            if not isinstance(item, dict):
                continue
            item_id = str(item.get("id", ""))
            if item_id.startswith("#"):
                item_id = base + item_id
            if item_id == method or (item.get("kid") and f"{base}#{item['kid']}" == method):
                allowed = document.get("assertionMethod")
                if isinstance(allowed, list) and allowed:
                    ids = {a if isinstance(a, str) else a.get("id") for a in allowed}
                    ids = {base + i if i and i.startswith("#") else i for i in ids}
                    if method not in ids:
                        return None
                self.controllers[method] = str(item.get("controller", document.get("id", base)))
                return item
        return None

    def ed25519(self, method: str) -> Ed25519PublicKey | None:
        local = self._local(method)
        if local is not False:
            if local is None or local.algorithm != "ed25519":
                return None
            self.controllers[method] = method.partition("#")[0]
            return _ed25519_from_jwk(local.public_jwk)
        item = self._remote_method(method)
        if item is None:
            return None
        if "publicKeyMultibase" in item:
            return proofs.ed25519_public_from_multibase(str(item["publicKeyMultibase"]))
        if isinstance(item.get("publicKeyJwk"), dict):
            return _ed25519_from_jwk(item["publicKeyJwk"])
        return None

    def jwk(self, kid: str) -> jwk.JWK | None:
        by_url = self._local_key_url(kid)
        if by_url is not False:
            if by_url is None:
                return None
            self.controllers[kid] = documents.issuer_did(by_url.issuer)
            return jwk.JWK(**by_url.public_jwk)
        local = self._local(kid)
        if local is not False:
            if local is None:
                return None
            self.controllers[kid] = kid.partition("#")[0]
            return jwk.JWK(**local.public_jwk)
        item = self._remote_method(kid)
        if item is None:
            return None
        if isinstance(item.get("publicKeyJwk"), dict):
            return jwk.JWK(**item["publicKeyJwk"])
        if "publicKeyMultibase" in item:
            public = proofs.ed25519_public_from_multibase(str(item["publicKeyMultibase"]))
            from cryptography.hazmat.primitives import serialization

            return jwk.JWK.from_pem(
                public.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        if item.get("kty"):
            return jwk.JWK(**item)
        return None


def _ed25519_from_jwk(data: dict[str, Any]) -> Ed25519PublicKey | None:
    if data.get("kty") != "OKP" or data.get("crv") != "Ed25519" or "x" not in data:
        return None
    x = str(data["x"])
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


# --- checks -----------------------------------------------------------------------------------
def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def check_validity(credential: dict[str, Any], *, now: dt.datetime | None = None) -> Check:
    now = now or timezone.now()
    start_raw = credential.get("validFrom", credential.get("issuanceDate"))
    end_raw = credential.get("validUntil", credential.get("expirationDate"))
    start = _parse_time(start_raw)
    if start_raw is not None and start is None:
        return Check(False, f"validFrom {start_raw!r} is not a date-time.")
    end = _parse_time(end_raw)
    if end_raw is not None and end is None:
        return Check(False, f"validUntil {end_raw!r} is not a date-time.")
    if start is not None and start > now:
        return Check(False, f"The credential is not valid before {documents.iso(start)}.")
    if end is not None and end <= now:
        return Check(False, f"The credential expired on {documents.iso(end)}.")
    if end is None:
        return Check(True, "The credential is in its validity window (no expiry date).")
    return Check(True, f"The credential is valid until {documents.iso(end)}.")


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def check_issuer(credential: dict[str, Any], method: str, resolver: KeyResolver) -> Check:
    issuer_id = _issuer_id(credential)
    if not issuer_id:
        return Check(False, "The credential names no issuer id.")
    controller = resolver.controllers.get(method, method.partition("#")[0])
    if (
        controller != issuer_id
        and method.partition("#")[0] != issuer_id
        and not _served_by_issuer_host(controller, issuer_id)
    ):
        return Check(
            False, f"The signing key {method} is not controlled by the issuer {issuer_id}."
        )
    local = resolver.local_row(method)
    if local:
        name = local.issuer.name
        state = "" if local.active else " (a retired key, still published)"
        return Check(True, f"Issued by {name} ({issuer_id}), signed with its key{state}.")
    return Check(True, f"Signed with a key published by the issuer {issuer_id}.")


def _host_of(identifier: str) -> str | None:
    """The host a ``did:web`` or an HTTP(S) identifier resolves to, lower-cased."""
    if identifier.startswith("did:web:"):
        host = identifier[len("did:web:") :].split(":", 1)[0]
        return host.replace("%3A", ":").replace("%3a", ":").lower() or None
    if identifier.startswith(("https://", "http://")):
        return urlsplit(identifier).netloc.lower() or None
    return None


def _served_by_issuer_host(key_url: str, issuer_id: str) -> bool:
    """A bare JWK at an HTTPS URL belongs to the issuer when the issuer's own host serves it."""
    if not key_url.startswith(("https://", "http://")):
        return False
    key_host = _host_of(key_url)
    return key_host is not None and key_host == _host_of(issuer_id)


def _local_award_by_credential_id(credential_id: Any) -> Award | None:
    """Our award behind an OB 3.0 credential id (``/credentials/<uuid>/ob3.json``), by its
    indexed uuid rather than by searching the stored JSON."""
    if not isinstance(credential_id, str):
        return None
    prefix = documents.absolute("/credentials/")
    if not credential_id.startswith(prefix):
        return None
    uuid = credential_id[len(prefix) :].split("/", 1)[0]
    if not _is_uuid(uuid):
        return None
    award = Award.objects.filter(uuid=uuid).first()
    if award is None or (award.ob3_credential or {}).get("id") != credential_id:
        return None
    return award


def _local_award_by_list(list_url: str) -> Issuer | bool | None:
    base = documents.absolute("/credentials/issuers/")
    if not list_url.startswith(base):
        return False
    slug = list_url[len(base) :].split("/", 1)[0]
    return Issuer.objects.filter(slug=slug).first()


def check_status(credential: dict[str, Any], resolver: KeyResolver) -> Check:
    entries = credential.get("credentialStatus")
    if entries is None:
        return Check(True, "The issuer declares no status list; nothing revokes it.")
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return Check(False, "credentialStatus is neither an object nor a list.")
    credential_id = credential.get("id")
    reasons = []
    checked = 0
    for entry in entries:
        if not isinstance(entry, dict):
            return Check(False, "A credentialStatus entry is not an object.")
        kind = entry.get("type")
        try:
            if kind == "1EdTechRevocationList":
                revoked, reason = _revocation_list_says(
                    str(entry.get("id", "")), credential_id, resolver
                )
            elif kind == "BitstringStatusListEntry":
                revoked, reason = _bitstring_says(entry, resolver)
            else:
                reasons.append(f"Status type {kind!r} is not checked.")
                continue
        except FetchError as exc:
            return Check(False, f"The status list could not be fetched: {exc}")
        except (ValueError, KeyError, TypeError) as exc:
            return Check(False, f"The status list is malformed: {exc}")
        checked += 1
        if revoked:
            return Check(False, reason)
    if not checked:
        return Check(False, " ".join(reasons) or "No status entry could be checked.")
    return Check(True, "Not revoked (status lists checked).")


def _revocation_list_says(
    list_url: str, credential_id: Any, resolver: KeyResolver
) -> tuple[bool, str]:
    issuer = _local_award_by_list(list_url)
    if issuer is not False:
        if issuer is None:
            raise ValueError("unknown local revocation list")
        award = _local_award_by_credential_id(credential_id)
        if award is not None and award.revoked_at is not None:
            return True, f"Revoked on {documents.iso(award.revoked_at)}: {award.revocation_reason}"
        return False, ""
    document = resolver.fetcher.fetch_json(list_url)
    items = document.get("revokedCredential") or document.get("revokedCredentials") or []
    for item in items:
        if isinstance(item, dict) and item.get("id") == credential_id and item.get("revoked", True):
            reason = item.get("revocationReason") or "no reason given"
            return True, f"Revoked by the issuer: {reason}"
    return False, ""


def _bitstring_says(entry: dict[str, Any], resolver: KeyResolver) -> tuple[bool, str]:
    if entry.get("statusPurpose") not in ("revocation", "suspension"):
        raise ValueError(f"unsupported statusPurpose {entry.get('statusPurpose')!r}")
    index = int(str(entry["statusListIndex"]))
    list_url = str(entry["statusListCredential"])
    issuer = _local_award_by_list(list_url)
    if issuer is not False:
        if issuer is None:
            raise ValueError("unknown local status list")
        revoked = Award.objects.filter(
            pk=index, achievement__issuer=issuer, revoked_at__isnull=False
        ).first()
        if revoked is not None and revoked.revoked_at is not None:  # as filtered
            return (
                True,
                f"Revoked on {documents.iso(revoked.revoked_at)}: {revoked.revocation_reason}",
            )
        return False, ""
    status_credential = resolver.fetcher.fetch_json(list_url)
    proof = proofs.di_verify(status_credential, resolver.ed25519)
    if not proof.ok:
        raise ValueError(f"the status list credential does not verify ({proof.reason})")
    subject = status_credential["credentialSubject"]
    if status_lists.is_set(str(subject["encodedList"]), index):
        return True, f"The status list marks the credential as {entry['statusPurpose']}."
    return False, ""


# --- entry points -----------------------------------------------------------------------------
def _structure_problem(credential: Any) -> str | None:
    if not isinstance(credential, dict):
        return "The credential is not a JSON object."
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return "type does not include VerifiableCredential."
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts:
        return "@context is missing."
    if not _issuer_id(credential):
        return "issuer is missing."
    if "credentialSubject" not in credential:
        return "credentialSubject is missing."
    return None


@_names_input("credential")
def verify_json(
    credential: Any, *, fetcher: DocumentFetcher | None = None, fmt: str = "ob3-json"
) -> Report:
    """Verify an OB 3.0 credential carrying a Data Integrity proof."""
    report = Report(format=fmt)
    problem = _structure_problem(credential)
    if problem:
        raise VerificationInputError(problem)
    report.credential = credential
    resolver = KeyResolver(fetcher)
    proof = proofs.di_verify(credential, resolver.ed25519)
    report.checks["proof"] = Check(proof.ok, proof.reason)
    report.checks["issuer"] = (
        check_issuer(credential, proof.verification_method, resolver)
        if proof.ok
        else Check(False, "The issuer cannot be confirmed without a valid proof.")
    )
    report.checks["validity"] = check_validity(credential)
    report.checks["status"] = check_status(credential, resolver)
    return report


@_names_input("jwt")
def verify_jwt(token: str, *, fetcher: DocumentFetcher | None = None) -> Report:
    """Verify a VC-JWT (payload = the credential plus JWT claims, or a ``vc`` claim)."""
    report = Report(format="vc-jwt")
    try:
        _header, unverified = proofs.jwt_unverified_parts(token)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationInputError(f"not a compact JWS: {exc}") from exc
    credential = unverified.get("vc", unverified)
    problem = _structure_problem(credential)
    if problem:
        raise VerificationInputError(problem)
    resolver = KeyResolver(fetcher)
    check, payload = proofs.jwt_verify(token, resolver.jwk)
    report.checks["proof"] = Check(check.ok, check.reason)
    if payload is not None:
        credential = payload.get("vc", payload)
    report.credential = credential
    if check.ok:
        issuer = check_issuer(credential, check.verification_method, resolver)
        iss = payload.get("iss") if payload is not None else None
        if issuer.ok and iss is not None and iss != _issuer_id(credential):
            issuer = Check(False, "The JWT iss claim differs from the credential's issuer.")
        sub = payload.get("sub") if payload is not None else None
        subject = credential.get("credentialSubject")
        subject_id = subject.get("id") if isinstance(subject, dict) else None
        if issuer.ok and sub is not None and sub != subject_id:
            # OB 3.0 (VC-JWT): sub MUST equal credentialSubject.id.
            issuer = Check(False, "The JWT sub claim differs from credentialSubject.id.")
        report.checks["issuer"] = issuer
    else:
        report.checks["issuer"] = Check(
            False, "The issuer cannot be confirmed without a valid proof."
        )
    validity = check_validity(credential)
    now = timezone.now()
    if (
        validity.ok
        and isinstance(unverified.get("exp"), int | float)
        and unverified["exp"] <= now.timestamp()
    ):
        validity = Check(False, "The JWT exp claim has passed.")
    if (
        validity.ok
        and isinstance(unverified.get("nbf"), int | float)
        and unverified["nbf"] > now.timestamp()
    ):
        validity = Check(False, "The JWT is not valid yet (nbf).")
    report.checks["validity"] = validity
    report.checks["status"] = check_status(credential, resolver)
    return report


def verify_ob2_hosted(payload: str, *, fetcher: DocumentFetcher | None = None) -> Report:
    """Verify an OB 2.0 hosted assertion (its URL, or its JSON whose id is re-fetched)."""
    report = Report(format="ob2-hosted")
    assertion_url = payload.strip()
    if assertion_url.startswith("{"):
        assertion_url = str(json.loads(assertion_url).get("id", ""))
    local_prefix = documents.absolute("/credentials/")
    if assertion_url.startswith(local_prefix):
        uuid = assertion_url[len(local_prefix) :].split("/", 1)[0]
        award = (
            Award.objects.select_related("achievement__issuer").filter(uuid=uuid).first()
            if _is_uuid(uuid)
            else None
        )
        if award is None:
            report.checks["proof"] = Check(False, "The hosted assertion does not exist.")
            return report
        if award.recipient_erased_at is not None:
            # ARCO cancellation: the assertion (with the recipient's salted hash) is gone.
            report.checks["proof"] = Check(
                False, "The hosted assertion is no longer published by its issuer."
            )
            return report
        assertion = award.ob2_assertion or {}
        report.credential = award.ob3_credential
        report.checks["proof"] = Check(True, "The hosted assertion is served by its issuer.")
        report.checks["issuer"] = Check(True, f"Issued by {award.achievement.issuer.name}.")
        expires = _parse_time(assertion.get("expires"))
        report.checks["validity"] = (
            Check(False, "The assertion has expired.")
            if expires is not None and expires <= timezone.now()
            else Check(True, "The assertion has not expired.")
        )
        report.checks["status"] = (
            Check(False, f"Revoked: {award.revocation_reason}")
            if award.revoked_at
            else Check(True, "Not revoked.")
        )
        return report
    fetcher = fetcher or get_fetcher()
    try:
        assertion = fetcher.fetch_json(assertion_url)
    except FetchError as exc:
        report.checks["proof"] = Check(False, f"The hosted assertion could not be fetched: {exc}")
        return report
    if not isinstance(assertion, dict) or assertion.get("id") != assertion_url:
        report.checks["proof"] = Check(False, "The hosted assertion's id differs from its URL.")
        return report
    report.checks["proof"] = Check(True, "The hosted assertion is served at its id.")
    report.checks["issuer"] = Check(True, "Hosted by the issuer's domain.")
    report.checks["status"] = (
        Check(False, "The issuer marks the assertion as revoked.")
        if assertion.get("revoked")
        else Check(True, "Not revoked.")
    )
    expires = _parse_time(assertion.get("expires"))
    report.checks["validity"] = (
        Check(False, "The assertion has expired.")
        if expires is not None and expires <= timezone.now()
        else Check(True, "The assertion has not expired.")
    )
    return report


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@_names_input("credential")
def verify_text(text: str, *, fetcher: DocumentFetcher | None = None) -> Report:
    """Verify a credential given as text: a compact JWS, or JSON."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            return verify_json(json_input.loads(stripped, "credential"), fetcher=fetcher)
        except ValueError as exc:
            if isinstance(exc, VerificationInputError):
                raise
            raise VerificationInputError(f"not valid JSON: {exc}") from exc
    if stripped.count(".") == 2:
        return verify_jwt(stripped, fetcher=fetcher)
    raise VerificationInputError("neither a JSON credential nor a compact JWS")


@_names_input("image")
def verify_image(data: bytes, *, fetcher: DocumentFetcher | None = None) -> Report:
    """Verify a baked PNG or SVG: the OB 3.0 credential if present, else the OB 2.0 assertion."""
    try:
        if data.startswith(baking.PNG_SIGNATURE):
            found = baking.unbake_png(data)
            kind = "png"
        else:
            found = baking.unbake_svg(data.decode("utf-8"))
            kind = "svg"
    except UnicodeDecodeError as exc:
        raise VerificationInputError("the image is neither PNG nor SVG") from exc
    except baking.BakingError as exc:
        raise VerificationInputError(str(exc)) from exc
    if baking.OB3_KEYWORD in found:
        report = verify_text(found[baking.OB3_KEYWORD], fetcher=fetcher)
        report.format = f"baked-{kind}:{report.format}"
        return report
    if baking.OB2_KEYWORD in found:
        report = verify_ob2_hosted(found[baking.OB2_KEYWORD], fetcher=fetcher)
        report.format = f"baked-{kind}:{report.format}"
        return report
    raise VerificationInputError("the image carries no baked badge")


def verify_award(award: Award) -> Report:
    """Verify one of our awards as a stranger would: its stored OB 3.0 credential."""
    return verify_json(award.ob3_credential)
