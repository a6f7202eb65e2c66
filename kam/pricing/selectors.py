"""Reads of prices and discount rules (OR-3). The price catalogue is not secret."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.catalog.models import Product
from kam.pricing.models import DiscountRule, Price, PriceColumn, PriceList


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


# --- the pages and the API -----------------------------------------------------------------------


def price_list_list(*, active_only: bool = False) -> QuerySet[PriceList]:
    """Every price list with its columns (one query for the lists, one for the columns)."""
    qs = PriceList.objects.prefetch_related(
        Prefetch("columns", queryset=PriceColumn.objects.order_by("position", "code"))
    ).order_by("name")
    return qs.filter(is_active=True) if active_only else qs


def price_list_get(*, pk) -> PriceList:
    try:
        return price_list_list().get(pk=pk)
    except (PriceList.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such price list.")) from None


def price_column_get(*, pk) -> PriceColumn:
    """One column (404 when missing)."""
    try:
        return PriceColumn.objects.select_related("price_list").get(pk=pk)
    except (PriceColumn.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such price column.")) from None


def price_get(*, pk) -> Price:
    try:
        return Price.objects.select_related("column__price_list", "product").get(pk=pk)
    except (Price.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such price.")) from None


def column_choices() -> QuerySet[PriceColumn]:
    """Every column of every active list, for a contract's choice of column."""
    return (
        PriceColumn.objects.filter(price_list__is_active=True)
        .select_related("price_list")
        .order_by("price_list__name", "position", "code")
    )


def prices_on(*, price_list: PriceList, on: date, q: str = "") -> QuerySet[Price]:
    """The prices of the list's columns valid on ``on`` (one per product and column), with
    product and column; ``q`` narrows by SKU or product name."""
    qs = (
        Price.objects.filter(column__price_list=price_list, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("product", "column")
        .order_by("product__sku", "column__position", "column__code", "-valid_from")
    )
    if q:
        qs = qs.filter(Q(product__sku__icontains=q) | Q(product__name__icontains=q))
    return qs


@dataclass
class MatrixRow:
    product: Product
    prices: list[Price | None]  # one per column, in the columns' order


@dataclass
class PriceMatrix:
    price_list: PriceList
    on: date
    columns: list[PriceColumn]
    rows: list[MatrixRow] = field(default_factory=list)


def price_matrix(*, price_list: PriceList, on: date, q: str = "") -> PriceMatrix:
    """Products x columns of the list as of ``on``: a row per product priced in any column that
    day. Two queries whatever the size (the columns, then the prices with their products)."""
    columns = list(price_list.columns.order_by("position", "code"))
    index = {c.pk: i for i, c in enumerate(columns)}
    rows: dict[int, MatrixRow] = {}
    for price in prices_on(price_list=price_list, on=on, q=q):
        row = rows.get(price.product_id)
        if row is None:
            row = rows[price.product_id] = MatrixRow(price.product, [None] * len(columns))
        slot = index[price.column_id]
        if row.prices[slot] is None:  # the latest valid_from comes first
            row.prices[slot] = price
    return PriceMatrix(price_list=price_list, on=on, columns=columns, rows=list(rows.values()))


def matrix_table(matrix: PriceMatrix) -> tuple[list[str], list[list]]:
    """The matrix as a header and rows for an export: SKU, product, unit, a price per column."""
    header = [_("SKU"), _("Product"), _("Unit")] + [
        f"{c.name} ({matrix.price_list.currency})" for c in matrix.columns
    ]
    rows = [
        [row.product.sku, row.product.name, row.product.unit]
        + [p.price if p is not None else None for p in row.prices]
        for row in matrix.rows
    ]
    return header, rows


def discount_rules(*, price_list: PriceList) -> QuerySet[DiscountRule]:
    return (
        DiscountRule.objects.filter(column__price_list=price_list)
        .select_related("column")
        .order_by("column__position", "column__code", "role")
    )


def price_history(*, column: PriceColumn, product: Product) -> QuerySet[Price]:
    return Price.objects.filter(column=column, product=product).order_by("-valid_from")
