"""XLSX workbooks, the one writer for every spreadsheet the bot makes (/export, /indicators, a
session's list): one sheet per table, real column types (dates as dates, numbers as numbers),
frozen, bold headers, columns wide enough to read, and what people typed kept as text."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | date | datetime | bool | None

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MAX_WIDTH = 50
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    title: str  # at most 31 characters, Excel's limit
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def _local(value: Cell, zone: ZoneInfo) -> Cell:
    # XLSX has no time zones: times are written as the programme's local time.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def _cell(page: Worksheet, value: Cell) -> XlsxCell:
    if not isinstance(value, str):
        cell = WriteOnlyCell(page, value=value)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        return cell
    # Control characters XLSX cannot hold would fail the whole file: they are left out.
    cell = WriteOnlyCell(page, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    # A name typed as "=HYPERLINK(…)" (or "#N/A") stays the text it is, never a formula or an
    # error; marked with the quote prefix, it also stays text when someone edits the cell.
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _sheet_name(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return cleaned[:31] or "Sheet"


def workbook(sheets: Sequence[Sheet], *, zone: ZoneInfo) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(_sheet_name(sheet.title))
        headers = [_cell(page, header) for header in sheet.headers]
        for cell in headers:
            cell.font = bold
        page.append(headers)
        widths = [len(str(header)) for header in sheet.headers]
        for row in sheet.rows:
            values = [_local(value, zone) for value in row]
            page.append([_cell(page, value) for value in values])
            for index, value in enumerate(values):
                if value is not None:
                    widths[index] = max(widths[index], min(len(str(value)), MAX_WIDTH))
        for column in range(1, len(sheet.headers) + 1):
            page.column_dimensions[get_column_letter(column)].width = min(widths[column - 1] + 2, MAX_WIDTH)
        page.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
