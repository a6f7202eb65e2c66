"""The radar's export in bulk (issue 7 §3): the same rows as ``radar_portfolio(limit=None)``,
streamed, as secret as the page, in a constant number of queries."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from kam.demo.generator.build import build_demo
from kam.org.models import Role, User
from kam.radar import exports
from kam.radar.models import Level
from kam.radar.selectors import radar_portfolio
from kam.radar.selectors.export import ExportRow, radar_export
from kam.testing import make_account, make_product, make_sale

CSV = reverse("radar:export_csv")
XLSX = reverse("radar:export_xlsx")
MONTH = "2025-06"
DEMO_TODAY = date(2025, 6, 15)
DEMO_AS_OF = date(2025, 5, 31)


def _table(rows) -> list[list]:
    """Each row as the files write it: every column's value, in order."""
    getters = [f for _, f in exports.columns()]
    return [[f(r) for f in getters] for r in rows]


@pytest.mark.django_db
def test_export_rows_equal_the_portfolio_rows_for_a_demo_company():
    build_demo(scale=0.2, seed=3, today=DEMO_TODAY, password="demo-pass-1")
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    # The KAM with the most clients: a book with key accounts and with ordinary clients.
    kam = max(User.objects.filter(role=Role.KAM, is_active=True), key=lambda u: u.accounts.count())
    bulk_rows = full_rows = 0
    for user in (director, kam):
        for level in Level.values:
            for sort in ("-share", "name"):
                args = {"user": user, "level": level, "as_of": DEMO_AS_OF, "sort": sort}
                expected = radar_portfolio(**args, limit=None)
                export = radar_export(**args)
                rows = list(export.rows)
                where = f"{user.username} at {level}, {sort}"
                assert [r.account_id for r in rows] == [r.account_id for r in expected.rows], where
                for got, want in zip(_table(rows), _table(expected.rows), strict=True):
                    for (header, _f), a, b in zip(exports.columns(), got, want, strict=True):
                        assert a == b, f"{where}, client {got[0]}, {header}: {a!r} != {b!r}"
                assert export.portfolio.alerts == expected.alerts, where
                assert export.portfolio.concentration == expected.concentration, where
                assert export.portfolio.count == len(expected.rows), where
                bulk_rows += sum(isinstance(r, ExportRow) for r in rows)
                full_rows += sum(not isinstance(r, ExportRow) for r in rows)
    # Both kinds were compared: rows from the figures alone and rows built with the rules.
    assert bulk_rows > 0 and full_rows > 0


def _sold(owner, income: str, product, **data):
    account = make_account(owner=owner, **data)
    make_sale(
        account=account,
        product=product,
        on=date(2025, 5, 10),
        revenue=Decimal(income) + 1000,
        cost=Decimal(1000),
    )
    return account


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_csv_export_streams_its_header_first_and_every_row(org, login):
    product = make_product()
    for i in range(7):
        _sold(org.kam_anna if i % 2 else org.kam_boris, f"{100 + 10 * i}", product)
    response = login(org.director).get(CSV, {"month": MONTH, "level": "company"})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].endswith('.csv"')
    chunks = list(response.streaming_content)
    header = next(csv.reader(io.StringIO(chunks[0].decode("utf-8-sig"))))
    assert header == [h for h, _ in exports.columns()]
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 1 + 7


def test_a_kams_export_has_no_company_totals(org, login):
    product = make_product()
    _sold(org.kam_anna, "3000", product)
    _sold(org.kam_anna, "1000", product)
    _sold(org.kam_boris, "6000", product)  # not Anna's: the company's total is 10,000
    company_total = Decimal("10000.00")

    director = login(org.director).get(XLSX, {"month": MONTH, "level": "company"})
    conc = load_workbook(io.BytesIO(director.content), read_only=True)["Concentration"]
    values = [v for row in conc.iter_rows(values_only=True) for v in row]
    assert company_total in values  # the director reads the company's total

    anna = login(org.kam_anna)
    xlsx = anna.get(XLSX, {"month": MONTH, "level": "company"})
    wb = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    cells = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    assert company_total not in cells and "10000.00" not in map(str, cells)
    rows = _csv_rows(anna.get(CSV, {"month": MONTH, "level": "company"}))
    cells = [c for row in rows for c in row]
    assert len(rows) == 1 + 2  # her two clients only
    assert "10000.00" not in cells and "6000.00" not in cells
    # Their shares of the company are hers to read (shares are not secret).
    assert sorted(r[rows[0].index("Share, %")] for r in rows[1:]) == ["10.00", "30.00"]


@pytest.mark.parametrize("n", [2, 20])
def test_export_queries_do_not_grow_with_clients(org, login, django_assert_max_num_queries, n):
    product = make_product()
    owners = [org.kam_anna, org.kam_boris, org.kam_sigrid, None]
    for i in range(n):
        _sold(owners[i % 4], f"{100 + 10 * i}", product)
    c = login(org.director)
    # A constant: session and user, settings, the scoreboard (on PostgreSQL with its work_mem),
    # manual evidence by kind, the accounts once, the form's choices, the secrecy checks.
    limit = 23 + (connection.vendor == "postgresql")
    for level in Level.values:
        with django_assert_max_num_queries(limit):
            rows = _csv_rows(c.get(CSV, {"month": MONTH, "level": level}))
        assert len(rows) == 1 + (n if level != Level.MANAGER else n - n // 4)
