"""Builders for the collection tests (AR-2): invoices and payments through the ledger's own
service, so allocations and the balance invariant hold as in production."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from kam.clients.services import contact_create
from kam.receivables.models import SettlementItem
from kam.receivables.services import settlement_post

_numbers = count(1)


def today() -> date:
    return timezone.localdate()


def invoice(account, amount, *, days_overdue: int, issued_days_before: int = 30, number=None):
    """An invoice ``days_overdue`` days past its due date today (negative: not due yet)."""
    due = today() - timedelta(days=days_overdue)
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind=SettlementItem.Kind.INVOICE,
        document_number=number or f"INV-C{next(_numbers):05d}",
        document_date=due - timedelta(days=issued_days_before),
        due_date=due,
        amount=Decimal(amount),
        currency="EUR",
    )


def payment(account, amount, *, on: date | None = None):
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind=SettlementItem.Kind.PAYMENT,
        document_number=f"PAY-C{next(_numbers):05d}",
        document_date=on or today(),
        amount=Decimal(amount),
        currency="EUR",
    )


def contact(account, email="accounts@client.example", **data):
    return contact_create(
        actor=None,
        account=account,
        first_name=data.pop("first_name", "Ilze"),
        last_name=data.pop("last_name", "Bērziņa"),
        email=email,
        **data,
    )
