"""``kam ageing`` and ``kam statement`` (issue 9 §9), and the statement as PDF and XLSX."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from kam.core.selectors import company_settings
from kam.receivables.tests.factories import post
from kam.testing import make_account


@pytest.fixture
def anna_client(org):
    account = make_account(
        owner=org.kam_anna, department=org.north, legal_name="Ābols SIA",
        registration_number="40003000001",
    )  # fmt: skip
    post(account, "invoice", "100", date(2025, 1, 10), number="INV-1")
    post(account, "invoice", "50", date(2025, 3, 10), number="INV-2")
    post(account, "payment", "30", date(2025, 3, 20), number="PAY-1")
    south = make_account(owner=org.kam_sigrid, department=org.south, registration_number="S-1")
    post(south, "invoice", "7", date(2025, 3, 1), number="INV-S")
    return account


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ageing_json_at_company_level(anna_client):
    data = json.loads(run("ageing", "--as-of", "2025-03-31", "--format", "json"))
    # INV-1 (due 2025-02-09) is 50 days late with 70 left after PAY-1; INV-2 and South's are
    # current
    assert (data["total"]["current"], data["total"]["d31_60"]) == ("57.00", "70.00")
    assert data["total"]["balance"] == "127.00"
    assert {r["name"] for r in data["rows"]} == {"North", "South"}


def test_ageing_table_and_csv_for_a_manager_unit(org, anna_client):
    table = run(
        "ageing", "--level", "manager", "--unit", str(org.kam_anna.pk), "--as-of", "2025-03-31"
    )
    assert "Ābols SIA" in table and "total" in table
    csv_text = run("ageing", "--level", "manager", "--as-of", "2025-03-31", "--format", "csv")
    assert csv_text.splitlines()[0].startswith("Name,Current,1-30 days")
    assert any(line.startswith("Anna Kam,") for line in csv_text.splitlines())


def test_ageing_as_a_kam_sees_only_their_own(org, anna_client):
    data = json.loads(
        run("ageing", "--as-of", "2025-03-31", "--format", "json", "--user", "kam_anna")
    )
    assert data["total"]["balance"] == "120.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "company", "--unit", "3"], "--unit needs"),
        (["--level", "department", "--unit", "999999"], "no department unit 999999"),
        (["--level", "department", "--unit", "99999999999999"], "no department unit"),
        (["--user", "nobody"], "no active user"),
    ],
)
def test_ageing_bad_input_is_one_line(anna_client, args, message):
    with pytest.raises(CommandError, match=message):
        run("ageing", "--as-of", "2025-03-31", *args)


def test_ageing_sees_a_unit_out_of_sight_as_missing(org, anna_client):
    with pytest.raises(CommandError, match="no department unit"):
        run("ageing", "--level", "department", "--unit", str(org.south.pk), "--user", "head_north")


def test_statement_json(anna_client):
    data = json.loads(run("statement", "40003000001", "--from", "2025-02-01", "--to", "2025-03-31"))
    assert data["opening"] == "100.00" and data["closing"] == "120.00"
    assert [(m["document_number"], m["balance"]) for m in data["movements"]] == [
        ("INV-2", "150.00"), ("PAY-1", "120.00"),
    ]  # fmt: skip


def test_statement_pdf_for_signature_in_the_language_asked(anna_client, tmp_path):
    company = company_settings()
    company.name = "Piens AS"
    company.save()
    out = tmp_path / "s.pdf"
    run("statement", "40003000001", "--from", "2025-02-01", "--to", "2025-03-31",
        "--format", "pdf", "--output", str(out))  # fmt: skip
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    for expected in ("Reconciliation statement", "Piens AS", "Ābols SIA", "2025-02-01",
                     "Opening balance", "INV-2", "PAY-1", "Closing balance", "120.00",
                     "Signature"):  # fmt: skip
        assert expected in text, expected
    out_lv = tmp_path / "lv.pdf"
    run("statement", "40003000001", "--from", "2025-02-01", "--to", "2025-03-31",
        "--format", "pdf", "--output", str(out_lv), "--language", "lv")  # fmt: skip
    assert "Klients" in PdfReader(io.BytesIO(out_lv.read_bytes())).pages[0].extract_text()


def test_statement_xlsx(anna_client, tmp_path):
    out = tmp_path / "s.xlsx"
    run("statement", "40003000001", "--from", "2025-02-01", "--to", "2025-03-31",
        "--format", "xlsx", "--output", str(out))  # fmt: skip
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Date", "Movement")
    assert rows[1][1] == "Opening balance" and float(rows[1][5]) == 100
    assert rows[-1][1] == "Closing balance" and float(rows[-1][5]) == 120


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "--from", "2025-01-01", "--to", "2025-02-01"], "no client with registration"),
        (["40003000001", "--from", "2025-03-01", "--to", "2025-02-01"], "is before --from"),
        (["S-1", "--from", "2025-01-01", "--to", "2025-02-01", "--user", "kam_anna"], "no client"),
        (
            [
                "40003000001",
                "--from",
                "2025-01-01",
                "--to",
                "2025-02-01",
                "--format",
                "pdf",
                "--output",
                "/nonexistent/dir/x.pdf",
            ],
            "cannot write",
        ),
    ],
)
def test_statement_bad_input_is_one_line(anna_client, args, message):
    with pytest.raises(CommandError, match=message):
        run("statement", *args)


def test_bad_dates_and_formats_are_argument_errors(anna_client):
    for args in (
        ["statement", "40003000001", "--from", "2025-13-01", "--to", "2025-02-01"],
        [
            "statement",
            "40003000001",
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-01",
            "--format",
            "doc",
        ],
        ["ageing", "--as-of", "yesterday"],
        ["ageing", "--format", "xml"],
    ):
        with pytest.raises(CommandError):
            run(*args)
