"""The settlements invariant (AR-1), over random sequences with Hypothesis: a client's balance
= the sum of its items' amounts = the sum of their open amounts, always and as of every day,
and no open amount ever leaves [0, amount] (or [amount, 0] for a credit)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.receivables.ageing import age
from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.selectors import client_ageing, open_items
from kam.receivables.services import allocation_undo, payment_allocate
from kam.receivables.tests.factories import post
from kam.testing import make_account

START = date(2025, 1, 1)
cents = st.integers(min_value=1, max_value=500_00).map(lambda c: Decimal(c) / 100)
day = st.integers(min_value=0, max_value=120)
pick = st.integers(min_value=0, max_value=50)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), cents, day, st.integers(0, 60)),
        st.tuples(
            st.sampled_from(["payment", "credit_note", "return"]),
            cents,
            day,
            st.one_of(st.none(), pick),
        ),
        st.tuples(st.just("allocate"), pick, pick, st.integers(1, 100)),
        st.tuples(st.just("undo"), pick, st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


def _check_now(account) -> None:
    items = list(SettlementItem.objects.filter(account=account))
    assert sum((i.amount for i in items), Decimal(0)) == sum(
        (i.open_amount for i in items), Decimal(0)
    )
    for i in items:
        lo, hi = sorted((Decimal(0), i.amount))
        assert lo <= i.open_amount <= hi, i


def _check_as_of(user, account, on: date) -> None:
    items = list(SettlementItem.objects.filter(account=account, document_date__lte=on))
    amounts = {i.pk: i.amount for i in items}
    found = open_items(user=user, account=account, as_of=on)
    for o in found:
        lo, hi = sorted((Decimal(0), amounts[o.item.pk]))
        assert lo <= o.open_amount <= hi, (on, o)
    total = sum(amounts.values(), Decimal(0))
    assert sum((o.open_amount for o in found), Decimal(0)) == total
    sql = client_ageing(user=user, account=account, as_of=on)
    pure = age([(o.item.due_date, o.open_amount) for o in found], on)
    assert sql == pure
    assert sql.balance == total


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=ops)
def test_balance_equals_open_items_after_any_sequence(org, sequence):
    account = make_account(owner=org.kam_anna, department=org.north)
    posted: list[SettlementItem] = []
    for op, a, b, c in sequence:
        if op == "invoice":
            posted.append(post(account, "invoice", a, START + timedelta(days=b), due_days=c))
        elif op in {"payment", "credit_note", "return"}:
            invoices = [p for p in posted if p.kind == "invoice"]
            target = (
                invoices[c % len(invoices)].document_number if c is not None and invoices else ""
            )
            posted.append(post(account, op, a, START + timedelta(days=b), allocate_to=target))
        elif op == "allocate" and posted:
            credit = SettlementItem.objects.get(pk=posted[a % len(posted)].pk)
            invoice = SettlementItem.objects.get(pk=posted[b % len(posted)].pk)
            if credit.kind == "invoice" or invoice.kind != "invoice":
                continue
            room = min(invoice.open_amount, -credit.open_amount)
            amount = (room * c / 100).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            on = max(credit.document_date, invoice.document_date) + timedelta(
                days=d if (d := c % 31) else 0
            )
            payment_allocate(actor=org.credit, credit=credit, invoice=invoice, amount=amount, on=on)
        elif op == "undo":
            allocations = list(Allocation.objects.filter(debit__account=account).order_by("pk"))
            if allocations:
                allocation_undo(actor=org.credit, allocation=allocations[a % len(allocations)])
        _check_now(account)
    days = {START - timedelta(days=1), START + timedelta(days=200)}
    days |= {i.document_date for i in SettlementItem.objects.filter(account=account)}
    days |= {x.allocated_on for x in Allocation.objects.filter(debit__account=account)}
    days |= {d - timedelta(days=1) for d in list(days)}
    for on in sorted(days):
        _check_as_of(org.credit, account, on)
