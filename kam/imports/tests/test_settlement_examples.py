"""The settlements walkthrough of docs/import.md (issue 9 §7), run on docs/examples as shipped:
``kam import invoices`` and ``kam import payments`` with the ERP's own columns read through
the example mappings, the balances the page promises, a second run that changes nothing, the
check and the JSON answer, and the runs in the list of runs."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from kam.core.models import AuditEntry
from kam.core.services import currency_rate_set
from kam.imports.models import ImportRun
from kam.receivables.models import SettlementItem
from kam.testing import make_account

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
INVOICES = EXAMPLES / "erp-open-items.csv"
INVOICES_MAPPING = EXAMPLES / "erp-open-items.mapping.json"
PAYMENTS = EXAMPLES / "erp-payments.csv"
PAYMENTS_MAPPING = EXAMPLES / "erp-payments.mapping.json"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def clients(org):
    # The walkthrough's first step: the clients exist (no contract needed) and USD has a rate.
    currency_rate_set(actor=None, currency="USD", valid_from=date(2026, 1, 1), rate=Decimal("0.9"))
    return {
        "alfa": make_account(owner=org.kam_anna, registration_number="40003000001"),
        "beta": make_account(owner=org.kam_sigrid, registration_number="40003000002"),
    }


def balance(account):
    sums = SettlementItem.objects.filter(account=account).aggregate(
        a=Sum("amount"), o=Sum("open_amount")
    )
    assert sums["a"] == sums["o"]
    return sums["a"]


def open_of(number):
    return SettlementItem.objects.get(kind="invoice", document_number=number).open_amount


def test_the_walkthrough(org, clients):
    # Check first: nothing written, the counts of what would be.
    out, _ = run("invoices", INVOICES, "--user", "support_north", "--mapping", INVOICES_MAPPING,
                 "--check")  # fmt: skip
    assert "4 created" in out and "checked only" in out
    assert not SettlementItem.objects.exists()

    out, _ = run("invoices", INVOICES, "--user", "support_north", "--mapping", INVOICES_MAPPING)
    assert out.strip() == "invoices: 4 rows, 4 created, 0 updated, 0 unchanged"
    assert open_of("INV-2026-0117") == Decimal("105.00")
    assert balance(clients["alfa"]) == Decimal("1315.00")  # 1210 + 105 open in the ERP
    usd = SettlementItem.objects.get(document_number="INV-2026-0120")
    assert (usd.amount, usd.document_amount, usd.currency) == (
        Decimal("1800.00"),
        Decimal("2000.00"),
        "USD",
    )
    assert balance(clients["beta"]) == Decimal("2284.00")

    out, _ = run("payments", PAYMENTS, "--user", "support_north", "--mapping", PAYMENTS_MAPPING)
    assert out.strip() == "payments: 3 rows, 3 created, 0 updated, 0 unchanged"
    # PAY-7001 is the 500 the ERP had already counted on INV-2026-0117: not counted twice.
    assert open_of("INV-2026-0117") == Decimal("105.00")
    # PAY-7002 names no invoice: the oldest due, INV-2026-0101, is left with 210.
    assert open_of("INV-2026-0101") == Decimal("210.00")
    assert balance(clients["alfa"]) == Decimal("315.00")
    # PAY-7003 pays INV-2026-0144 first, then the older USD invoice; 716 stays a credit.
    assert open_of("INV-2026-0144") == open_of("INV-2026-0120") == Decimal("0.00")
    pay = SettlementItem.objects.get(kind="payment", document_number="PAY-7003")
    assert pay.open_amount == Decimal("-716.00")
    assert balance(clients["beta"]) == Decimal("-716.00")

    # The nightly job sends the same files again: nothing changes.
    before = list(SettlementItem.objects.order_by("pk").values_list("pk", "amount", "open_amount"))
    out, _ = run("invoices", INVOICES, "--user", "support_north", "--mapping", INVOICES_MAPPING)
    assert out.strip() == "invoices: 4 rows, 0 created, 0 updated, 4 unchanged"
    out, _ = run("payments", PAYMENTS, "--user", "support_north", "--mapping", PAYMENTS_MAPPING)
    assert out.strip() == "payments: 3 rows, 0 created, 0 updated, 3 unchanged"
    after = list(SettlementItem.objects.order_by("pk").values_list("pk", "amount", "open_amount"))
    assert after == before

    runs = ImportRun.objects.filter(kind__in=["invoices", "payments"], via="cli")
    assert runs.count() == 5
    assert set(runs.values_list("status", flat=True)) == {"done", "checked"}
    assert AuditEntry.objects.filter(entity="receivables.settlementitem").count() == 4


def test_a_refused_file_is_one_error_line_each_and_a_non_zero_exit(org, clients, tmp_path):
    bad = tmp_path / "open-items.csv"
    text = INVOICES.read_text(encoding="utf-8").replace("15.10.2026", "14.09.2026")
    bad.write_text(text.replace("40003000002;INV-2026-0144", "49999999999;INV-2026-0144"))
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command(
            "import", "invoices", str(bad), "--user", "support_north",
            "--mapping", str(INVOICES_MAPPING), stdout=StringIO(), stderr=err,
        )  # fmt: skip
    lines = err.getvalue().strip().splitlines()
    assert 'line 3, column "Due date": the due date is before the invoice date' in lines
    assert any(ln.startswith('line 5, column "Customer reg. no."') for ln in lines)
    assert not SettlementItem.objects.exists()
    assert ImportRun.objects.get(kind="invoices").status == "failed"


def test_json_answer_and_date_format_flag(org, clients, tmp_path):
    out, _ = run("invoices", INVOICES, "--user", "support_north", "--mapping", INVOICES_MAPPING,
                 "--format", "json")  # fmt: skip
    body = json.loads(out)
    assert (body["kind"], body["ok"], body["created"]) == ("invoices", True, 4)
    # Slashes are read only with a date format: --date-format over the file's KAM columns.
    path = tmp_path / "payments.csv"
    path.write_text(
        "client,document_number,date,amount\n40003000001,PAY-9,10/11/2026,10\n", encoding="utf-8"
    )
    with pytest.raises(CommandError):
        run("payments", path, "--user", "support_north")
    run("payments", path, "--user", "support_north", "--date-format", "day-first")
    assert SettlementItem.objects.get(document_number="PAY-9").document_date == date(2026, 11, 10)


def test_sales_options_are_refused_for_settlements_and_kams_may_not_import(org, clients):
    with pytest.raises(CommandError, match="sales"):
        run("payments", PAYMENTS, "--user", "support_north", "--create-missing")
    with pytest.raises(CommandError):
        run("payments", PAYMENTS, "--user", "kam_anna", "--mapping", PAYMENTS_MAPPING)
    assert not SettlementItem.objects.exists()
