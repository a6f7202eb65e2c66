"""Property (AR-1): whatever open items and payments come in, in whatever order and in however
many files (partly paid invoices, payments naming an invoice or not, overpayments, payments
taking an ERP settlement's place), every client's balance = the sum of its items' amounts = the
sum of their open amounts, each invoice's open amount is its amount less what is allocated to
it, and no allocation is larger than what its payment brought."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.services_import import (
    ImportedInvoice,
    ImportedPayment,
    settlements_import_invoices,
    settlements_import_payments,
)
from kam.testing import make_account

START = date(2026, 1, 1)
money = st.integers(min_value=1, max_value=200_000)  # cents

invoice = st.tuples(money, st.integers(0, 100), st.integers(0, 60))  # amount, % open, day
payment = st.tuples(money, st.integers(-1, 7), st.integers(0, 90))  # amount, invoice #, day


def _d(cents: int) -> Decimal:
    return Decimal(cents) / 100


class TestSettlementsStayBalanced(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        batches=st.lists(
            st.one_of(
                st.tuples(st.just("i"), st.lists(invoice, min_size=1, max_size=4)),
                st.tuples(st.just("p"), st.lists(payment, min_size=1, max_size=4)),
            ),
            min_size=1,
            max_size=5,
        )
    )
    def test_balance_is_the_sum_of_open_items(self, batches):
        account = make_account(owner=None)
        numbers: list[str] = []
        for b, (kind, rows) in enumerate(batches):
            if kind == "i":
                items = []
                for n, (cents, share, day) in enumerate(rows):
                    number = f"I{account.pk}-{b}-{n}"
                    amount = _d(cents)
                    on = START + timedelta(days=day)
                    items.append(
                        ImportedInvoice(
                            account_id=account.pk,
                            document_number=number,
                            document_date=on,
                            due_date=on + timedelta(days=30),
                            amount=amount,
                            open_amount=(amount * share / 100).quantize(Decimal("0.01")),
                            currency="EUR",
                            document_amount=amount,
                        )
                    )
                    numbers.append(number)
                settlements_import_invoices(actor=None, invoices=items)
            else:
                items = [
                    ImportedPayment(
                        account_id=account.pk,
                        document_number=f"P{account.pk}-{b}-{n}",
                        document_date=START + timedelta(days=day),
                        amount=_d(cents),
                        currency="EUR",
                        document_amount=_d(cents),
                        invoice=numbers[which] if 0 <= which < len(numbers) else "",
                    )
                    for n, (cents, which, day) in enumerate(rows)
                ]
                settlements_import_payments(actor=None, payments=items)

        rows = SettlementItem.objects.filter(account=account)
        # Summed in Python: SQLite's SUM over decimals is floating point (docs/architecture.md).
        assert sum(r.amount for r in rows) == sum(r.open_amount for r in rows)
        for item in rows:
            allocated_in = sum(a.amount for a in Allocation.objects.filter(debit=item))
            allocated_out = sum(a.amount for a in Allocation.objects.filter(credit=item))
            if item.kind == SettlementItem.Kind.INVOICE:
                assert item.open_amount == item.amount - allocated_in
                assert not allocated_out
            else:
                assert item.open_amount == item.amount + allocated_out
                assert 0 >= item.open_amount >= item.amount
