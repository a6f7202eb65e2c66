"""``kam import``: exit status, the errors on stderr, progress, the acting user."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_success_prints_counts_and_progress(org, csv_file):
    path = csv_file(
        [["registration_number", "legal_name", "owner"], ["40003000001", "Alfa", "kam_anna"]]
    )
    out, err = run("clients", path, "--user", "director")
    assert out.strip() == "clients: 1 rows, 1 created, 0 updated, 0 unchanged"
    assert "clients: 100 %" in err
    assert AuditEntry.objects.get(action="import").actor == org.director


def test_bad_file_raises_prints_every_error_and_imports_nothing(org, csv_file):
    make_account(owner=org.kam_anna, registration_number="40003000001")
    make_product(sku="A-1")
    path = csv_file(
        [
            [
                "document_number",
                "line_number",
                "date",
                "client",
                "sku",
                "quantity",
                "revenue",
                "cost",
            ],
            ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "1", "10", "5"],
            ["INV-1", "2", "2024-01-15", "40003000001", "A-1", "1", "12,x", "5"],
            ["INV-1", "3", "2024-01-15", "40009999999", "A-1", "1", "10", "5"],
        ]
    )
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import", "sales", str(path), stdout=StringIO(), stderr=err)
    assert 'line 3, column "revenue": "12,x" is not a number' in err.getvalue()
    assert 'line 4, column "client": no client with registration number "40009999999"' in (
        err.getvalue()
    )
    assert SalesLine.objects.count() == 0


def test_max_errors_caps_the_printout(org, csv_file):
    rows = [["registration_number", "legal_name"]] + [[str(n), ""] for n in range(5)]
    err = StringIO()
    with pytest.raises(CommandError, match="5 error"):
        call_command("import", "clients", str(csv_file(rows)), "--max-errors", "2", stderr=err)
    assert err.getvalue().count("a value is required") == 2
    assert "… and 3 more errors" in err.getvalue()
    assert Account.objects.count() == 0


def test_unknown_user_and_missing_file(org, csv_file, tmp_path):
    path = csv_file([["registration_number", "legal_name"]])
    with pytest.raises(CommandError, match="no active user named 'ghost'"):
        run("clients", path, "--user", "ghost")
    with pytest.raises(CommandError, match="no such file"):
        run("clients", tmp_path / "missing.csv")


def test_wrong_format_is_an_error(org, tmp_path):
    path = tmp_path / "clients.txt"
    path.write_text("registration_number,legal_name\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "clients", str(path), stderr=err)
    assert "unsupported file type" in err.getvalue()


def test_header_only_file_imports_nothing_successfully(org, xlsx_file):
    out, _ = run("products", xlsx_file([["sku", "name"]]))
    assert "0 rows" in out
