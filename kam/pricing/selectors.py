"""Reads of prices and discount rules (OR-3). The price catalogue is not secret."""

from datetime import date
from decimal import Decimal

from django.db.models import Q

from kam.pricing.models import DiscountRule, Price, PriceColumn


def column_price(*, column_id: int, product_id: int, on: date) -> Decimal | None:
    """The product's price in the column on ``on`` (the latest valid from on or before it),
    or None when the column has no price for it that day."""
    row = (
        Price.objects.filter(column_id=column_id, product_id=product_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .values_list("price", flat=True)
        .first()
    )
    return row


def discount_limit(*, column_id: int, role: str) -> Decimal:
    """The largest discount (percent) a person of ``role`` may give on the column without
    approval; no rule: 0."""
    value = (
        DiscountRule.objects.filter(column_id=column_id, role=role)
        .values_list("max_percent", flat=True)
        .first()
    )
    return value if value is not None else Decimal("0")


def column_get(*, pk: int) -> PriceColumn:
    return PriceColumn.objects.select_related("price_list").get(pk=pk)
