"""What the importer refuses (issue 7 §2, §4), each at its line and column, nothing written:
ledger dates and amounts out of bounds, lines that are neither a sale nor a return, control
characters in any text cell; and who may import at all."""

import random
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.bounds import LEDGER_FUTURE_DAYS
from kam.imports.services import import_clients, import_products, import_sales
from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine
from kam.sales.services import client_month_refresh
from kam.testing import make_account, make_product

HEADER = ["document_number", "line_number", "date", "client", "sku", "quantity", "revenue", "cost"]


@pytest.fixture
def ledger(org):
    make_account(owner=org.kam_anna, registration_number="40003000001")
    make_account(owner=org.kam_sigrid, registration_number="40003000002")
    make_product(sku="A-1")


def sale(date="2026-03-02", quantity="1", revenue="10", cost="5", document="INV-1", line="1"):
    return [document, line, date, "40003000001", "A-1", quantity, revenue, cost]


def refused(result) -> list[str]:
    assert not result.ok
    assert SalesLine.objects.count() == 0
    return [str(e) for e in result.errors]


@pytest.mark.parametrize("day", ["2999-01-01", "1900-01-01", "01.01.0001"])
def test_a_date_outside_the_history_is_an_error_at_its_cell(ledger, csv_file, day):
    errors = refused(import_sales(actor=None, source=csv_file([HEADER, sale(date=day)])))
    assert len(errors) == 1
    assert errors[0].startswith('line 2, column "date": ')
    assert "is outside the allowed dates" in errors[0]


def test_a_date_a_month_ahead_is_accepted_a_day_later_is_not(ledger, csv_file):
    latest = timezone.localdate() + timedelta(days=LEDGER_FUTURE_DAYS)
    rows = [HEADER, sale(date=latest.isoformat()), sale(date=str(latest + timedelta(1)), line="2")]
    errors = refused(import_sales(actor=None, source=csv_file(rows)))
    assert [e.split(":")[0] for e in errors] == ['line 3, column "date"']


def test_an_amount_beyond_the_bound_is_an_error_that_names_the_limit(ledger, csv_file):
    rows = [HEADER, sale(revenue="9999999999999.99"), sale(cost="1 000 000 000", line="2")]
    errors = refused(import_sales(actor=None, source=csv_file(rows)))
    assert errors[0].startswith('line 2, column "revenue": ')
    assert errors[1].startswith('line 3, column "cost": ')
    assert all("999999999.99" in e for e in errors)


def test_a_bad_date_and_an_unknown_client_are_both_reported(ledger, csv_file):
    row = sale(date="2999-01-01")
    row[3] = "40009999999"
    errors = refused(import_sales(actor=None, source=csv_file([HEADER, row])))
    assert {e.split(":")[0] for e in errors} == {'line 2, column "date"', 'line 2, column "client"'}


def test_a_negative_quantity_with_positive_revenue_and_an_all_zero_line_are_refused(
    ledger, csv_file
):
    rows = [
        HEADER,
        sale(quantity="-2", revenue="20", cost="-4"),
        sale(quantity="0", revenue="0", cost="0", line="2"),
        sale(quantity="-2", revenue="-20", cost="-4", line="3"),  # a return: fine
    ]
    errors = refused(import_sales(actor=None, source=csv_file(rows)))
    assert len(errors) == 2
    assert errors[0].startswith('line 2, column "revenue": a return (negative quantity)')
    assert errors[1].startswith(
        'line 3, column "quantity": quantity, revenue and cost are all zero'
    )


# --- control characters -----------------------------------------------------------------------


def test_a_nul_in_a_sales_cell_is_an_error_at_its_cell(ledger, csv_file):
    errors = refused(import_sales(actor=None, source=csv_file([HEADER, sale(document="IN\x00V")])))
    assert errors == [
        'line 2, column "document_number": Control characters are not allowed (found U+0000).'
    ]


def test_a_control_character_in_a_client_or_product_cell_is_an_error_at_its_cell(org, csv_file):
    clients = csv_file(
        [["registration_number", "legal_name", "city"], ["40003000009", "Alfa\x07 SIA", "R\x00"]],
        name="clients.csv",
    )
    result = import_clients(actor=None, source=clients)
    assert [str(e) for e in result.errors] == [
        'line 2, column "legal_name": Control characters are not allowed (found U+0007).',
        'line 2, column "city": Control characters are not allowed (found U+0000).',
    ]
    assert not Account.objects.filter(registration_number="40003000009").exists()
    products = csv_file([["sku", "name"], ["A\x1b1", "Gauze"]], name="products.csv")
    result = import_products(actor=None, source=products)
    assert [str(e) for e in result.errors] == [
        'line 2, column "sku": Control characters are not allowed (found U+001B).'
    ]
    assert Product.objects.count() == 0


