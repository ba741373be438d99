"""XLSX workbooks for /export and /indicators: one sheet per table, real column types (dates
as dates, numbers as numbers), frozen, bold headers and columns wide enough to read."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | date | datetime | bool | None

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MAX_WIDTH = 50


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


def workbook(sheets: Sequence[Sheet], *, zone: ZoneInfo) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(sheet.title[:31])
        page.append(list(sheet.headers))
        for cell in page[1]:
            cell.font = bold
        widths = [len(str(header)) for header in sheet.headers]
        for row in sheet.rows:
            cells = []
            for index, value in enumerate(row):
                value = _local(value, zone)
                cell = WriteOnlyCell(page, value=value)
                if isinstance(value, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                cells.append(cell)
                if value is not None:
                    widths[index] = max(widths[index], min(len(str(value)), MAX_WIDTH))
            page.append(cells)
        for column in range(1, len(sheet.headers) + 1):
            page.column_dimensions[get_column_letter(column)].width = min(widths[column - 1] + 2, MAX_WIDTH)
        page.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
