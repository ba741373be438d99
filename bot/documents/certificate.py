"""A certificate of attendance as a one-page PDF (fpdf2) with a QR code (segno) to verify it.

The font is DejaVu Sans (`bot.documents.pdfs`); every line goes through `printable`, so a
holder named with decorative letters or in a script the font lacks still reads on the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from bot.documents.pdfs import FONT, new_pdf, printable


@dataclass(frozen=True)
class CertificateText:
    """Everything printed, already in the holder's language."""

    heading: str  # "Certificate of attendance"
    preamble: str  # "This certifies that"
    holder: str
    organization_line: str | None  # "of Mujeres Emprendedoras del Callao"
    attended: str  # "attended the training"
    session_title: str
    details: str  # "on 26 November 2026, 3 hours, topic Leadership"
    issuer: str
    code_line: str  # "Verification code: ABCD-1234"
    verify_hint: str  # "Scan the code or send /verify ABCD-1234 to the bot"
    verify_url: str


def certificate_pdf(text: CertificateText) -> bytes:
    pdf = new_pdf(orientation="L", unit="mm", format="A4")
    pdf.set_title(text.heading)
    pdf.set_author(text.issuer)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(40, 90, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    width = 257

    def line(size: float, value: str, *, bold: bool = False, gap: float = 4) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_x(20)
        pdf.multi_cell(width, size * 0.5, printable(value), align="C")
        pdf.ln(gap)

    pdf.set_y(30)
    line(30, text.heading, bold=True, gap=10)
    line(14, text.preamble)
    line(24, text.holder, bold=True)
    if text.organization_line:
        line(14, text.organization_line)
    line(14, text.attended)
    line(18, text.session_title, bold=True)
    line(12, text.details, gap=8)
    line(11, text.issuer)

    qr = io.BytesIO()
    segno.make(text.verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=237, y=150, w=40, h=40)
    pdf.set_xy(20, 170)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(200, 6, printable(text.code_line))
    pdf.set_xy(20, 178)
    pdf.set_font(FONT, "", 10)
    pdf.cell(200, 6, printable(text.verify_hint))
    return bytes(pdf.output())
