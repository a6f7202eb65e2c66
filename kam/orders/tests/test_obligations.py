"""Mutual obligations (CT-3): our deliveries on time, their payments on time, per client over
the 12 months up to a date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from kam.orders.selectors_obligations import Side, obligations, obligations_panel, window
from kam.orders.tests.returns_fixtures import make_invoice, make_order, make_shipment, pay
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)


@pytest.fixture
def client_data(org):
    account = make_account(owner=org.kam_anna, legal_name="Punctual SIA")
    product = make_product()

    def ship(shipped, promised):
        order = make_order(account=account, created_by=org.kam_anna, lines=[(product, "1", "1")])
        return make_shipment(order=order, shipped_on=shipped, promised_on=promised)

    ship(date(2026, 5, 1), date(2026, 5, 1))  # on time
    ship(date(2026, 5, 1), date(2026, 5, 3))  # early
    ship(date(2026, 5, 10), date(2026, 5, 6))  # 4 days late
    ship(date(2026, 6, 10), date(2026, 6, 8))  # 2 days late
    ship(date(2026, 6, 10), None)  # no promise: not judged
    ship(date(2025, 6, 1), date(2025, 5, 1))  # before the window
    ship(date(2026, 7, 1), date(2026, 6, 1))  # after as_of

    def invoice(due, amount="100"):
        return make_invoice(
            account=account, amount=amount, document_date=due - timedelta(days=30), due_date=due
        )

    paid_on_time = invoice(date(2026, 3, 31))
    pay(invoice=paid_on_time, amount="100", on=date(2026, 3, 31))
    paid_in_parts = invoice(date(2026, 4, 30))
    pay(invoice=paid_in_parts, amount="40", on=date(2026, 4, 1))
    pay(invoice=paid_in_parts, amount="60", on=date(2026, 4, 30))
    paid_late = invoice(date(2026, 5, 31))
    pay(invoice=paid_late, amount="50", on=date(2026, 5, 31))
    pay(invoice=paid_late, amount="50", on=date(2026, 6, 10))  # 10 days late
    invoice(date(2026, 6, 20))  # unpaid, 10 days past due at as_of
    later = invoice(date(2026, 7, 31))  # not due yet: not judged
    pay(invoice=later, amount="100", on=date(2026, 6, 1))
    old = invoice(date(2025, 6, 1))  # before the window
    pay(invoice=old, amount="100", on=date(2025, 9, 1))
    return account


def test_window_is_twelve_months_back_to_the_day():
    assert window(date(2026, 6, 30)) == (date(2025, 7, 1), date(2026, 6, 30))
    assert window(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_both_sides_and_the_score(org, client_data):
    ob = obligations(user=org.kam_anna, account=client_data, as_of=AS_OF)
    d, p = ob.deliveries, ob.payments
    assert (d.judged, d.on_time, d.late) == (4, 2, 2)
    assert d.share_on_time == Decimal("50.0")
    assert d.average_days_late == Decimal("3.0")
    assert (p.judged, p.on_time, p.late, p.unpaid) == (4, 2, 2, 1)
    assert p.average_days_late == Decimal("10.0")
    assert p.score == Decimal("50.0")
    assert ob.score == Decimal("50.0")


def test_payment_made_after_as_of_does_not_count(org, client_data):
    ob = obligations(user=org.director, account=client_data, as_of=date(2026, 6, 5))
    # the late-paid invoice (due 31 May) is still half open on 5 June: unpaid, 5 days late.
    assert (ob.payments.judged, ob.payments.unpaid) == (3, 1)
    assert ob.payments.average_days_late == Decimal("5.0")


def test_nothing_to_judge_gives_no_score(org):
    account = make_account(owner=org.kam_anna)
    ob = obligations(user=org.kam_anna, account=account, as_of=AS_OF)
    assert ob.deliveries.score is None and ob.payments.score is None and ob.score is None


def test_panel_is_scoped(org, client_data):
    ctx = obligations_panel(user=org.head_north, account=client_data, as_of=AS_OF)
    html = render_to_string("orders/returns/_obligations_panel.html", ctx)
    assert "Deliveries on time" in html and "Payments on time" in html
    assert "50.0&nbsp;%" in html
    assert "1 still unpaid past due" in html
    with pytest.raises(Http404):
        obligations_panel(user=org.kam_sigrid, account=client_data, as_of=AS_OF)


@given(
    on_time=st.integers(min_value=0, max_value=10_000),
    late=st.integers(min_value=0, max_value=10_000),
    days=st.integers(min_value=0, max_value=1000),
)
def test_side_arithmetic(on_time, late, days):
    side = Side(judged=on_time + late, on_time=on_time, late=late, days_late_total=days * late)
    if side.judged == 0:
        assert side.score is None
    else:
        assert Decimal(0) <= side.score <= Decimal(100)
        assert abs(side.score - Decimal(on_time) * 100 / side.judged) <= Decimal("0.05")
        if late == 0:
            assert side.score == 100
    if late:
        assert side.average_days_late == Decimal(days)
    else:
        assert side.average_days_late is None
