"""Import the product catalogue, keyed by SKU: created with product_create, updated with
product_update, each audited (standard costs are money).

Columns (* required): sku*, name*, category (name; created if new), unit, standard_cost,
currency (default: the company's base currency), launched_on. An empty cell leaves the stored
value as it is.

With a ``mapping`` (issue 8 §1) the file's own column names are read as these fields and
launched_on in its ``date_format``; ``check_only`` checks and counts everything and writes
nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from kam.catalog.models import Product
from kam.catalog.services import category_get_or_create, product_create, product_update
from kam.core.services import company_settings
from kam.imports.mapping import Mapping
from kam.imports.readers import Source
from kam.imports.services.common import (
    IN_LIST,
    ImportResult,
    Progress,
    Row,
    Tracker,
    Writing,
    audit_import,
    check_rows,
    chunks,
    date_parser,
    differences,
    finish,
    max_length,
    open_file,
    require_import,
)
from kam.imports.validators import ErrorList, parse_currency, parse_decimal, parse_text
from kam.org.models import User

PRODUCT_COLUMNS = ("sku", "name")
PRODUCT_OPTIONAL = ("category", "unit", "standard_cost", "currency", "launched_on")


@dataclass
class _ProductRow:
    line: int
    sku: str
    name: str
    data: dict[str, Any]


def import_products(
    *,
    source: Source,
    actor: User | None,
    name: str | None = None,
    progress: Progress | None = None,
    max_errors: int | None = None,
    mapping: Mapping | None = None,
    check_only: bool = False,
) -> ImportResult:
    """Create products by SKU, or update those that exist (each audited: costs are money)."""
    require_import(actor)
    errors = ErrorList(max_errors)
    table, result, estimate = open_file("products", source, name, errors, mapping)
    result.checked_only = check_only
    if table is None:
        return finish(result, errors)
    tracker = Tracker(progress, estimate)
    cost_field = Product._meta.get_field("standard_cost")
    parse_launch = date_parser(table)
    seen: dict[str, int] = {}
    records: list[_ProductRow] = []

    def check(row: Row) -> None:
        sku = row.get("sku", parse_text, required=True, max_length=max_length(Product, "sku"))
        if sku is not None:
            if sku in seen:
                row.fail(
                    "sku",
                    gettext('"%(value)s" is already on line %(line)s')
                    % {"value": sku, "line": seen[sku]},
                )
            else:
                seen[sku] = row.line
        product_name = row.get(
            "name", parse_text, required=True, max_length=max_length(Product, "name")
        )
        data: dict[str, Any] = {}
        category = row.get("category", parse_text, max_length=200)
        if category is not None:
            data["category"] = category
        if (
            unit := row.get("unit", parse_text, max_length=max_length(Product, "unit"))
        ) is not None:
            data["unit"] = unit
        cost = row.get(
            "standard_cost",
            parse_decimal,
            places=cost_field.decimal_places,
            max_digits=cost_field.max_digits,
            minimum=0,
        )
        if cost is not None:
            data["standard_cost"] = cost
        if (currency := row.get("currency", parse_currency)) is not None:
            data["currency"] = currency
        if (launched := row.get("launched_on", parse_launch)) is not None:
            data["launched_on"] = launched
        if row.ok:
            records.append(_ProductRow(row.line, sku, product_name, data))

    check_rows(
        table,
        check,
        required=PRODUCT_COLUMNS,
        optional=PRODUCT_OPTIONAL,
        errors=errors,
        result=result,
        tracker=tracker,
    )
    if errors:
        return finish(result, errors)

    tracker.set_rows(result.rows)
    existing: dict[str, Product] = {}
    for part in chunks((r.sku for r in records), IN_LIST):
        existing.update((p.sku, p) for p in Product.objects.filter(sku__in=part))
    categories: dict[str, Any] = {}
    base_currency = company_settings().base_currency

    with Writing(errors, check_only=check_only, labels=getattr(table, "labels", None)) as writing:
        for done, rec in enumerate(records, start=1):
            writing.line = rec.line
            data = dict(rec.data)
            if "category" in data:
                label = data["category"]
                if label not in categories:
                    categories[label] = category_get_or_create(name=label)
                data["category"] = categories[label]
            product = existing.get(rec.sku)
            if product is None:
                data.setdefault("currency", base_currency)
                existing[rec.sku] = product_create(actor=actor, sku=rec.sku, name=rec.name, **data)
                result.created += 1
            else:
                changed = differences(product, dict(data, name=rec.name))
                if changed:
                    product_update(actor=actor, product=product, **changed)
                    result.updated += 1
                else:
                    result.unchanged += 1
            tracker.written(done)
        writing.line = None
        audit_import(actor=actor, entity="catalog.product", table=table, result=result)
    if not errors:
        tracker.finish()
    return finish(result, errors)
