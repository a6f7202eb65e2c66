"""The ledger's writes keep its bounds (issue 7 §2): dates within the company's history and a
month or so ahead, amounts within what the radar's arithmetic holds, returns that look like
returns; and when a line moves or goes, the derived tables are what a full rebuild gives."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kam.core.bounds import LEDGER_FUTURE_DAYS, MAX_AMOUNT
from kam.core.services import company_settings_update, currency_rate_set
from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine
from kam.sales.services import (
    LedgerLine,
    client_month_refresh,
    sales_lines_delete,
    sales_lines_write,
)
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db


def line(account, product, **kw) -> LedgerLine:
    values = {
        "date": date(2026, 3, 2),
        "account_id": account.pk,
        "product_id": product.pk,
        "quantity": D("1"),
        "revenue": D("100.00"),
        "cost": D("60.00"),
        "currency": "EUR",
        "document_number": "INV-1",
        "line_number": 1,
    }
    values.update(kw)
    return LedgerLine(**values)


def refused(account, product, **kw) -> dict[str, list[str]]:
    """The errors ``sales_lines_write`` refuses the line with; nothing was written."""
    lines, rows = SalesLine.objects.count(), ClientRunningTotal.objects.count()
    with pytest.raises(ValidationError) as exc:
        sales_lines_write(actor=None, lines=[line(account, product, **kw)], source="test")
    assert SalesLine.objects.count() == lines
    assert ClientRunningTotal.objects.count() == rows
    return exc.value.message_dict


@pytest.fixture
def client_and_product(org):
    return make_account(owner=org.kam_anna), make_product()


@pytest.mark.parametrize("day", [date(2999, 1, 1), date(1900, 1, 1), date(1, 1, 1)])
def test_a_line_dated_far_outside_the_history_is_refused(client_and_product, day):
    account, product = client_and_product
    errors = refused(account, product, date=day)
    assert f"{day.isoformat()} is outside the allowed dates" in errors["date"][0]
    assert "INV-1/1" in errors["date"][0]  # which line of the batch


def test_the_ledger_reaches_a_month_ahead_and_back_to_the_history_start(client_and_product):
    account, product = client_and_product
    latest = timezone.localdate() + timedelta(days=LEDGER_FUTURE_DAYS)
    sales_lines_write(actor=None, lines=[line(account, product, date=latest)], source="t")
    sales_lines_write(
        actor=None, lines=[line(account, product, date=date(2000, 1, 1), line_number=2)]
    )
    assert SalesLine.objects.count() == 2
    refused(account, product, date=latest + timedelta(days=1), document_number="INV-2")
    refused(account, product, date=date(1999, 12, 31), document_number="INV-3")


def test_the_history_start_is_the_companys_setting(org, client_and_product):
    account, product = client_and_product
    company_settings_update(actor=org.director, history_starts_on=date(2020, 1, 1))
    errors = refused(account, product, date=date(2019, 12, 31))
    assert "2020-01-01" in errors["date"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("revenue", D("9999999999999.99")),
        ("revenue", -MAX_AMOUNT - D("0.01")),
        ("cost", MAX_AMOUNT + D("0.01")),
        ("quantity", MAX_AMOUNT + 1),
    ],
)
def test_an_amount_beyond_the_bound_is_refused_and_the_error_names_the_limit(
    client_and_product, field, value
):
    account, product = client_and_product
    kw = {field: value}
    if field == "quantity":
        kw["revenue"] = MAX_AMOUNT  # keep the unit price small: only the quantity is wrong
    errors = refused(account, product, **kw)
    assert "999999999.99" in errors[field][0]


def test_the_amount_in_the_base_currency_is_bounded_after_conversion(org, client_and_product):
    account, product = client_and_product
    currency_rate_set(actor=None, currency="XAU", valid_from=date(2020, 1, 1), rate=D("1000"))
    errors = refused(account, product, currency="XAU", revenue=D("5000000"), cost=D("1"))
    assert "base currency" in errors["revenue"][0]
    assert "999999999.99" in errors["revenue"][0]


def test_the_unit_price_is_bounded(client_and_product):
    account, product = client_and_product
    errors = refused(account, product, quantity=D("0.001"), revenue=D("900000000"))
    assert "unit price" in errors["revenue"][0]


def test_a_line_the_bound_accepts_is_written(client_and_product):
    account, product = client_and_product
    sales_lines_write(
        actor=None,
        lines=[
            line(account, product, revenue=MAX_AMOUNT, cost=MAX_AMOUNT),
            line(account, product, quantity=D(-1), revenue=-MAX_AMOUNT, cost=D(0), line_number=2),
        ],
    )
    assert sorted(SalesLine.objects.values_list("revenue", flat=True)) == [-MAX_AMOUNT, MAX_AMOUNT]


def test_a_negative_quantity_with_positive_revenue_and_an_all_zero_line_are_refused(
    client_and_product,
):
    account, product = client_and_product
    errors = refused(account, product, quantity=D("-2"), revenue=D("50"), cost=D("-20"))
    assert "return" in errors["revenue"][0]
    errors = refused(account, product, quantity=D("3"), revenue=D("-50"), cost=D("20"))
    assert "a sale (positive quantity)" in errors["revenue"][0]
    errors = refused(account, product, quantity=D("0"), revenue=D("0"), cost=D("0"))
    assert "nothing" in errors["quantity"][0]


def test_a_return_a_free_line_and_a_price_correction_are_accepted(client_and_product):
    account, product = client_and_product
    sales_lines_write(
        actor=None,
        lines=[
            line(account, product, quantity=D("-2"), revenue=D("-50"), cost=D("-20")),
            line(account, product, quantity=D("1"), revenue=D("0"), cost=D("5"), line_number=2),
            # A credit note without goods (a rebate): no quantity, a negative amount.
            line(account, product, quantity=D("0"), revenue=D("-10"), cost=D("0"), line_number=3),
        ],
    )
    assert SalesLine.objects.count() == 3


def test_a_control_character_in_the_document_number_is_refused(client_and_product):
    account, product = client_and_product
    errors = refused(account, product, document_number="INV\x001")
    assert "U+0000" in errors["document_number"][0]


# --- derived rows follow a line that moves ------------------------------------------------------


def derived() -> tuple[list, list, list]:
    return (
        sorted(ClientMonth.objects.values_list("account", "month", "revenue", "cost", "lines")),
        sorted(
            ClientRunningTotal.objects.values_list(
                "account", "month", "revenue_cents", "cost_cents"
            )
        ),
        sorted(FirstPurchase.objects.values_list("account", "product", "first_date")),
    )


def rebuilt() -> tuple[list, list, list]:
    client_month_refresh(account_ids=None)
    return derived()


@pytest.fixture
def two_clients(org):
    a, b, p = make_account(owner=org.kam_anna), make_account(owner=org.kam_boris), make_product()
    make_sale(account=a, product=p, on=date(2026, 1, 15), revenue="10", cost="1", document="A")
    make_sale(account=b, product=p, on=date(2026, 3, 20), revenue="20", cost="2", document="B")
    return a, b, p


def test_after_the_date_is_corrected_the_derived_tables_equal_a_full_rebuild(two_clients):
    a, b, p = two_clients
    # A line typed into the latest allowed month stretches every client's running totals to it.
    far = timezone.localdate() + timedelta(days=LEDGER_FUTURE_DAYS)
    make_sale(account=a, product=p, on=far, revenue="5", cost="1", document="TYPO")
    assert ClientRunningTotal.objects.filter(account=b, month=far.replace(day=1)).exists()

    make_sale(account=a, product=p, on=date(2026, 2, 3), revenue="5", cost="1", document="TYPO")

    after = derived()
    assert max(m for _, m, *_ in after[1]) == date(2026, 3, 1)  # the horizon came back
    assert after == rebuilt()


def test_after_a_line_moves_to_another_client_the_derived_tables_equal_a_full_rebuild(
    two_clients,
):
    a, b, p = two_clients
    make_sale(account=b, product=p, on=date(2026, 1, 15), revenue="10", cost="1", document="A")
    after = derived()
    assert not ClientMonth.objects.filter(account=a).exists()
    assert not FirstPurchase.objects.filter(account=a).exists()
    assert after == rebuilt()


def test_after_a_line_is_deleted_the_derived_tables_equal_a_full_rebuild(org, two_clients):
    a, _b, p = two_clients
    make_sale(account=a, product=p, on=date(2026, 6, 1), revenue="5", cost="1", document="LATE")
    deleted = sales_lines_delete(actor=org.director, keys=[("LATE", 1), ("NONE", 9)])
    assert deleted == 1
    after = derived()
    assert max(m for _, m, *_ in after[1]) == date(2026, 3, 1)
    assert after == rebuilt()


def test_only_who_may_import_deletes_ledger_lines(org, two_clients):
    with pytest.raises(PermissionDenied):
        sales_lines_delete(actor=org.kam_anna, keys=[("A", 1)])
    assert SalesLine.objects.filter(document_number="A").exists()
    assert sales_lines_delete(actor=org.support_north, keys=[("A", 1)]) == 1


def test_the_database_holds_the_amount_bound_whoever_writes(client_and_product):
    account, product = client_and_product
    sales_lines_write(actor=None, lines=[line(account, product)])
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesLine.objects.update(revenue_base=MAX_AMOUNT + D("0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesLine.objects.update(quantity=-MAX_AMOUNT - 1)
    assert SalesLine.objects.get().revenue_base == D("100.00")


def test_amounts_are_stored_in_cents_and_thousandths_on_every_database(client_and_product):
    account, product = client_and_product
    sales_lines_write(
        actor=None,
        lines=[
            line(account, product, quantity=D("1.23456"), revenue=D("12.3456"), cost=D("0.005"))
        ],
    )
    stored = SalesLine.objects.values_list("quantity", "revenue", "cost").get()
    assert stored == (D("1.235"), D("12.35"), D("0.01"))
