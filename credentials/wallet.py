"""The learner's credentials as files: one zip with every award in every format, so a teacher
can keep them (for example before an ARCO cancellation stops publishing them)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable

from credentials import baking, documents, services
from credentials.models import Achievement, Award

README = """Capacita: your credentials / tus credenciales

Each folder is one credential (its id):
  credential.json  Open Badges 3.0 OpenBadgeCredential (W3C VC, Data Integrity eddsa-rdfc-2022)
  credential.jwt   the same credential as a VC-JWT
  badge.png        badge image with the OB 3.0 credential and the OB 2.0 assertion baked in
  badge.svg        badge image with the OB 3.0 credential baked in
  assertion.json   Open Badges 2.0 assertion
index.json lists them with their achievement, issuer, dates and whether they were revoked.
Verifiers check the signature with the issuer's published keys and the revocation status,
which keep working: https://www.w3.org/TR/vc-data-model-2.0/
"""


def achievement_svg(achievement: Achievement) -> str:
    """The achievement's artwork as SVG: the uploaded PNG wrapped, or generated."""
    from credentials import badge_images

    if achievement.image_id:
        return badge_images.png_to_svg_wrapper(
            services.achievement_base_png(achievement), title=achievement.name
        )
    return badge_images.generate_svg(**services.badge_design(achievement))


def baked_svg(award: Award) -> str:
    """The award's badge as SVG with its OB 3.0 credential baked in."""
    return baking.bake_svg(
        achievement_svg(award.achievement),
        json.dumps(award.ob3_credential, separators=(",", ":"), ensure_ascii=False),
        version=3,
    )


def export_zip(awards: Iterable[Award]) -> bytes:
    """A zip of the given awards in every format they are kept in, plus ``index.json``."""
    buffer = io.BytesIO()
    index = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for award in awards:
            if not award.ob3_credential:
                continue
            folder = f"{award.uuid}/"
            archive.writestr(
                folder + "credential.json",
                json.dumps(award.ob3_credential, ensure_ascii=False, indent=2),
            )
            if award.ob3_jwt:
                archive.writestr(folder + "credential.jwt", award.ob3_jwt)
            if award.ob2_assertion:
                archive.writestr(
                    folder + "assertion.json",
                    json.dumps(award.ob2_assertion, ensure_ascii=False, indent=2),
                )
            if award.baked_png:
                with award.baked_png.open("rb") as handle:
                    archive.writestr(folder + "badge.png", handle.read())
            archive.writestr(folder + "badge.svg", baked_svg(award))
            index.append(
                {
                    "id": str(award.uuid),
                    "achievement": award.achievement.name,
                    "issuer": award.achievement.issuer.name,
                    "issuedOn": documents.iso(award.issued_at),
                    "revoked": award.revoked_at is not None,
                    "verify": documents.url("award_detail", uuid=award.uuid),
                }
            )
        archive.writestr("index.json", json.dumps(index, ensure_ascii=False, indent=2))
    return buffer.getvalue()
