"""The sales API: lines and monthly series scoped by SE-1, exact money, fixed query count."""

from datetime import date
from decimal import Decimal

import pytest

from kam.core.services import currency_rate_set
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(org):
    product = make_product(sku="ASP-100", name="Aspirin")
    anna = make_account(owner=org.kam_anna, legal_name="Aurora SIA")
    boris = make_account(owner=org.kam_boris, legal_name="Baltic Med AS")
    sigrid = make_account(owner=org.kam_sigrid, legal_name="Sud Trade SIA")
    make_sale(
        account=anna,
        product=product,
        on=date(2024, 1, 15),
        revenue="100.10",
        cost="60",
        document="A-1",
    )
    make_sale(
        account=anna,
        product=product,
        on=date(2024, 3, 2),
        revenue="200",
        cost="150.05",
        document="A-2",
    )
    make_sale(
        account=boris, product=product, on=date(2024, 2, 1), revenue="50", cost="20", document="B-1"
    )
    make_sale(
        account=sigrid,
        product=product,
        on=date(2024, 2, 10),
        revenue="999",
        cost="1",
        document="S-1",
    )
    return {"anna": anna, "boris": boris, "sigrid": sigrid, "product": product}


def documents(response):
    assert response.status_code == 200, response.content
    return [row["document_number"] for row in response.json()["items"]]


def test_lines_are_scoped_and_newest_first(org, ledger, login):
    assert documents(login(org.kam_anna).get("/api/sales/lines")) == ["A-2", "A-1"]
    assert documents(login(org.kam_sigrid).get("/api/sales/lines")) == ["S-1"]
    assert documents(login(org.head_north).get("/api/sales/lines")) == ["A-2", "B-1", "A-1"]


def test_filtering_by_another_managers_client_shows_nothing(org, ledger, login):
    anna = login(org.kam_anna)
    assert documents(anna.get("/api/sales/lines", {"client_id": ledger["sigrid"].pk})) == []
    assert documents(anna.get("/api/sales/lines", {"client_id": ledger["anna"].pk})) == [
        "A-2",
        "A-1",
    ]
    head = login(org.head_north)
    assert documents(head.get("/api/sales/lines", {"client_id": ledger["boris"].pk})) == ["B-1"]


def test_date_filters_include_both_ends(org, ledger, login):
    head = login(org.head_north)
    params = {"date_from": "2024-01-15", "date_to": "2024-02-01"}
    assert documents(head.get("/api/sales/lines", params)) == ["B-1", "A-1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"date_from": "2024-13-01"}, "date_from"), ({"client_id": "x"}, "client_id")],
)
def test_bad_filters_are_422(org, login, params, field):
    response = login(org.kam_anna).get("/api/sales/lines", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert field in [e["field"] for e in response.json()["errors"]]


def test_reversed_dates_are_422(org, login):
    response = login(org.kam_anna).get(
        "/api/sales/lines", {"date_from": "2024-03-01", "date_to": "2024-01-01"}
    )
    assert response.status_code == 422
    assert "date_from" in response.json()["errors"][0]["message"]


def test_line_money_is_exact_strings_with_currencies(org, ledger, login):
    currency_rate_set(actor=None, currency="USD", valid_from=date(2024, 1, 1), rate=Decimal("0.9"))
    make_sale(
        account=ledger["anna"],
        product=ledger["product"],
        on=date(2024, 4, 1),
        revenue="10.05",
        cost="3",
        currency="USD",
        quantity="2.500",
        document="A-3",
    )
    row = login(org.kam_anna).get("/api/sales/lines").json()["items"][0]
    assert row["document_number"] == "A-3"
    assert (row["revenue"], row["cost"], row["income"], row["currency"]) == (
        "10.05",
        "3.00",
        "7.05",
        "USD",
    )
    assert (row["revenue_base"], row["cost_base"], row["base_currency"]) == ("9.05", "2.70", "EUR")
    assert row["quantity"] == "2.500"
    assert row["client"] == {"id": ledger["anna"].pk, "name": "Aurora SIA"}
    assert row["product"]["sku"] == "ASP-100"


def test_lines_make_a_fixed_number_of_queries(org, login, django_assert_max_num_queries):
    accounts = [make_account(owner=org.kam_anna) for _ in range(3)]
    products = [make_product() for _ in range(3)]
    for i in range(30):
        make_sale(
            account=accounts[i % 3],
            product=products[i // 10],
            on=date(2024, 1, 1 + i % 28),
            revenue="10",
            cost="5",
        )
    client = login(org.kam_anna)
    client.get("/api/sales/lines", {"page_size": 1})
    # session, user, deputyships, company settings, count, page
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/sales/lines", {"page_size": 200}).json()["items"]) == 30


# The monthly series -----------------------------------------------------------------------


def test_monthly_series_has_every_month_with_exact_sums(org, ledger, login):
    response = login(org.kam_anna).get(
        f"/api/sales/clients/{ledger['anna'].pk}/monthly", {"until": "2024-03-31"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["client"] == {"id": ledger["anna"].pk, "name": "Aurora SIA"}
    assert body["currency"] == "EUR"
    months = body["months"]
    assert len(months) == 24
    assert (months[0]["month"], months[-1]["month"]) == ("2022-04-01", "2024-03-01")
    assert months[-3] == {
        "month": "2024-01-01",
        "revenue": "100.10",
        "cost": "60.00",
        "income": "40.10",
        "uncosted": "0.00",
        "income_incomplete": False,
    }
    assert months[-2] == {
        "month": "2024-02-01",
        "revenue": "0.00",
        "cost": "0.00",
        "income": "0.00",
        "uncosted": "0.00",
        "income_incomplete": False,
    }
    assert months[-1]["income"] == "49.95"


def test_monthly_series_of_another_managers_client_is_404(org, ledger, login):
    url = f"/api/sales/clients/{ledger['anna'].pk}/monthly"
    assert login(org.head_north).get(url).status_code == 200
    denied = login(org.kam_sigrid).get(url)
    missing = login(org.kam_sigrid).get("/api/sales/clients/999999/monthly")
    assert denied.status_code == 404
    assert denied.json() == missing.json()
