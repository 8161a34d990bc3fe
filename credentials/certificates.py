"""Printable certificates: a QR code to the verification page, and a PDF (fpdf2)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from credentials import documents
from credentials.models import Award


def learner_name(award: Award) -> str:
    user = award.recipient
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def qr_svg(url: str) -> str:
    """Inline SVG of a QR code for ``url``."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(url, box_size=8, border=2).save(out, format="PNG")
    return out.getvalue()


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1 (all Spanish letters); anything else is replaced.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(award: Award, *, language: str = "es-mx") -> bytes:
    """A one-page landscape A4 certificate with a QR code to the public verification page."""
    achievement = award.achievement
    verify_url = documents.url("award_detail", uuid=award.uuid)
    with translation.override(language):
        strings = {
            "title": _("Constancia de logro"),
            "awarded": _("Se otorga a"),
            "for": _("por haber obtenido"),
            "hours": _("horas"),
            "issued": _("Emitida el"),
            "issuer": _("Emisor"),
            "verify": _("Verifique esta credencial en"),
            "revoked": _("REVOCADA"),
        }
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(105, 28, 50)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 30)
    pdf.set_y(28)
    pdf.cell(0, 14, _latin1(strings["title"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, _latin1(strings["awarded"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 14, _latin1(learner_name(award)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 10, _latin1(strings["for"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 11, _latin1(achievement.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    details = []
    hours = documents.credits_available(achievement)
    if hours:
        details.append(f"{hours:g} {strings['hours']}")
    details.append(f"{strings['issued']} {award.issued_at:%Y-%m-%d}")
    details.append(f"{strings['issuer']}: {achievement.issuer.name}")
    pdf.cell(0, 8, _latin1(" · ".join(details)), align="C", new_x="LMARGIN", new_y="NEXT")
    if award.revoked_at is not None:
        pdf.set_text_color(180, 0, 0)
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 10, _latin1(strings["revoked"]), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.image(io.BytesIO(qr_png(verify_url)), x=236, y=148, w=42, h=42)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(20, 182)
    pdf.cell(210, 6, _latin1(f"{strings['verify']}: {verify_url}"))
    return bytes(pdf.output())
