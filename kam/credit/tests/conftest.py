"""A client of Anna's with a contract (limit 10 000, 30 days) and a valid check, and one of
Sigrid's: the two sides of every scope test."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from kam.clients.models import Account
from kam.receivables.services import settlement_post
from kam.testing import make_account, make_contract, make_credit_check, make_price_column

AS_OF = date(2025, 6, 30)


@dataclass
class Book:
    anna: Account
    sigrid: Account


@pytest.fixture
def book(org):
    column = make_price_column(code="key")
    anna = make_account(
        owner=org.kam_anna, legal_name="Aurora SIA", registration_number="40003000001"
    )
    sigrid = make_account(
        owner=org.kam_sigrid, legal_name="Sud Trade SIA", registration_number="40003000002"
    )
    for acc in (anna, sigrid):
        make_contract(account=acc, column=column, credit_limit="10000", payment_days=30)
        make_credit_check(
            account=acc, checked_on=date(2025, 1, 10), next_review_on=date(2026, 1, 10)
        )
    return Book(anna, sigrid)


def invoice(account, number, on, amount, *, due=None):
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind="invoice",
        document_number=number,
        document_date=on,
        due_date=due or on,
        amount=Decimal(amount),
        currency="EUR",
    )


def payment(account, number, on, amount):
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind="payment",
        document_number=number,
        document_date=on,
        amount=Decimal(amount),
        currency="EUR",
    )
