"""Price arithmetic with no database (OR-3): a line's net price and amount, and whether a
discount needs the head's approval. Decimal in, Decimal out."""

from decimal import ROUND_HALF_UP, Decimal

PRICE_PLACES = Decimal("0.0001")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def net_price(list_price: Decimal, discount_percent: Decimal) -> Decimal:
    """The column's price less the discount, to four places (half up)."""
    return (list_price * (HUNDRED - discount_percent) / HUNDRED).quantize(
        PRICE_PLACES, rounding=ROUND_HALF_UP
    )


def line_amount(price: Decimal, quantity: Decimal) -> Decimal:
    """Price x quantity in cents (half up)."""
    return (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def needs_approval(requested_percent: Decimal, allowed_percent: Decimal) -> bool:
    """A discount beyond what the rule allows the person goes to the head of department."""
    return requested_percent > allowed_percent
