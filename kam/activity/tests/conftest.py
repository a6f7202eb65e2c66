"""A small book for the schedule's tests: Anna's clients Aurora (two contacts) and Birch,
Boris's client Cedar, Sigrid's client Sud. Sales make the radar judge them at company level
(income over rolling 12 months to 30 June 2025, company total 9 500): Aurora 2 500 (26 %:
critical), Birch 1 500 (16 %: key), Sud 5 000 (53 %: critical), Cedar 500 (5 %: not key)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from kam.clients.models import Account, Contact
from kam.clients.services import contact_create
from kam.testing import make_account, make_product, make_sales

AS_OF = date(2025, 6, 30)


@dataclass
class Book:
    aurora: Account
    birch: Account
    cedar: Account
    sud: Account
    ilze: Contact
    juris: Contact
    sud_contact: Contact


@pytest.fixture
def book(org):
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora SIA", registration_number="40001")
    birch = make_account(owner=org.kam_anna, legal_name="Birch SIA", registration_number="40002")
    cedar = make_account(owner=org.kam_boris, legal_name="Cedar SIA", registration_number="40003")
    sud = make_account(owner=org.kam_sigrid, legal_name="Sud SIA", registration_number="40004")
    ilze = contact_create(actor=None, account=aurora, first_name="Ilze", last_name="Ozola")
    juris = contact_create(actor=None, account=aurora, first_name="Juris", last_name="Kalns")
    sud_contact = contact_create(actor=None, account=sud, first_name="Sven", last_name="Sud")
    product = make_product()
    on = date(2025, 3, 10)
    make_sales(
        product=product,
        sales=[
            (aurora, on, "3500", "1000"),
            (birch, on, "2500", "1000"),
            (cedar, on, "1500", "1000"),
            (sud, on, "6000", "1000"),
        ],
    )
    return Book(aurora, birch, cedar, sud, ilze, juris, sud_contact)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
