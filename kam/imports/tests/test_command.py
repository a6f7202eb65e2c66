"""``kam import``: exit status, the errors on stderr, progress, the acting user."""

import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import connections

from kam.catalog.models import Product
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
        call_command("import", "sales", str(path), "--system", stdout=StringIO(), stderr=err)
    assert 'line 3, column "revenue": "12,x" is not a number' in err.getvalue()
    assert 'line 4, column "client": no client with registration number "40009999999"' in (
        err.getvalue()
    )
    assert SalesLine.objects.count() == 0


def test_max_errors_caps_the_printout(org, csv_file):
    rows = [["registration_number", "legal_name"]] + [[str(n), ""] for n in range(5)]
    err = StringIO()
    with pytest.raises(CommandError, match="5 error"):
        call_command(
            "import", "clients", str(csv_file(rows)), "--system", "--max-errors", "2", stderr=err
        )
    assert err.getvalue().count("a value is required") == 2
    assert "… and 3 more errors" in err.getvalue()
    assert Account.objects.count() == 0


def test_unknown_user_and_missing_file(org, csv_file, tmp_path):
    path = csv_file([["registration_number", "legal_name"]])
    with pytest.raises(CommandError, match="no active user named 'ghost'"):
        run("clients", path, "--user", "ghost")
    with pytest.raises(CommandError, match="no such file"):
        run("clients", tmp_path / "missing.csv", "--system")


def test_wrong_format_is_an_error(org, tmp_path):
    path = tmp_path / "clients.txt"
    path.write_text("registration_number,legal_name\n")
    with pytest.raises(CommandError, match="unsupported file type"):
        call_command("import", "clients", str(path), "--system", stderr=StringIO())


def test_header_only_file_imports_nothing_successfully(org, xlsx_file):
    out, _ = run("products", xlsx_file([["sku", "name"]]), "--system")
    assert "0 rows" in out


# --- a file that cannot be read is one line and status 1 (issue 7 §2) ---------------------------


def broken_files(tmp_path, csv_file) -> dict[str, str]:
    """Files the importer cannot read at all, and the reason each gives."""
    not_zip = tmp_path / "not-a-zip.xlsx"
    not_zip.write_text("sku,name\nA-1,Gauze\n")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all")
    wrong = tmp_path / "products.pdf"
    wrong.write_bytes(b"%PDF-1.4")
    return {
        str(not_zip): "the file is not an XLSX workbook",
        str(empty): "the file is not an XLSX workbook",
        str(damaged): "the file is not an XLSX workbook",
        str(wrong): "unsupported file type",
        str(tmp_path / "missing.xlsx"): "no such file",
        str(csv_file([], name="blank.csv")): "the file is empty",
    }


def test_a_file_that_cannot_be_read_is_a_command_error(org, tmp_path, csv_file):
    for path, reason in broken_files(tmp_path, csv_file).items():
        with pytest.raises(CommandError, match=reason):
            run("products", path, "--user", "director")


def test_a_file_that_cannot_be_read_prints_one_line_and_exits_with_status_1(
    org, tmp_path, csv_file, capsys, monkeypatch
):
    # run_from_argv is what ``kam import`` runs; it closes the connections when it ends, which
    # would end the test's transaction too.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    for path, reason in broken_files(tmp_path, csv_file).items():
        with pytest.raises(SystemExit) as exit_:
            load_command_class("kam.imports", "import").run_from_argv(
                ["kam", "import", "products", path, "--system"]
            )
        assert exit_.value.code == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert err.count("\n") == 1, err
        assert reason in err


def test_the_acting_user_is_required_and_must_be_allowed_to_import(org, csv_file):
    path = csv_file([["sku", "name"], ["A-1", "Gauze"]])
    with pytest.raises(CommandError, match="--user --system"):
        run("products", path)
    with pytest.raises(CommandError, match="may import"):
        run("products", path, "--user", "kam_anna")
    assert not Product.objects.exists()
    out, _ = run("products", path, "--user", "support_north")
    assert "1 created" in out
    assert AuditEntry.objects.get(action="import").actor == org.support_north


def test_the_system_imports_without_a_user(org, csv_file):
    out, _ = run("products", csv_file([["sku", "name"], ["A-1", "Gauze"]]), "--system")
    assert "1 created" in out
    assert AuditEntry.objects.get(action="import").actor is None
