"""The pieces a line is shipped in add up to its amount to the cent, however it is split."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kam.orders.models import OrderLine
from kam.orders.services.fulfilment import _share
from kam.pricing.rules import line_amount

prices = st.decimals(min_value="0.0001", max_value="99999", places=4)
pieces = st.lists(st.decimals(min_value="0.001", max_value="500", places=3), min_size=1, max_size=8)


@given(prices, pieces)
def test_shipped_pieces_add_up_to_the_line_amount(price, parts):
    line = OrderLine(price=price)
    done, total = Decimal("0"), Decimal("0")
    for quantity in parts:
        total += _share(line, done, quantity)
        done += quantity
    assert total == line_amount(price, done)
