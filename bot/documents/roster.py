"""A session's list (enrolled, waitlisted, attended) as an XLSX workbook (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font


@dataclass(frozen=True)
class RosterSheet:
    title: str  # the sheet's name (Excel allows 31 characters)
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def roster_workbook(sheets: Sequence[RosterSheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_name(sheet.title))
        worksheet.append(list(sheet.headers))
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            worksheet.append([_safe(value) for value in row])
        for index, header in enumerate(sheet.headers, start=1):
            longest = max([len(str(header)), *(len(str(row[index - 1] or "")) for row in sheet.rows)])
            worksheet.column_dimensions[worksheet.cell(1, index).column_letter].width = min(60, longest + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


def _safe(value: object) -> object:
    # A name typed as "=HYPERLINK(…)" must stay text in a spreadsheet, not become a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
