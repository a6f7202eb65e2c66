"""Importing the sales ledger: upsert on document and line, currency conversion, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from kam.core.models import AuditEntry
from kam.core.services import currency_rate_set
from kam.imports.services import import_sales
from kam.sales.models import ClientMonth, SalesLine
from kam.testing import make_account, make_product

HEADER = [
    "document_number",
    "line_number",
    "date",
    "client",
    "sku",
    "quantity",
    "revenue",
    "cost",
    "currency",
]


@pytest.fixture
def ledger(org):
    """Two clients of different KAMs and two products."""
    return {
        "alfa": make_account(owner=org.kam_anna, registration_number="40003000001"),
        "beta": make_account(owner=org.kam_sigrid, registration_number="40003000002"),
        "a1": make_product(sku="A-1"),
        "b2": make_product(sku="B-2"),
    }


def totals():
    sums = SalesLine.objects.aggregate(
        revenue=Sum("revenue_base"), cost=Sum("cost_base"), quantity=Sum("quantity")
    )
    months = ClientMonth.objects.aggregate(revenue=Sum("revenue"), cost=Sum("cost"))
    return SalesLine.objects.count(), sums, months


def test_import_writes_lines_and_the_monthly_rollup(org, ledger, csv_file):
    path = csv_file(
        [
            HEADER,
            ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100.50", "60", "EUR"],
            ["INV-1", "2", "20.01.2024", "40003000001", "B-2", "1", "1 000,25", "700,10", ""],
            ["INV-2", "1", "2024-02-03", "40003000002", "A-1", "-1", "-50", "-30", "EUR"],
        ]
    )
    result = import_sales(source=path, actor=org.support_north)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    line = SalesLine.objects.get(document_number="INV-1", line_number=2)
    assert line.date == date(2024, 1, 20)
    assert (line.revenue, line.cost, line.currency) == (
        Decimal("1000.25"),
        Decimal("700.10"),
        "EUR",
    )
    january = ClientMonth.objects.get(account=ledger["alfa"], month=date(2024, 1, 1))
    assert january.revenue == Decimal("1100.75")
    assert january.lines == 2
    entry = AuditEntry.objects.get(entity="sales.salesline", action="import")
    assert entry.actor == org.support_north
    assert entry.changes["created"] == 3


def test_reimport_is_idempotent_and_a_changed_line_updates(ledger, csv_file):
    rows = [
        HEADER,
        ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100.50", "60", "EUR"],
        ["INV-1", "2", "2024-01-15", "40003000001", "B-2", "1", "10", "5", "EUR"],
    ]
    assert import_sales(actor=None, source=csv_file(rows)).ok
    before = totals()

    again = import_sales(actor=None, source=csv_file(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert totals() == before

    rows[2][6] = "30"  # INV-1/2 revenue corrected in the ERP
    corrected = import_sales(actor=None, source=csv_file(rows))
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
    count, sums, months = totals()
    assert count == 2
    assert sums["revenue"] == Decimal("130.50")
    assert months["revenue"] == Decimal("130.50")


def test_a_line_moved_to_another_client_leaves_the_old_clients_rollup(ledger, csv_file):
    rows = [HEADER, ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "1", "100", "60", ""]]
    assert import_sales(actor=None, source=csv_file(rows)).ok
    rows[1][3] = "40003000002"  # the ERP corrected the buyer
    assert import_sales(actor=None, source=csv_file(rows)).ok
    assert not ClientMonth.objects.filter(account=ledger["alfa"]).exists()
    assert ClientMonth.objects.get(account=ledger["beta"]).revenue == Decimal("100")


def test_converts_with_the_rate_valid_on_the_day(ledger, csv_file):
    currency_rate_set(actor=None, currency="USD", valid_from=date(2024, 1, 1), rate=Decimal("0.9"))
    currency_rate_set(actor=None, currency="USD", valid_from=date(2024, 2, 1), rate=Decimal("0.8"))
    path = csv_file(
        [
            HEADER,
            ["INV-1", "1", "2024-01-31", "40003000001", "A-1", "1", "100", "50", "usd"],
            ["INV-2", "1", "2024-02-01", "40003000001", "A-1", "1", "100", "50", "USD"],
        ]
    )
    assert import_sales(actor=None, source=path).ok
    jan = SalesLine.objects.get(document_number="INV-1")
    feb = SalesLine.objects.get(document_number="INV-2")
    assert (jan.currency, jan.revenue, jan.revenue_base, jan.cost_base) == (
        "USD",
        Decimal("100"),
        Decimal("90.00"),
        Decimal("45.00"),
    )
    assert feb.revenue_base == Decimal("80.00")


def test_every_error_kind_with_line_and_column(ledger, csv_file):
    currency_rate_set(actor=None, currency="USD", valid_from=date(2024, 1, 1), rate=Decimal("0.9"))
    path = csv_file(
        [
            HEADER,
            ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "1", "100", "60", ""],
            ["INV-1", "1", "2024-01-16", "40003000001", "A-1", "1", "100", "60", ""],
            ["INV-2", "x", "2024-02-30", "49999999999", "NOPE", "1,5,5", "12,x", "", "EURO"],
            ["", "1", "2023-12-31", "40003000001", "A-1", "1", "1.005", "1", "USD"],
            ["INV-3", "1", "2024-01-15", "40003000001", "A-1", "1", "1", "1", "GBP", "extra"],
        ]
    )
    before = totals()
    result = import_sales(actor=None, source=path)
    assert [str(e) for e in result.errors] == [
        'line 3, column "line_number": document "INV-1" line 1 is already on line 2',
        'line 4, column "line_number": "x" is not a whole number',
        'line 4, column "date": "2024-02-30" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
        'line 4, column "client": no client with registration number "49999999999"',
        'line 4, column "sku": no product with SKU "NOPE"',
        'line 4, column "quantity": "1,5,5" is not a number',
        'line 4, column "revenue": "12,x" is not a number',
        'line 4, column "currency": "EURO" is not a currency code (three letters, e.g. EUR)',
        'line 5, column "document_number": a value is required',
        'line 5, column "revenue": "1.005" has more than 2 decimal places',
        'line 5, column "currency": no USD rate on or before 2023-12-31; add one to the '
        "company's currency rates first",
        "line 6: the row has more cells than the header has columns",
        'line 6, column "currency": no GBP rate on or before 2024-01-15; add one to the '
        "company's currency rates first",
    ]
    # One bad row is enough for nothing to change: the good line 2 was not written either.
    assert totals() == before
    assert not AuditEntry.objects.filter(action="import").exists()


def test_semicolons_decimal_commas_and_bom(ledger, csv_file):
    path = csv_file(
        [
            HEADER[:-1],
            ["INV-1", "1", "15.01.2024", "40003000001", "A-1", "1,5", "1 234,56", "1 000,01"],
        ],
        delimiter=";",
        bom=True,
    )
    result = import_sales(actor=None, source=path)
    assert result.ok, result.errors
    line = SalesLine.objects.get()
    assert (line.quantity, line.revenue, line.cost) == (
        Decimal("1.5"),
        Decimal("1234.56"),
        Decimal("1000.01"),
    )
    assert line.currency == "EUR"  # the company's base currency when the column is absent


def test_xlsx_with_real_number_and_date_cells(ledger, xlsx_file):
    path = xlsx_file(
        [
            HEADER,
            ["INV-1", 1, date(2024, 1, 15), 40003000001, "A-1", 2, 100.1, 60, "EUR"],
            ["INV-1", 2, "2024-01-16", "40003000001", "B-2", "1", "0,1", "0", None],
        ]
    )
    result = import_sales(actor=None, source=path)
    assert result.ok, result.errors
    first = SalesLine.objects.get(line_number=1)
    assert (first.date, first.revenue, first.quantity) == (
        date(2024, 1, 15),
        Decimal("100.10"),
        Decimal("2"),
    )
    assert SalesLine.objects.get(line_number=2).revenue == Decimal("0.10")


def test_progress_reaches_the_total_and_writes_in_chunks(ledger, csv_file, monkeypatch):
    from kam.imports.services import sales as services

    monkeypatch.setattr(services, "CHUNK", 7)
    calls = []
    original = services.sales_lines_write

    def counting(**kw):
        calls.append(len(kw["lines"]))
        return original(**kw)

    monkeypatch.setattr(services, "sales_lines_write", counting)
    rows = [HEADER] + [
        [f"INV-{n}", "1", "2024-01-15", "40003000001", "A-1", "1", "1", "1", ""] for n in range(20)
    ]
    seen = []
    result = import_sales(
        actor=None, source=csv_file(rows), progress=lambda *args: seen.append(args)
    )
    assert result.ok
    assert calls == [7, 7, 6]
    assert seen[-1] == (40, 40)  # each row checked once and written once
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert SalesLine.objects.count() == 20


def test_validation_does_not_query_per_row(ledger, csv_file, django_assert_max_num_queries):
    rows = [HEADER] + [
        [f"INV-{n}", "1", "2024-01-15", "40003000001", "X" if n == 0 else "A-1", "1", "1", "1", ""]
        for n in range(200)
    ]
    path = csv_file(rows)
    # Settings, rates, the history start, clients, products (and creating the settings row):
    # not one per row.
    with django_assert_max_num_queries(9):
        result = import_sales(actor=None, source=path)
    assert result.error_count == 1


def test_a_file_changed_between_check_and_write_imports_nothing(ledger, csv_file):
    good = [HEADER, ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "1", "10", "5", ""]]
    path = csv_file([*good, ["INV-1", "2", "2024-01-15", "40003000001", "A-1", "1", "10", "5", ""]])

    def spoil_after_check(done, total):
        if done == total // 2:  # the last row was checked; the file is read again to write
            csv_file([*good, ["INV-1", "2", "2024-01-15", "40003000001", "A-1", "1", "x", "5", ""]])

    result = import_sales(actor=None, source=path, progress=spoil_after_check)
    assert [str(e) for e in result.errors] == [
        "the file changed while it was being imported; run it again"
    ]
    assert SalesLine.objects.count() == 0
