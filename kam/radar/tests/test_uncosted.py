"""Lines without a known cost on the radar (issue 8 §3): on the income basis they count in no
client's income nor in the company's, the client is flagged (``income_unknown``, ``uncosted``)
and the radar says how many such clients the reader sees; on the turnover basis the weights are
as before. The flag and the count are as secret as the rows (SE-1)."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from kam.radar import exports
from kam.radar.models import Level
from kam.radar.selectors import radar_portfolio
from kam.radar.selectors.export import ExportRow, radar_export
from kam.radar.services import radar_settings_update
from kam.radar.tests.conftest import AS_OF, IN_PERIOD
from kam.sales.services import LedgerLine, sales_lines_write
from kam.testing import make_account, make_sale

pytestmark = pytest.mark.django_db

MONTH = "2025-06"
PORTFOLIO = reverse("radar:portfolio")
CSV = reverse("radar:export_csv")


def uncosted_sale(account, product, revenue: str, document: str) -> None:
    """A line whose source had no cost: cost stored 0, income unknown (as the importer
    writes it)."""
    sales_lines_write(
        actor=None,
        lines=[
            LedgerLine(
                date=IN_PERIOD,
                account_id=account.pk,
                product_id=product.pk,
                quantity=D(1),
                revenue=D(revenue),
                cost=D(0),
                currency="EUR",
                document_number=document,
                line_number=1,
                cost_known=False,
            )
        ],
        source="test",
    )


@pytest.fixture
def book(org, product):
    """Anna: A (income 400 of costed lines, plus 5,000 of turnover without a cost) and C
    (income 200); Boris: B (income 600) and D (700 of turnover without a cost, nothing else)."""

    def client(owner, name, revenue, cost):
        account = make_account(owner=owner, legal_name=name)
        if revenue:
            make_sale(account=account, product=product, on=IN_PERIOD, revenue=revenue, cost=cost)
        return account

    out = {
        "A": client(org.kam_anna, "Alfa SIA", "1000", "600"),
        "B": client(org.kam_boris, "Beta SIA", "2000", "1400"),
        "C": client(org.kam_anna, "Cits SIA", "300", "100"),
        "D": client(org.kam_boris, "Delta SIA", None, None),
    }
    uncosted_sale(out["A"], product, "5000.00", "NOCOST-1")
    uncosted_sale(out["D"], product, "700.00", "NOCOST-2")
    return out


def rows_by_name(portfolio):
    return {r.account_name: r for r in portfolio.rows}


def test_on_the_income_basis_an_uncosted_line_counts_in_no_income(org, book):
    p = radar_portfolio(user=org.director, level=Level.COMPANY, as_of=AS_OF)
    rows = rows_by_name(p)
    a, b, d = rows["Alfa SIA"], rows["Beta SIA"], rows["Delta SIA"]
    assert (a.income, a.turnover, a.uncosted, a.weight) == (
        D("400.00"),
        D("6000.00"),
        D("5000.00"),
        D("400.00"),
    )
    assert a.income_unknown and d.income_unknown and not b.income_unknown
    assert (d.income, d.turnover, d.weight) == (D("0.00"), D("700.00"), D("0.00"))
    # The company's income is 400 + 600 + 200: the 5,700 without a cost is in no total.
    assert p.concentration.total == D("1200.00")
    assert a.share_pct == D("33.33") and b.share_pct == D("50.00")
    assert p.uncosted_clients == 2
    # Sorted by income, A's costed 400 comes after B's 600 (its revenue would have led).
    by_income = radar_portfolio(user=org.director, as_of=AS_OF, sort="-income", limit=10)
    assert [r.account_name for r in by_income.rows][:2] == ["Beta SIA", "Alfa SIA"]


def test_on_the_turnover_basis_the_weights_are_the_revenue(org, book):
    radar_settings_update(actor=org.director, basis="turnover")
    p = radar_portfolio(user=org.director, level=Level.COMPANY, as_of=AS_OF)
    rows = rows_by_name(p)
    a = rows["Alfa SIA"]
    assert a.weight == D("6000.00") and rows["Delta SIA"].weight == D("700.00")
    assert p.concentration.total == D("9000.00")  # 6,000 + 2,000 + 300 + 700
    assert a.share_pct == D("66.66")
    # The income shown is still the costed lines' and still marked incomplete.
    assert (a.income, a.income_unknown) == (D("400.00"), True)


def test_the_trend_and_npv_take_the_costed_income(org, book, product):
    twin = make_account(owner=org.kam_anna, legal_name="Twin SIA")
    make_sale(account=twin, product=product, on=IN_PERIOD, revenue="1000", cost="600")
    rows = rows_by_name(radar_portfolio(user=org.director, as_of=AS_OF))
    # A's income history is that of its costed lines: the same NPV as a client with only those.
    assert rows["Alfa SIA"].npv == rows["Twin SIA"].npv


def test_the_count_and_the_flags_are_the_readers_own(org, book, login):
    anna = radar_portfolio(user=org.kam_anna, level=Level.COMPANY, as_of=AS_OF)
    assert {r.account_name for r in anna.rows} == {"Alfa SIA", "Cits SIA"}
    assert anna.uncosted_clients == 1  # A; D is Boris's
    assert (
        radar_portfolio(user=org.kam_boris, level=Level.COMPANY, as_of=AS_OF).uncosted_clients == 1
    )

    page = login(org.kam_anna).get(PORTFOLIO, {"month": MONTH, "level": "company"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="radar-uncosted"' in html
    assert "1 client has lines without cost" in html
    assert "Delta SIA" not in html and "700.00" not in html
    director = login(org.director).get(PORTFOLIO, {"month": MONTH, "level": "company"})
    assert "2 clients have lines without cost" in director.content.decode()
    assert director.content.decode().count('class="radar-uncosted"') == 2


def test_no_notice_without_uncosted_lines_nor_on_turnover(org, product, login, book):
    # Sigrid sees no client with a line without cost: no notice.
    make_sale(
        account=make_account(owner=org.kam_sigrid), product=product, on=IN_PERIOD,
        revenue="10", cost="1",
    )  # fmt: skip
    sigrid = login(org.kam_sigrid).get(PORTFOLIO, {"month": MONTH, "level": "company"})
    assert 'id="radar-uncosted"' not in sigrid.content.decode()
    radar_settings_update(actor=org.director, basis="turnover")
    director = login(org.director).get(PORTFOLIO, {"month": MONTH, "level": "company"})
    assert 'id="radar-uncosted"' not in director.content.decode()


def test_the_api_shows_the_flag_and_the_count(org, book, login):
    body = login(org.kam_anna).get(
        "/api/radar/portfolio", {"level": "company", "as_of": AS_OF.isoformat()}
    )
    assert body.status_code == 200, body.content
    data = body.json()
    assert data["uncosted_clients"] == 1
    rows = {r["account_name"]: r for r in data["rows"]}
    assert rows["Alfa SIA"]["income_unknown"] is True
    assert (rows["Alfa SIA"]["income"], rows["Alfa SIA"]["uncosted"]) == ("400.00", "5000.00")
    assert rows["Cits SIA"]["income_unknown"] is False and rows["Cits SIA"]["uncosted"] == "0.00"


def test_the_cli_json_shows_the_flag_and_the_count(org, book):
    out = io.StringIO()
    call_command(
        "radar", "--format", "json", "--level", "company", "--as-of", AS_OF.isoformat(),
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["uncosted_clients"] == 2
    rows = {r["client"]: r for r in data["rows"]}
    assert rows["Delta SIA"]["income_unknown"] is True and rows["Delta SIA"]["uncosted"] == "700.00"
    assert rows["Beta SIA"]["income_unknown"] is False
    table = io.StringIO()
    call_command("radar", "--level", "company", "--as-of", AS_OF.isoformat(), stdout=table)
    assert "2 client(s) have lines without cost" in table.getvalue()


def test_the_export_ends_with_the_turnover_without_cost(org, book, login):
    response = login(org.director).get(CSV, {"month": MONTH, "level": "company"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    header = rows[0]
    assert header[-1] == "Turnover without cost"
    by_name = {r[header.index("Client")]: r for r in rows[1:]}
    income, uncosted = header.index("Income"), len(header) - 1
    # A is key (built with the rules), D is not (built from the figures): both say it.
    assert (by_name["Alfa SIA"][income], by_name["Alfa SIA"][uncosted]) == ("400.00", "5000.00")
    assert (by_name["Delta SIA"][income], by_name["Delta SIA"][uncosted]) == ("0.00", "700.00")
    assert by_name["Beta SIA"][uncosted] == "0.00"
    # Anna's file has her clients' figures, not Boris's.
    anna = login(org.kam_anna).get(CSV, {"month": MONTH, "level": "company"})
    assert "Delta SIA" not in anna.getvalue().decode("utf-8-sig")


@pytest.mark.parametrize("basis", ["income", "turnover"])
def test_bulk_export_rows_equal_the_portfolio_rows_with_uncosted_lines(org, book, basis):
    if basis == "turnover":
        radar_settings_update(actor=org.director, basis="turnover")
    getters = [f for _, f in exports.columns()]
    for level in Level.values:
        args = {"user": org.director, "level": level, "as_of": AS_OF}
        expected = [[f(r) for f in getters] for r in radar_portfolio(**args).rows]
        export = radar_export(**args)
        rows = list(export.rows)
        assert [[f(r) for f in getters] for r in rows] == expected, level
        if level == Level.COMPANY:  # D is no key account there: a row from the figures
            assert any(isinstance(r, ExportRow) and r.income_unknown for r in rows)
