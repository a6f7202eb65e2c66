"""Reading CSV and XLSX rows with the line numbers the user sees."""

import io

import pytest

from kam.imports.readers import ReadError, open_table


def test_csv_with_bom_and_semicolons(csv_file):
    path = csv_file([["sku", "name"], ["A-1", "Äbols; sarkans"]], delimiter=";", bom=True)
    assert list(open_table(path).rows()) == [(1, ("sku", "name")), (2, ("A-1", "Äbols; sarkans"))]


def test_csv_blank_lines_are_skipped_but_counted(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('sku,name\n\nA-1,"two\nlines"\n  \nB-2,x\n', encoding="utf-8")
    rows = list(open_table(path).rows())
    assert [line for line, _ in rows] == [1, 3, 6]
    assert rows[1][1] == ("A-1", "two\nlines")


def test_csv_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("sku,name\nA-1,ok\nB-2,caf\xe9\n".encode("latin-1"))
    with pytest.raises(ReadError) as exc:
        list(open_table(path).rows())
    assert exc.value.line == 3
    assert "not UTF-8" in exc.value.message


def test_csv_from_a_file_object_can_be_read_twice():
    upload = io.BytesIO(b"sku;name\nA-1;x\n")
    table = open_table(upload, name="upload.CSV")
    assert list(table.rows()) == list(table.rows())
    assert table.estimate_rows() == 1


def test_xlsx_first_sheet_with_gaps(xlsx_file):
    path = xlsx_file([["sku", "name"], ["A-1", 1.0], [None, None], ["B-2", "x"]])
    assert list(open_table(path).rows()) == [
        (1, ("sku", "name")),
        (2, ("A-1", 1)),
        (4, ("B-2", "x")),
    ]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("sku,name\n")
    with pytest.raises(ReadError, match="not an XLSX workbook"):
        list(open_table(path).rows())


def test_unsupported_type(tmp_path):
    with pytest.raises(ReadError, match="unsupported file type"):
        open_table(tmp_path / "data.ods")
