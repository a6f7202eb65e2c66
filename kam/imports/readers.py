"""Rows of an import file, CSV or XLSX, streamed as (line number, cells) with the header first.

CSV is UTF-8 with or without a byte-order mark; the delimiter (comma, semicolon or tab) is
sniffed from the header line, which holds no decimal commas to confuse it. XLSX: the first
worksheet. Blank rows are skipped but still counted, so line numbers match what the user sees
in a text editor or a spreadsheet. A table can be read more than once (the sales importer
checks the whole file first and reads it again to write), and never loads it whole.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext

Source = str | Path | IO[bytes]


class ReadError(Exception):
    """The file cannot be read at all (not UTF-8, not a workbook, …), at ``line`` if known."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        *,
        column: str | None = None,
        column_index: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        # The cell's position (0 = the first column), named after the header by the caller.
        self.column_index = column_index


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


class Table:
    """An import file. ``rows()`` yields ``(line, cells)`` for every non-blank row."""

    def __init__(self, source: Source, name: str):
        self.source = source
        self.name = name

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        raise NotImplementedError

    def estimate_rows(self) -> int:
        """Data rows (header excluded), for progress; cheap, may be approximate."""
        raise NotImplementedError

    @contextmanager
    def _binary(self) -> Iterator[IO[bytes]]:
        """The file, opened for reading from the start; a caller's file object stays open."""
        if isinstance(self.source, str | Path):
            try:
                f = open(self.source, "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise ReadError(gettext("cannot open the file: %s") % exc.strerror) from exc
            with f:
                yield f
        else:
            self.source.seek(0)
            yield self.source


class CsvTable(Table):
    def _delimiter(self) -> str:
        with self._binary() as f:
            head = f.read(65536)
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        first = next(
            (ln for ln in head.decode("utf-8", errors="ignore").splitlines() if ln.strip()), ""
        )
        counts = {d: first.count(d) for d in (";", ",", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","

    @staticmethod
    def _lines(raw: IO[bytes]) -> Iterator[str]:
        # Decoding line by line (a newline byte is never inside a UTF-8 character) puts a
        # decoding error on its true line, which a buffered text wrapper would not.
        for number, chunk in enumerate(raw, start=1):
            if number == 1 and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8) :]
            try:
                yield chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ReadError(
                    gettext(
                        "the file is not UTF-8 text (byte 0x%(byte)02x); save it as "
                        "“CSV UTF-8” or as XLSX"
                    )
                    % {"byte": chunk[exc.start]},
                    line=number,
                ) from exc

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        delimiter = self._delimiter()
        with self._binary() as raw:
            reader = csv.reader(self._lines(raw), delimiter=delimiter)
            line = 1
            try:
                for record in reader:
                    yield line, record
                    line = reader.line_num + 1
            except csv.Error as exc:
                raise ReadError(
                    gettext("the CSV cannot be read: %s") % exc, line=reader.line_num
                ) from exc

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        for line, record in self._records():
            if not _blank(record):
                yield line, tuple(record)

    def estimate_rows(self) -> int:
        # Newlines, not records: a quoted multi-line cell overcounts a little, and counting
        # bytes is some fifty times faster than parsing the file once more.
        lines = 0
        last = b"\n"
        with self._binary() as f:
            while block := f.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        if last != b"\n":
            lines += 1
        return max(0, lines - 1)


class XlsxTable(Table):
    @contextmanager
    def _sheet(self):
        """The first worksheet, read-only: rows stream from the zip, the file is never whole."""
        from openpyxl import load_workbook

        with self._binary() as f:
            try:
                wb = load_workbook(f, read_only=True, data_only=True)
            except Exception as exc:
                # Whatever openpyxl trips over in a file that is not a sound workbook (not a
                # zip, a truncated or damaged one, a part missing: BadZipFile, zlib.error,
                # KeyError, OSError, ParseError, ... were all seen), it is the user's file.
                raise ReadError(gettext("the file is not an XLSX workbook")) from exc
            try:
                if not wb.worksheets:
                    raise ReadError(gettext("the workbook has no worksheet"))
                yield wb.worksheets[0]
            finally:
                wb.close()

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        with self._sheet() as sheet:
            # min_row=1 makes openpyxl yield the leading empty rows too, keeping lines true.
            rows = sheet.iter_rows(min_row=1, values_only=True)
            try:
                for line, cells in enumerate(rows, start=1):
                    if not _blank(cells):
                        yield line, tuple(cells)
            except ParseError as exc:
                raise self._bad_xml(sheet, exc) from exc
            except Exception as exc:
                # A damaged part of the zip found only now, as the rows stream from it.
                raise ReadError(gettext("the workbook is damaged and cannot be read")) from exc

    def _bad_xml(self, sheet, exc: ParseError) -> ReadError:
        """The error at the cell the sheet's XML broke in. XML 1.0 cannot carry NUL and most
        other control characters, so a tool that writes one anyway makes the XML invalid."""
        try:
            where = _xml_cell(self._sheet_xml(sheet), exc.position)
        except Exception:  # the position leads nowhere readable: say what the parser said
            where = None
        if where is None:
            return ReadError(gettext("the worksheet cannot be read (%s)") % exc)
        line, index, char = where
        if char is None:
            message = gettext("the worksheet cannot be read here (%s)") % exc
        else:
            message = gettext(
                "the cell holds a control character (U+%(code)04X), which a workbook cannot "
                "hold; remove it in the ERP or the spreadsheet"
            ) % {"code": char}
        return ReadError(message, line=line, column_index=index)

    @staticmethod
    def _sheet_xml(sheet) -> bytes:
        # openpyxl keeps the workbook's zip open and the sheet's part name on a read-only
        # sheet; it gives no public way to the raw XML an error position points into.
        return sheet.parent._archive.read(sheet._worksheet_path)

    def estimate_rows(self) -> int:
        with self._sheet() as sheet:
            try:
                return max(0, (sheet.max_row or 1) - 1)
            except Exception as exc:
                raise ReadError(gettext("the workbook is damaged and cannot be read")) from exc


_ROW_START = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_CELL_START = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')
_CHAR_REFERENCE = re.compile(rb"&#(x[0-9a-fA-F]+|[0-9]+);")


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _xml_cell(xml: bytes, position: tuple[int, int]) -> tuple[int, int | None, int | None] | None:
    """(line, column index, control character) of the cell at an XML parser's error position
    (line counted from 1, column in bytes from 0), or None when it lies in no row."""
    xml_line, column = position
    offset = 0
    for _ in range(xml_line - 1):
        offset = xml.find(b"\n", offset) + 1
    offset += column
    head = xml[:offset]
    rows = list(_ROW_START.finditer(head))
    if not rows:
        return None
    row = rows[-1]
    line = int(row[1])
    index = None
    for cell in _CELL_START.finditer(head, row.end()):
        index = _column_index(cell[1])
    char = None
    if m := _CHAR_REFERENCE.match(xml, offset):
        text = m[1].decode()
        char = int(text[1:], 16) if text.startswith("x") else int(text)
    elif offset < len(xml) and xml[offset] < 32:
        char = xml[offset]
    return line, index, char


def open_table(source: Source, *, name: str | None = None) -> Table:
    """The reader for ``source`` (a path or a binary file object), chosen by the file name."""
    name = name or (str(source) if isinstance(source, str | Path) else getattr(source, "name", ""))
    suffix = Path(str(name)).suffix.lower()
    if suffix == ".csv":
        return CsvTable(source, str(name))
    if suffix in {".xlsx", ".xlsm"}:
        return XlsxTable(source, str(name))
    raise ReadError(gettext("unsupported file type %r; use .csv or .xlsx") % (suffix or name))
