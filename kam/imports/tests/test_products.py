"""Importing the product catalogue: created or updated by SKU, costs as Decimal."""

from datetime import date
from decimal import Decimal

from kam.catalog.models import Product, ProductCategory
from kam.core.models import AuditEntry
from kam.core.services import company_settings_update
from kam.imports.services import import_products
from kam.testing import make_product


def test_creates_and_updates_products_from_semicolon_csv(db, csv_file):
    make_product(sku="A-1", name="Old", cost=Decimal("1"))
    company_settings_update(actor=None, base_currency="RUB")
    path = csv_file(
        [
            ["sku", "name", "category", "unit", "standard_cost", "currency", "launched_on"],
            ["A-1", "Aspirin 500", "Pain", "box", "1 234,5678", "EUR", "01.02.2023"],
            ["B-2", "Bandage", "Care", "", "0,5", "", ""],
        ],
        delimiter=";",
    )
    result = import_products(actor=None, source=path)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    a1 = Product.objects.get(sku="A-1")
    assert a1.name == "Aspirin 500"
    assert a1.standard_cost == Decimal("1234.5678")
    assert a1.launched_on == date(2023, 2, 1)
    assert a1.category.name == "Pain"
    b2 = Product.objects.get(sku="B-2")
    assert (b2.unit, b2.currency, b2.standard_cost) == ("pcs", "RUB", Decimal("0.5"))
    assert AuditEntry.objects.filter(entity="catalog.product", action="import").count() == 1

    again = import_products(actor=None, source=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Product.objects.count() == 2


def test_bad_products_change_nothing(db, csv_file):
    make_product(sku="A-1", name="Keep", cost=Decimal("1"))
    before = (Product.objects.count(), ProductCategory.objects.count())
    path = csv_file(
        [
            ["sku", "name", "category", "standard_cost", "currency", "launched_on"],
            ["A-1", "Changed", "New category", "2", "EUR", ""],
            ["B-2", "Bad", "", "-1", "euro", "2023-13-01"],
            ["C-3", "", "", "1,23456", "", ""],
        ]
    )
    result = import_products(actor=None, source=path)
    assert [str(e) for e in result.errors] == [
        'line 3, column "standard_cost": "-1" is less than 0',
        'line 3, column "currency": "euro" is not a currency code (three letters, e.g. EUR)',
        'line 3, column "launched_on": "2023-13-01" is not a date (YYYY-MM-DD or DD.MM.YYYY)',
        'line 4, column "name": a value is required',
        'line 4, column "standard_cost": "1,23456" has more than 4 decimal places',
    ]
    assert (Product.objects.count(), ProductCategory.objects.count()) == before
    assert Product.objects.get(sku="A-1").name == "Keep"
