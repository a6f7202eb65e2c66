"""Fixture files for import tests, written into tmp_path as CSV or XLSX."""

import csv
import io

import pytest
from openpyxl import Workbook


@pytest.fixture
def csv_file(tmp_path):
    """``csv_file(rows, delimiter=",", bom=False, name="data.csv")`` -> the file's path."""

    def write(rows, *, delimiter=",", bom=False, name="data.csv"):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
        return path

    return write


@pytest.fixture
def xlsx_file(tmp_path):
    """``xlsx_file(rows, name="data.xlsx")`` -> the path of a workbook with rows on sheet one."""

    def write(rows, *, name="data.xlsx"):
        wb = Workbook()
        ws = wb.active
        for row in rows:
            ws.append(list(row))
        path = tmp_path / name
        wb.save(path)
        return path

    return write
