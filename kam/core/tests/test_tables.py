"""Every list's download (kam/core/tables.py): numbers stay numbers, formulas never run."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from kam.core.tables import table_csv, table_response, table_xlsx


def test_csv_keeps_numbers_and_neutralises_formulas():
    body = table_csv(
        ["Client", "Amount", "Due"], [['=HYPERLINK("x")', Decimal("12.50"), date(2026, 1, 2)]]
    )
    text = body.decode("utf-8-sig")
    assert text.splitlines()[1] == '"\'=HYPERLINK(""x"")",12.50,2026-01-02'
    assert body.startswith(b"\xef\xbb\xbf")


def test_xlsx_types_text_as_text_and_money_as_numbers():
    body = table_xlsx(
        ["Client", "Amount"], [["=1+1", Decimal("3.10")], ["Ābols", None]], title="Debt"
    )
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Debt"
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3.1 and sheet["B2"].data_type == "n"
    assert sheet["A3"].value == "Ābols"


def test_response_names_the_file_and_falls_back_to_csv():
    response = table_response("pdf", filename="ageing", header=["a"], rows=[[1]])
    assert response["Content-Disposition"] == 'attachment; filename="ageing.csv"'
    assert response["Content-Type"].startswith("text/csv")
