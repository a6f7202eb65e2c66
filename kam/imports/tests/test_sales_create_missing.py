"""One file is enough (issue 8 §2): with ``create_missing`` a sales file creates the clients
and products it names; without it they stay errors. All or nothing either way."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kam.catalog.models import Product, ProductCategory
from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.imports.options import SalesOptions
from kam.imports.services import import_sales
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product

HEADER = [
    "document_number",
    "line_number",
    "date",
    "client",
    "client_name",
    "client_country",
    "client_city",
    "sku",
    "product_name",
    "product_category",
    "product_unit",
    "quantity",
    "revenue",
]
CREATE = {"create_missing": True}

# An online shop's export: the clients and products exist only in it.
EXPORT = [
    HEADER,
    ["489434", "1", "2009-12-01 07:45:00", "13085.0", "Hearts Ltd", "United Kingdom", "",
     "85048", "15CM CHRISTMAS GLASS BALL", "Christmas", "pcs", "12", "83.40"],
    ["489434", "2", "2009-12-01 07:45:00", "13085.0", "Hearts Ltd", "United Kingdom", "",
     "79323P", "PINK CHERRY LIGHTS", "Lights", "", "12", "81"],
    ["489435", "1", "2009-12-01 07:46:00", "13086", "Rīgas Dārzs SIA", "Latvija", "Rīga",
     "85048", "15CM CHRISTMAS GLASS BALL", "Christmas", "", "4", "27.80"],
    ["489436", "1", "2009-12-01 09:06:00", "13087", "Торговый дом", "Россия", "Москва",
     "22041", "", "", "", "48", "18"],
]  # fmt: skip


def snapshot():
    return (
        SalesLine.objects.count(),
        Account.objects.count(),
        Product.objects.count(),
        ProductCategory.objects.count(),
        AuditEntry.objects.count(),
    )


def test_without_the_option_unknown_clients_and_products_stay_errors(org, csv_file):
    before = snapshot()
    result = import_sales(source=csv_file(EXPORT), actor=org.support_north)
    assert [str(e) for e in result.errors][:3] == [
        'line 2, column "client": no client with registration number "13085"',
        'line 2, column "sku": no product with SKU "85048"',
        'line 3, column "client": no client with registration number "13085"',
    ]
    assert result.error_count == 8
    assert (result.clients_created, result.products_created) == (0, 0)
    assert snapshot() == before


def test_a_file_creates_its_clients_and_products(org, csv_file):
    result = import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created) == (4, 4)
    assert (result.clients_created, result.products_created) == (3, 3)
    assert "3 clients and 3 products created" in result.summary()

    clients = {
        a.registration_number: (a.legal_name, a.country, a.city, a.owner_id, a.department_id)
        for a in Account.objects.all()
    }
    # No owner, as a client file without an owner column: the director hands them out.
    assert clients == {
        "13085": ("Hearts Ltd", "GB", "", None, None),
        "13086": ("Rīgas Dārzs SIA", "LV", "Rīga", None, None),
        "13087": ("Торговый дом", "RU", "Москва", None, None),
    }
    products = {
        p.sku: (p.name, p.category.name if p.category else None, p.unit, p.is_service)
        for p in Product.objects.select_related("category")
    }
    assert products == {
        "85048": ("15CM CHRISTMAS GLASS BALL", "Christmas", "pcs", False),
        "79323P": ("PINK CHERRY LIGHTS", "Lights", "pcs", False),
        # No name in the file: the SKU stands in for it.
        "22041": ("22041", None, "pcs", False),
    }
    assert SalesLine.objects.get(document_number="489436").account.registration_number == "13087"

    created = AuditEntry.objects.filter(
        action="create", entity__in=["clients.account", "catalog.product"]
    )
    assert sorted(created.filter(entity="clients.account").values_list("summary", flat=True)) == [
        "Hearts Ltd",
        "Rīgas Dārzs SIA",
        "Торговый дом",
    ]
    assert set(created.values_list("actor", flat=True)) == {org.support_north.pk}
    assert created.filter(entity="catalog.product").count() == 3
    entry = AuditEntry.objects.get(action="import")
    assert (entry.changes["clients_created"], entry.changes["products_created"]) == (3, 3)

    # Re-importing creates nothing more and changes nothing.
    again = import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE)
    assert (again.clients_created, again.products_created, again.unchanged) == (0, 0, 4)


def test_names_fall_back_to_the_number_and_the_sku(org, csv_file):
    path = csv_file(
        [
            ["document_number", "line_number", "date", "client", "sku", "quantity", "revenue"],
            ["1", "1", "2024-01-15", "13085.0", "85048", "1", "10"],
        ]
    )
    options = SalesOptions(create_missing=True)
    result = import_sales(source=path, actor=org.director, options=options)
    assert result.ok, [str(e) for e in result.errors]
    assert Account.objects.get().legal_name == "13085"
    assert Product.objects.get().name == "85048"


def test_a_workbook_creates_them_too(org, xlsx_file):
    path = xlsx_file(
        [
            HEADER,
            ["489434", 1, datetime(2009, 12, 1, 7, 45), 13085.0, "Hearts Ltd", "EIRE", None,
             85048, "GLASS BALL", None, None, 12, 83.4],
        ]
    )  # fmt: skip
    result = import_sales(source=path, actor=org.support_north, options=CREATE)
    assert result.ok, [str(e) for e in result.errors]
    assert Account.objects.values_list("registration_number", "country").get() == ("13085", "IE")
    assert Product.objects.values_list("sku", "name").get() == ("85048", "GLASS BALL")
    assert SalesLine.objects.get().revenue == Decimal("83.40")


def test_one_number_with_two_names_is_refused_at_its_line_and_column(org, csv_file):
    rows = [row[:] for row in EXPORT]
    rows[2][4] = "Hearts Limited"
    # The same name in another case and spacing is the same name.
    rows[1][4] = "HEARTS  LTD"
    rows.append(
        ["489437", "1", "2009-12-01", "13085", "hearts ltd", "", "", "85048", "", "", "", "1", "1"]
    )
    before = snapshot()
    result = import_sales(source=csv_file(rows), actor=org.support_north, options=CREATE)
    assert [str(e) for e in result.errors] == [
        'line 3, column "client_name": client "13085" is named "HEARTS  LTD" on line 2; one '
        "registration number has one name"
    ]
    assert snapshot() == before


def test_an_existing_number_of_another_name_is_refused(org, csv_file):
    make_account(owner=org.kam_anna, legal_name="Sirdis SIA", registration_number="13085")
    before = snapshot()
    result = import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE)
    assert [str(e) for e in result.errors] == [
        'line 2, column "client_name": registration number "13085" belongs to an existing '
        "client of another name; a sales file does not rename clients: correct the name or "
        "the number",
        'line 3, column "client_name": registration number "13085" belongs to an existing '
        "client of another name; a sales file does not rename clients: correct the name or "
        "the number",
    ]
    assert snapshot() == before
    assert Account.objects.get(registration_number="13085").legal_name == "Sirdis SIA"


def test_an_existing_client_of_the_same_name_keeps_its_owner_and_name(org, csv_file):
    alfa = make_account(owner=org.kam_anna, legal_name="Hearts LTD", registration_number="13085")
    result = import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE)
    assert result.ok, [str(e) for e in result.errors]
    assert result.clients_created == 2
    alfa.refresh_from_db()
    assert (alfa.legal_name, alfa.owner, alfa.country) == ("Hearts LTD", org.kam_anna, "")
    assert SalesLine.objects.filter(account=alfa).count() == 2


def test_an_existing_product_is_not_renamed(org, csv_file):
    make_product(sku="85048", name="Glass ball 15 cm")
    result = import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE)
    assert result.ok, [str(e) for e in result.errors]
    assert result.products_created == 2
    assert Product.objects.get(sku="85048").name == "Glass ball 15 cm"


def test_a_bad_cell_of_a_new_client_is_refused_and_nothing_is_created(org, csv_file):
    rows = [row[:] for row in EXPORT]
    rows[3][5] = "Atlantis"
    rows[4][10] = "a unit name far too long"
    before = snapshot()
    result = import_sales(source=csv_file(rows), actor=org.support_north, options=CREATE)
    assert [(e.line, e.column) for e in result.errors] == [
        (4, "client_country"),
        (5, "product_unit"),
    ]
    assert "is not a country" in result.errors[0].message
    assert "longer than 20 characters" in result.errors[1].message
    assert snapshot() == before


def test_a_bad_line_anywhere_takes_the_created_clients_back(org, csv_file):
    rows = [row[:] for row in EXPORT]
    rows[4][12] = "-18"  # a sale with a negative revenue
    before = snapshot()
    result = import_sales(source=csv_file(rows), actor=org.support_north, options=CREATE)
    assert [(e.line, e.column) for e in result.errors] == [(5, "revenue")]
    assert (result.clients_created, result.products_created) == (0, 0)
    assert snapshot() == before


def test_a_refusal_while_creating_leaves_the_database_unchanged(org, csv_file, monkeypatch):
    from kam.clients.services import accounts_create_bulk
    from kam.imports.services import sales

    def taken(*, actor, rows):
        # Another writer took a number between the check and the write.
        make_account(owner=None, registration_number=rows[0]["registration_number"])
        return accounts_create_bulk(actor=actor, rows=rows)

    monkeypatch.setattr(sales, "accounts_create_bulk", taken)
    before = snapshot()
    result = import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE)
    assert not result.ok
    assert result.errors[0].column == "registration_number"
    assert "Another client already has registration number 13085" in result.errors[0].message
    assert snapshot() == before


def test_check_only_says_what_would_be_created_and_writes_nothing(org, csv_file):
    make_account(owner=None, legal_name="Hearts Ltd", registration_number="13085")
    before = snapshot()
    result = import_sales(
        source=csv_file(EXPORT), actor=org.support_north, options=CREATE, check_only=True
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.checked_only
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert (result.clients_created, result.products_created) == (2, 3)
    assert "(checked only: nothing was written)" in result.summary()
    assert snapshot() == before

    # A check finds the refusals an import would, name collisions included.
    rows = [row[:] for row in EXPORT]
    rows[2][4] = "Hearts Limited"
    result = import_sales(
        source=csv_file(rows), actor=org.support_north, options=CREATE, check_only=True
    )
    assert [(e.line, e.column) for e in result.errors] == [(3, "client_name")]
    assert snapshot() == before


def test_check_only_counts_updates_and_unchanged_lines(org, csv_file):
    assert import_sales(source=csv_file(EXPORT), actor=None, options=CREATE).ok
    rows = [row[:] for row in EXPORT]
    rows[1][12] = "90"
    rows.append(
        ["489438", "1", "2009-12-02", "13090", "New Ltd", "", "", "85048", "", "", "", "1", "1"]
    )
    before = snapshot()
    result = import_sales(source=csv_file(rows), actor=None, options=CREATE, check_only=True)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 3)
    assert (result.clients_created, result.products_created) == (1, 0)
    assert snapshot() == before


def test_only_who_may_import_creates_clients(org, csv_file):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        import_sales(source=csv_file(EXPORT), actor=org.kam_anna, options=CREATE)
    assert snapshot() == before
    assert import_sales(source=csv_file(EXPORT), actor=org.support_north, options=CREATE).ok
    assert Account.objects.count() == 3