def xlsx_with_raw_character(xlsx_file, rows, *, marker: str, raw: str):
    """A workbook whose cell holding ``marker`` holds ``raw`` (a character reference XML 1.0
    forbids, as some tools write it) instead: openpyxl cannot write one."""
    path = xlsx_file(rows)
    patched = path.with_name("patched.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(marker.encode(), raw.encode())
            dst.writestr(item, data)
    return patched


def test_a_control_character_in_an_xlsx_cell_is_an_error_at_its_line_and_column(org, xlsx_file):
    rows = [["sku", "name"], ["A-1", "Gauze"], ["A-2", "MARK"], ["A-3", "Tape"]]
    path = xlsx_with_raw_character(xlsx_file, rows, marker="MARK", raw="Ga&#0;uze")
    result = import_products(actor=None, source=path)
    assert [str(e) for e in result.errors] == [
        'line 3, column "name": the cell holds a control character (U+0000), '
        "which a workbook cannot hold; remove it in the ERP or the spreadsheet"
    ]
    assert Product.objects.count() == 0


# --- the derived tables after a correction, through the importer ------------------------------


def test_after_the_date_is_corrected_the_derived_tables_equal_a_full_rebuild(ledger, csv_file):
    latest = timezone.localdate() + timedelta(days=LEDGER_FUTURE_DAYS)
    other = ["INV-9", "1", "2026-02-10", "40003000002", "A-1", "1", "7", "3"]
    assert import_sales(actor=None, source=csv_file([HEADER, other, sale(date=str(latest))])).ok
    assert ClientRunningTotal.objects.filter(month=latest.replace(day=1)).count() == 2

    assert import_sales(actor=None, source=csv_file([HEADER, other, sale(date="2026-01-20")])).ok

    def derived():
        return (
            sorted(ClientMonth.objects.values_list("account", "month", "revenue", "lines")),
            sorted(ClientRunningTotal.objects.values_list("account", "month", "revenue_cents")),
            sorted(FirstPurchase.objects.values_list("account", "product", "first_date")),
        )

    after = derived()
    assert max(row[1] for row in after[1]) == date(2026, 2, 1)
    client_month_refresh(account_ids=None)
    assert after == derived()


# --- who may import (§4) -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["director", "support_north"])
def test_the_director_and_sales_support_may_import(org, ledger, csv_file, who):
    result = import_sales(actor=getattr(org, who), source=csv_file([HEADER, sale()]))
    assert result.ok, result.errors
    assert SalesLine.objects.count() == 1


@pytest.mark.parametrize("who", ["kam_anna", "head_north", "credit"])
def test_others_may_not_import_anything(org, ledger, csv_file, who):
    actor = getattr(org, who)
    with pytest.raises(PermissionDenied, match="may import"):
        import_sales(actor=actor, source=csv_file([HEADER, sale()]))
    with pytest.raises(PermissionDenied):
        import_clients(
            actor=actor, source=csv_file([["registration_number", "legal_name"], ["1", "X"]])
        )
    with pytest.raises(PermissionDenied):
        import_products(actor=actor, source=csv_file([["sku", "name"], ["Z-1", "X"]]))
    assert SalesLine.objects.count() == 0
    assert not Account.objects.filter(registration_number="1").exists()
    assert not Product.objects.filter(sku="Z-1").exists()


def test_the_actor_must_be_named(ledger, csv_file):
    with pytest.raises(TypeError):
        import_sales(source=csv_file([HEADER, sale()]))  # no actor: not even the system


def test_a_damaged_workbook_is_an_error_never_a_crash(org, xlsx_file, tmp_path):
    """Truncated and bit-flipped copies of a good workbook: each imports or is refused with a
    reason, none raises (openpyxl trips over each in its own way)."""
    good = xlsx_file([["sku", "name"], *([f"S-{n}", f"Product {n}" * 3] for n in range(40))])
    data = good.read_bytes()
    rnd = random.Random(7)
    copies = [data[:n] for n in (0, 10, 100, len(data) // 2, len(data) - 1)]
    for _ in range(60):
        spoiled = bytearray(data)
        for _ in range(4):
            spoiled[rnd.randrange(len(spoiled))] = rnd.randrange(256)
        copies.append(bytes(spoiled))
    refused_copies = 0
    for n, copy in enumerate(copies):
        path = tmp_path / f"copy-{n}.xlsx"
        path.write_bytes(copy)
        result = import_products(actor=None, source=path)
        if not result.ok:
            refused_copies += 1
            assert all(e.message for e in result.errors)
    assert refused_copies > len(copies) // 2
