"""Test personas and builders shared by every app's tests.

The personas (SE-1 needs two users in every permission test):

    director          Dora Director      sees everything
    head_north        Hugo Head          head of "North" (and its sub-department "North-Pharma")
    regional_north    Rita Regional      regional manager over kam_anna and kam_boris
    kam_anna          Anna Kam           KAM in North
    kam_boris         Boris Kam          KAM in North-Pharma
    support_north     Sam Support        sales support of North
    head_south        Hanna Head         head of "South"
    kam_sigrid        Sigrid Kam         KAM in South
    credit            Carl Credit        credit controller (sees all clients)

State is built through services, so audit rows and invariants hold as in production.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import count

from openpyxl import load_workbook

from kam.catalog.models import Product
from kam.catalog.services import category_get_or_create, product_create
from kam.clients.models import Account
from kam.clients.services import account_create
from kam.core.tables import CONTENT_TYPES
from kam.org.models import Department, Role, User
from kam.org.services import department_create, user_create
from kam.sales.services import LedgerLine, sales_lines_write

PASSWORD = "kam-test-password"
_seq = count(1)


@dataclass
class Org:
    root: Department
    north: Department
    north_pharma: Department
    south: Department
    director: User
    head_north: User
    regional_north: User
    kam_anna: User
    kam_boris: User
    support_north: User
    head_south: User
    kam_sigrid: User
    credit: User


def _person(username, role, first, last, **kw) -> User:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        first_name=first,
        last_name=last,
        **kw,
    )


def build_org() -> Org:
    root = department_create(actor=None, name="Sales")
    north = department_create(actor=None, name="North", parent=root)
    north_pharma = department_create(actor=None, name="North-Pharma", parent=north)
    south = department_create(actor=None, name="South", parent=root)
    director = _person("director", Role.DIRECTOR, "Dora", "Director", department=root)
    head_north = _person(
        "head_north", Role.HEAD, "Hugo", "Head", department=north, manager=director
    )
    regional = _person(
        "regional_north", Role.REGIONAL, "Rita", "Regional", department=north, manager=head_north
    )
    anna = _person("kam_anna", Role.KAM, "Anna", "Kam", department=north, manager=regional)
    boris = _person(
        "kam_boris", Role.KAM, "Boris", "Kam", department=north_pharma, manager=regional
    )
    support = _person("support_north", Role.SUPPORT, "Sam", "Support", department=north)
    head_south = _person(
        "head_south", Role.HEAD, "Hanna", "Head", department=south, manager=director
    )
    sigrid = _person("kam_sigrid", Role.KAM, "Sigrid", "Kam", department=south, manager=head_south)
    credit = _person("credit", Role.CREDIT, "Carl", "Credit", department=root)
    return Org(
        root,
        north,
        north_pharma,
        south,
        director,
        head_north,
        regional,
        anna,
        boris,
        support,
        head_south,
        sigrid,
        credit,
    )


def make_account(*, owner: User | None, legal_name: str | None = None, **data) -> Account:
    n = next(_seq)
    return account_create(
        actor=None,
        legal_name=legal_name or f"Client {n} SIA",
        registration_number=data.pop("registration_number", f"4000{n:07d}"),
        owner=owner,
        **data,
    )


def make_product(*, sku: str | None = None, cost: Decimal = Decimal("10"), **data) -> Product:
    n = next(_seq)
    return product_create(
        actor=None,
        sku=sku or f"SKU-{n:05d}",
        name=data.pop("name", f"Product {n}"),
        category=data.pop("category", category_get_or_create(name="General")),
        standard_cost=cost,
        **data,
    )


def make_sale(
    *,
    account: Account,
    product: Product,
    on: date,
    revenue: Decimal | str,
    cost: Decimal | str,
    quantity: Decimal | str | None = None,
    currency: str = "EUR",
    document: str | None = None,
    line: int = 1,
) -> None:
    """One ledger line; without a quantity, one unit sold, or returned when the revenue is
    negative (the ledger refuses a positive quantity with a negative revenue)."""
    if quantity is None:
        quantity = "-1" if Decimal(revenue) < 0 else "1"
    sales_lines_write(
        actor=None,
        lines=[
            LedgerLine(
                date=on,
                account_id=account.pk,
                product_id=product.pk,
                quantity=Decimal(quantity),
                revenue=Decimal(revenue),
                cost=Decimal(cost),
                currency=currency,
                document_number=document or f"INV-{next(_seq):07d}",
                line_number=line,
            )
        ],
        source="test",
    )


def make_sales(*, product: Product, sales) -> None:
    """Many sales in one ledger write (one refresh of the derived tables, as an import does):
    ``sales`` holds (account, day, revenue, cost) in EUR, one unit each (returned when the
    revenue is negative)."""
    sales_lines_write(
        actor=None,
        lines=[
            LedgerLine(
                date=on,
                account_id=account.pk,
                product_id=product.pk,
                quantity=Decimal(-1 if Decimal(revenue) < 0 else 1),
                revenue=Decimal(revenue),
                cost=Decimal(cost),
                currency="EUR",
                document_number=f"MANY-{next(_seq):07d}",
                line_number=1,
            )
            for account, on, revenue, cost in sales
        ],
        source="test",
    )


# Orders to cash (issue 9): the terms an order needs. Rows are written directly, as a data
# migration would, so the apps above (orders, credit) can be tested apart from the pricing and
# contract pages.


def make_price_column(*, code: str = "key", price_list=None, is_base: bool = False, **data):
    from kam.pricing.models import PriceColumn, PriceList

    if price_list is None:
        price_list, _ = PriceList.objects.get_or_create(name="Price list", defaults={})
    return PriceColumn.objects.create(
        price_list=price_list,
        code=code,
        name=data.pop("name", code.title()),
        is_base=is_base,
        **data,
    )


def make_price(*, column, product, price, valid_from=date(2000, 1, 1), valid_to=None):
    from kam.pricing.models import Price

    return Price.objects.create(
        column=column,
        product=product,
        price=Decimal(price),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def make_contract(
    *,
    account,
    column,
    credit_limit: Decimal | str = "10000",
    payment_days: int = 30,
    starts_on: date = date(2024, 1, 1),
    ends_on: date | None = None,
    status: str = "active",
    **data,
):
    from kam.contracts.models import Contract

    return Contract.objects.create(
        account=account,
        number=data.pop("number", f"C-{next(_seq):05d}"),
        price_column=column,
        credit_limit=Decimal(credit_limit),
        payment_days=payment_days,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        **data,
    )


def make_credit_check(
    *,
    account,
    checked_on: date = date(2024, 1, 1),
    next_review_on: date = date(2030, 1, 1),
    result: str = "approved",
):
    from kam.credit.models import CreditCheck

    return CreditCheck.objects.create(
        account=account,
        checked_on=checked_on,
        method=CreditCheck.Method.AGENCY,
        result=result,
        next_review_on=next_review_on,
    )


# --- downloads (kam.core.tables) --------------------------------------------------------------


def csv_rows(response) -> list[dict]:
    """A CSV download's rows by header, after checking it is one."""
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["csv"]
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[dict]:
    """An XLSX download's first sheet's rows by header, after checking it is one."""
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]
