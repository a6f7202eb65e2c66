"""The analysis of returns and refusals (OR-4): by reason, product, client and KAM, month by
month, in SQL, over what the reader may see."""

from datetime import date
from decimal import Decimal

import pytest

from kam.orders.selectors_returns import analysis_table, returns_analysis
from kam.orders.tests.returns_fixtures import (
    make_order,
    make_reason,
    make_return,
    make_shipment,
    refuse_line,
)
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(org):
    anna_client = make_account(owner=org.kam_anna, legal_name="Anna Client SIA")
    sigrid_client = make_account(owner=org.kam_sigrid, legal_name="Sigrid Client SIA")
    pills, syrup = make_product(name="Pills"), make_product(name="Syrup")
    broken = make_reason(kind="return", code="broken", name="Broken")
    expired = make_reason(kind="return", code="expired", name="Expired")
    price = make_reason(kind="refusal", code="price", name="Too expensive")

    # Anna's client: refuses 2 of 10 pills (x 5.00) in March; returns 3 syrups (x 8.00) as
    # broken in March and 1 pill as expired in May.
    order = make_order(
        account=anna_client,
        created_by=org.kam_anna,
        lines=[(pills, "10", "5.00"), (syrup, "6", "8.00")],
        on=date(2026, 3, 3),
    )
    pill_line, syrup_line = order.lines.order_by("line_number")
    refuse_line(line=pill_line, quantity="2", reason=price)
    shipment = make_shipment(order=order, shipped_on=date(2026, 3, 5), quantities={1: 8})
    make_return(
        shipment=shipment, reason=broken, returned_on=date(2026, 3, 20), lines=[(syrup_line, 3)]
    )
    make_return(
        shipment=shipment, reason=expired, returned_on=date(2026, 5, 2), lines=[(pill_line, 1)]
    )
    # Sigrid's client: returns 4 pills (x 6.00) as broken in April.
    other = make_order(
        account=sigrid_client,
        created_by=org.kam_sigrid,
        lines=[(pills, "4", "6.00")],
        on=date(2026, 4, 1),
    )
    other_shipment = make_shipment(order=other, shipped_on=date(2026, 4, 2))
    make_return(
        shipment=other_shipment,
        reason=broken,
        returned_on=date(2026, 4, 10),
        lines=[(other.lines.get(), 4)],
    )
    return {"broken": broken, "expired": expired, "price": price, "pills": pills}


def _rows(analysis):
    return {
        r.label: (r.refused_quantity, r.refused_amount, r.returned_quantity, r.returned_amount)
        for r in analysis.rows
    }


def test_by_reason_for_the_director(org, data):
    a = returns_analysis(
        user=org.director, start=date(2026, 1, 1), end=date(2026, 12, 31), group_by="reason"
    )
    assert _rows(a) == {
        "Broken": (0, 0, Decimal("7"), Decimal("48.00")),
        "Too expensive": (Decimal("2"), Decimal("10.00"), 0, 0),
        "Expired": (0, 0, Decimal("1"), Decimal("5.00")),
    }
    months = {m.month: (m.refused_amount, m.returned_amount) for m in a.months}
    assert len(months) == 12
    assert months[date(2026, 3, 1)] == (Decimal("10.00"), Decimal("24.00"))
    assert months[date(2026, 4, 1)] == (0, Decimal("24.00"))
    assert months[date(2026, 5, 1)] == (0, Decimal("5.00"))
    assert a.total.amount == Decimal("63.00")
    chart = a.chart()
    assert chart["labels"][2] == "2026-03" and chart["income"][2] == "24.00"


def test_a_kam_sees_only_their_clients(org, data):
    a = returns_analysis(
        user=org.kam_anna, start=date(2026, 1, 1), end=date(2026, 12, 31), group_by="reason"
    )
    assert _rows(a)["Broken"] == (0, 0, Decimal("3"), Decimal("24.00"))
    s = returns_analysis(
        user=org.kam_sigrid, start=date(2026, 1, 1), end=date(2026, 12, 31), group_by="client"
    )
    assert list(_rows(s)) == ["Sigrid Client SIA"]


def test_by_product_client_and_kam(org, data):
    kwargs = {"user": org.director, "start": date(2026, 1, 1), "end": date(2026, 12, 31)}
    by_product = _rows(returns_analysis(group_by="product", **kwargs))
    pills = next(k for k in by_product if k.startswith("Pills"))
    assert by_product[pills] == (Decimal("2"), Decimal("10.00"), Decimal("5"), Decimal("29.00"))
    by_kam = _rows(returns_analysis(group_by="kam", **kwargs))
    assert by_kam["Anna Kam"] == (Decimal("2"), Decimal("10.00"), Decimal("4"), Decimal("29.00"))
    assert by_kam["Sigrid Kam"] == (0, 0, Decimal("4"), Decimal("24.00"))
    header, rows = analysis_table(returns_analysis(group_by="client", **kwargs))
    assert header[0] == "Client" and len(rows) == 2


def test_the_period_narrows_the_rows(org, data):
    a = returns_analysis(user=org.director, start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert _rows(a) == {"Broken": (0, 0, Decimal("4"), Decimal("24.00"))}
    assert [m.month for m in a.months] == [date(2026, 4, 1)]


def test_an_unknown_group_falls_back_to_reason(org, data):
    a = returns_analysis(user=org.director, group_by="nonsense")
    assert a.group_by == "reason"


def test_query_count_is_fixed(org, data, django_assert_max_num_queries):
    # settings, the reader's deputyships (per scoped query) and the two aggregates, however
    # many lines there are.
    with django_assert_max_num_queries(5):
        returns_analysis(user=org.kam_anna, group_by="kam")
