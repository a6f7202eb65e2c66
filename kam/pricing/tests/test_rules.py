"""Price arithmetic (OR-3), alone."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kam.pricing.rules import line_amount, needs_approval, net_price


def test_net_price_and_amount_round_half_up():
    assert net_price(Decimal("10.00"), Decimal("12.5")) == Decimal("8.7500")
    assert net_price(Decimal("0.3333"), Decimal("50")) == Decimal("0.1667")
    assert line_amount(Decimal("0.1667"), Decimal("3")) == Decimal("0.50")


def test_approval_only_beyond_the_rule():
    assert not needs_approval(Decimal("5"), Decimal("5"))
    assert needs_approval(Decimal("5.01"), Decimal("5"))


@given(
    price=st.decimals(min_value=0, max_value=10**6, places=4),
    percent=st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_discount_never_raises_the_price_nor_goes_below_zero(price, percent):
    net = net_price(price, percent)
    assert Decimal(0) <= net <= price
