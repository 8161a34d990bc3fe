"""Printable certificates: the holder's name, dates in words, a QR code to the verification
page, and a PDF (fpdf2) laid out as a real certificate on A4 landscape."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from qrcode.image.pil import PilImage

from credentials import documents
from credentials.models import Award

# A TrueType font with every Spanish letter (and most of Latin Extended), embedded in the PDF
# so names like "Ñuñez Güemes" print the same on every reader. Debian's fonts-dejavu-core;
# without it the PDF falls back to the core Helvetica (Latin-1, which still covers Spanish).
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


def learner_name(award: Award) -> str:
    """The holder's name as the teacher profile has it (first name and surnames).

    Never the username or the e-mail address; empty after an ARCO cancellation or when the
    profile has no name, so the certificate never shows an account identifier instead.
    """
    from learners import selectors as learner_selectors

    if award.recipient_erased_at is not None:
        return ""
    profile = learner_selectors.teacher_profile_for(user=award.recipient)
    if profile is None or profile.is_cancelled:
        return ""
    return profile.full_name


def date_in_words(moment: dt.datetime | dt.date, *, language: str) -> str:
    """ "1 de diciembre de 2026" or "December 1, 2026", in the site's time zone."""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment)
    with translation.override(language):
        if language.startswith("en"):
            return dateformat.format(moment, "F j, Y")
        # Spanish writes month names in lower case; Django's catalog capitalises them.
        month = dateformat.format(moment, "F").lower()
        return f"{moment.day} de {month} de {moment.year}"


def page_url(name: str, *, language: str, **kwargs: object) -> str:
    """Absolute URL of a credentials page in ``language`` (``/en/...`` for English)."""
    with translation.override(language):
        path = reverse(f"credentials_pages:{name}", kwargs=kwargs or None)
    return documents.absolute(path)


def verification_url(award: Award, *, language: str) -> str:
    """The public verification page of ``award`` in ``language``: what the QR code encodes."""
    return page_url("award_detail", language=language, uuid=award.uuid)


def qr_svg(url: str) -> str:
    """Inline SVG of a QR code for ``url``."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(url, image_factory=PilImage, box_size=8, border=2).save(out, format="PNG")
    return out.getvalue()


def _font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def certificate_strings(language: str) -> dict[str, str]:
    """The certificate's fixed texts in ``language`` (shared by the HTML page and the PDF)."""
    with translation.override(language):
        return {
            "title": _("Constancia de logro"),
            "awarded": _("Se otorga a"),
            "for": _("por haber obtenido"),
            "hours": _("horas"),
            "issued": _("Emitida el"),
            "issuer": _("Emisor"),
            "alignment": _("Alineada al Estándar de Competencia"),
            "verify": _("Verifica esta credencial en"),
            "revoked": _("REVOCADA: esta credencial ya no es válida"),
        }


def certificate_pdf(award: Award, *, language: str = "es-mx") -> bytes:
    """A one-page landscape A4 certificate with a QR code to the public verification page."""
    achievement = award.achievement
    verify_url = verification_url(award, language=language)
    strings = certificate_strings(language)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 20, 20)
    fonts = _font_files()
    if fonts:
        pdf.add_font("Cert", "", str(fonts[0]))
        pdf.add_font("Cert", "B", str(fonts[1]))
        family = "Cert"

        def text(value: str) -> str:
            return value

    else:
        family = "Helvetica"

        def text(value: str) -> str:
            return value.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_draw_color(105, 28, 50)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, 271, 184)
    pdf.set_font(family, "", 12)
    pdf.set_y(20)
    pdf.cell(0, 7, text(achievement.issuer.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 28)
    pdf.set_y(32)
    pdf.cell(0, 14, text(strings["title"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 14)
    pdf.cell(0, 10, text(strings["awarded"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 24)
    pdf.multi_cell(0, 12, text(learner_name(award)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 14)
    pdf.cell(0, 10, text(strings["for"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 20)
    pdf.multi_cell(0, 10, text(achievement.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 12)
    details = []
    hours = documents.credits_available(achievement)
    if hours:
        details.append(f"{hours:g} {strings['hours']}")
    details.append(f"{strings['issued']} {date_in_words(award.issued_at, language=language)}")
    pdf.cell(0, 8, text(" · ".join(details)), align="C", new_x="LMARGIN", new_y="NEXT")
    codes = [
        f"{alignment.target_code} {alignment.target_name}".strip()
        for alignment in documents.alignments(achievement)
        if alignment.framework == "conocer"
    ]
    if codes:
        pdf.multi_cell(
            0,
            7,
            text(f"{strings['alignment']}: {'; '.join(codes)}"),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if award.revoked_at is not None:
        pdf.set_text_color(180, 0, 0)
        pdf.set_font(family, "B", 18)
        pdf.cell(0, 10, text(strings["revoked"]), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.image(io.BytesIO(qr_png(verify_url)), x=236, y=148, w=42, h=42)
    pdf.set_font(family, "", 9)
    pdf.set_xy(20, 178)
    pdf.multi_cell(205, 5, text(f"{strings['verify']}:\n{verify_url}"))
    return bytes(pdf.output())
