"""An approved project report as a PDF (fpdf2) to hand to a funder or a municipality.

Everything printed arrives already in the reader's language (`Labels`); the counts are the
approved version's. The font is DejaVu Sans, as for certificates (`bot.documents.pdfs`), and
every text goes through `printable`, so every Spanish letter prints and no name is lost. Photos
are not embedded: the evidence is listed with the SHA-256 of each file as Voces keeps it, which
staff can match against what they downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.documents.pdfs import FONT, new_pdf, printable

NATIONALITIES = ("peruvian", "venezuelan", "other")
SEXES = ("female", "male", "unstated")
AGE_GROUPS = ("0_11", "12_17", "18_59", "60_plus")


@dataclass(frozen=True)
class Labels:
    heading: str
    organization: str
    project: str
    period: str
    activities: str
    people: str
    total: str
    nationalities: list[str]
    sexes: list[str]
    ages: list[str]
    spent: str
    difficulties: str
    lessons: str
    evidence: str
    approved: str
    by_sex_and_age: str = ""  # the heading of the nationality × sex × age table


@dataclass(frozen=True)
class ReportData:
    organization: str
    project: str
    activities: list[tuple[str, str, str]]  # (date as shown, place, what was done)
    beneficiaries: dict[str, Any]
    spent: str
    difficulties: str
    lessons: str
    evidence: list[tuple[str, str]]  # (name or type, sha256)


def render(data: ReportData, labels: Labels) -> bytes:
    pdf = new_pdf(unit="mm", format="A4")
    pdf.set_title(f"{labels.heading}: {data.project}")
    pdf.set_author(data.organization)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def write(value: str, *, size: float = 10, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(width, size * 0.5, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    write(labels.heading, size=18, bold=True, gap=3)
    write(f"{labels.organization}: {data.organization}", size=11)
    write(f"{labels.project}: {data.project}", size=11)
    write(labels.period, size=11, gap=4)

    write(labels.activities, size=13, bold=True)
    for number, (day, place, what) in enumerate(data.activities, start=1):
        write(f"{number}. {day} · {place}", bold=True)
        write(what, gap=2)

    write(labels.people, size=13, bold=True, gap=2)
    header = ["", labels.total, *labels.sexes, *labels.ages]
    column = width / len(header)
    pdf.set_font(FONT, "B", 7)
    for title in header:
        pdf.cell(column, 6, printable(title), border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 8)
    sums = [0] * (len(header) - 1)
    for label, nationality in zip(labels.nationalities, NATIONALITIES, strict=True):
        entry = data.beneficiaries.get(nationality) or {}
        values = [int(entry.get("total", 0))]
        values += [int((entry.get("sex") or {}).get(s, 0)) for s in SEXES]
        values += [int((entry.get("age") or {}).get(a, 0)) for a in AGE_GROUPS]
        sums = [a + b for a, b in zip(sums, values, strict=True)]
        pdf.cell(column, 6, printable(label), border=1)
        for value in values:
            pdf.cell(column, 6, str(value), border=1, align="R")
        pdf.ln()
    pdf.set_font(FONT, "B", 8)
    pdf.cell(column, 6, printable(labels.total), border=1)
    for value in sums:
        pdf.cell(column, 6, str(value), border=1, align="R")
    pdf.ln(10)
    _cross_table(pdf, data, labels, width)

    write(f"{labels.spent}: {data.spent}", size=11, gap=3)
    write(labels.difficulties, size=13, bold=True)
    write(data.difficulties, gap=3)
    write(labels.lessons, size=13, bold=True)
    write(data.lessons, gap=3)
    if data.evidence:
        write(labels.evidence, size=13, bold=True)
        for name, digest in data.evidence:
            write(f"{name}: {digest}", size=7)
    pdf.ln(4)
    write(labels.approved, size=9)
    return bytes(pdf.output())


def _cross_table(pdf: FPDF, data: ReportData, labels: Labels, width: float) -> None:
    """Each nationality and sex with someone in it, by age group: only for counts that carry the
    ages per sex (reports approved before that have the split by age of the table above only)."""
    rows = []
    for nationality_label, nationality in zip(labels.nationalities, NATIONALITIES, strict=True):
        entry = data.beneficiaries.get(nationality) or {}
        for sex_label, sex in zip(labels.sexes, SEXES, strict=True):
            ages = (entry.get("sex_age") or {}).get(sex)
            if ages and int((entry.get("sex") or {}).get(sex, 0)):
                values = [int(ages.get(a, 0)) for a in AGE_GROUPS]
                rows.append((f"{nationality_label}, {sex_label}", [*values, sum(values)]))
    if not rows:
        return
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(width, 6, printable(labels.by_sex_and_age), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    first = width * 0.4
    column = (width - first) / (len(AGE_GROUPS) + 1)
    pdf.set_font(FONT, "B", 7)
    pdf.cell(first, 6, "", border=1)
    for title in [*labels.ages, labels.total]:
        pdf.cell(column, 6, printable(title), border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 8)
    for label, values in rows:
        pdf.cell(first, 6, printable(label), border=1)
        for value in values:
            pdf.cell(column, 6, str(value), border=1, align="R")
        pdf.ln()
    pdf.ln(6)
