"""The demo's orders to cash (issue 9 §12): terms, history and debt consistent with the ledger,
and something real on every new page from the first start."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from kam.contracts.models import Contract
from kam.credit.models import CreditCheck
from kam.demo.generator.build import build_demo
from kam.orders.models import DiscrepancyAct, Order, OrderLine, OrderReturn, Shipment
from kam.pricing.models import DiscountRule, Price, PriceColumn
from kam.receivables.models import Allocation, PaymentPromise, SettlementItem
from kam.sales.models import SalesLine

from .test_generator import SCALE, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(scale=SCALE, seed=7, today=TODAY, password="demo-pass-1")
        transaction.set_rollback(True)


def test_a_price_list_with_four_columns_prices_every_product_and_rules(demo):
    columns = PriceColumn.objects.all()
    assert sorted(c.code for c in columns) == ["base", "distributor", "key", "wholesale"]
    assert [c.code for c in columns if c.is_base] == ["base"]
    assert Price.objects.count() == 4 * Price.objects.values("product").distinct().count()
    assert DiscountRule.objects.filter(role="kam").exists()


def test_every_buying_client_has_a_contract_in_force_some_expiring_some_renewed(demo):
    in_force = Contract.objects.filter(status__in=("active", "expiring"))
    buyers = set(SalesLine.objects.values_list("account_id", flat=True))
    assert set(in_force.values_list("account_id", flat=True)) == buyers
    soon = in_force.filter(ends_on__lte=TODAY + timedelta(days=60))
    assert soon.count() >= 3
    renewed = Contract.objects.filter(version=2)
    assert renewed.exists()
    assert all(c.previous.status == "renewed" for c in renewed)


def test_credit_checks_for_every_client_and_a_few_expired(demo):
    checks = CreditCheck.objects.all()
    assert checks.count() == Contract.objects.filter(status__in=("active", "expiring")).count()
    assert checks.filter(next_review_on__lt=TODAY).exists()
    assert checks.filter(next_review_on__gte=TODAY).count() > checks.count() // 2


def test_orders_and_shipments_are_the_ledgers_documents(demo):
    """Every sold document is an order shipped under the document's number, with its lines."""
    ledger = defaultdict(Decimal)
    for doc, revenue in SalesLine.objects.filter(quantity__gt=0).values_list(
        "document_number", "revenue"
    ):
        ledger[doc] += revenue
    shipped = dict(Shipment.objects.values_list("number", "order__total"))
    assert set(shipped) == set(ledger)
    assert all(shipped[doc] == ledger[doc].quantize(Decimal("0.01")) for doc in ledger)
    assert OrderLine.objects.count() == SalesLine.objects.filter(quantity__gt=0).count()
    assert not Order.objects.exclude(status="delivered").exists()


def test_settlements_balance_equals_the_open_items_and_late_payers_owe(demo):
    items = SettlementItem.objects.all()
    assert items.filter(kind="invoice").count() == Shipment.objects.count()
    by_client = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for account_id, amount, open_amount in items.values_list("account_id", "amount", "open_amount"):
        by_client[account_id][0] += amount
        by_client[account_id][1] += open_amount
    assert all(a == o for a, o in by_client.values())
    for item in items.filter(kind="invoice").exclude(open_amount=0)[:50]:
        allocated = sum(a.amount for a in Allocation.objects.filter(debit=item))
        assert item.open_amount == item.amount - allocated
    overdue = items.filter(kind="invoice", open_amount__gt=0, due_date__lt=TODAY)
    assert overdue.values("account").distinct().count() >= 1
    assert items.filter(kind="payment").exists()


def test_a_broken_promise_returns_with_reasons_and_one_discrepancy_act(demo):
    assert PaymentPromise.objects.filter(status="broken").exists()
    assert OrderReturn.objects.exists()
    assert not OrderReturn.objects.filter(returned_on__lt=models_shipped_on()).exists()
    assert DiscrepancyAct.objects.count() == 1


def models_shipped_on():
    from django.db.models import F

    return F("shipment__shipped_on")
