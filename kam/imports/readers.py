"""Rows of an import file, CSV or XLSX, streamed as (line number, cells) with the header first.

CSV is UTF-8 with or without a byte-order mark; the delimiter (comma, semicolon or tab) is
sniffed from the header line, which holds no decimal commas to confuse it. XLSX: the first
worksheet. Blank rows are skipped but still counted, so line numbers match what the user sees
in a text editor or a spreadsheet. A table can be read more than once (the sales importer
checks the whole file first and reads it again to write), and never loads it whole.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext

Source = str | Path | IO[bytes]


class ReadError(Exception):
    """The file cannot be read at all (not UTF-8, not a workbook, …), at ``line`` if known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


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
        from openpyxl.utils.exceptions import InvalidFileException

        with self._binary() as f:
            try:
                wb = load_workbook(f, read_only=True, data_only=True)
            except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
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
            for line, cells in enumerate(rows, start=1):
                if not _blank(cells):
                    yield line, tuple(cells)

    def estimate_rows(self) -> int:
        with self._sheet() as sheet:
            return max(0, (sheet.max_row or 1) - 1)


def open_table(source: Source, *, name: str | None = None) -> Table:
    """The reader for ``source`` (a path or a binary file object), chosen by the file name."""
    name = name or (str(source) if isinstance(source, str | Path) else getattr(source, "name", ""))
    suffix = Path(str(name)).suffix.lower()
    if suffix == ".csv":
        return CsvTable(source, str(name))
    if suffix in {".xlsx", ".xlsm"}:
        return XlsxTable(source, str(name))
    raise ReadError(gettext("unsupported file type %r; use .csv or .xlsx") % (suffix or name))
