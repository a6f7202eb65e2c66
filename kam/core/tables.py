"""Any list as a CSV or XLSX download (issue 9 §11: every list exports), safe for spreadsheets.

``table_csv(header, rows)`` and ``table_xlsx(header, rows, title=)`` take a header (translated
by the caller) and rows of plain values (str, int, Decimal, date, None). Numbers stay numbers
(money exact: Decimal), text stays text, and text a spreadsheet would run as a formula (OWASP
"CSV injection": a client named ``=HYPERLINK(...)``) is written with a leading ``'`` in CSV and
typed as a string in XLSX. ``table_response`` wraps either in a download response."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` before a formula character."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _plain(value):
    if value is None or isinstance(value, int | Decimal):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Latvian and Russian text."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_text(str(h)) for h in header])
    for row in rows:
        out = []
        for value in map(_plain, row):
            out.append(
                "" if value is None else safe_text(value) if isinstance(value, str) else value
            )
        writer.writerow(out)
    return buf.getvalue().encode("utf-8-sig")


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet") -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(title[:31] or "Sheet")

    def cells(values):
        out = []
        for value in map(_plain, values):
            if value is None or isinstance(value, int | Decimal):
                out.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # never a formula
            out.append(cell)
        return out

    sheet.append(cells([str(h) for h in header]))
    for row in rows:
        sheet.append(cells(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_response(
    fmt: str, *, filename: str, header: Sequence[str], rows: Iterable[Sequence], title: str = ""
) -> HttpResponse:
    """A download of the table as ``fmt`` ("csv" or "xlsx"; anything else: CSV)."""
    fmt = fmt if fmt in FORMATS else "csv"
    body = (
        table_xlsx(header, rows, title=title or filename)
        if fmt == "xlsx"
        else table_csv(header, rows)
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
