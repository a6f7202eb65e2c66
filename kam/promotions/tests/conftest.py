"""A small ledger with known numbers (all in EUR): programme Mar-Apr 2025 over product P for
Anna's clients A1 and A2 (pre-period Jan-Feb), three similar clients of Anna's in the same
segment (the control group), one too large and one in another segment (left out), and a
client of Sigrid's. Every cost is 60 % of the revenue.

    month   A1, A2 each   C1, C2    C3     C4 (too large)   C5 (other segment)
    Jan         90          200     200        500               200
    Feb        110          200     200        500               200
    Mar        150          220     220        500               220
    Apr        150          210     211        500               210
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from kam.catalog.services import category_get_or_create
from kam.clients.models import Account
from kam.org.models import Territory
from kam.org.services import territory_get_or_create
from kam.promotions.services import promotion_propose
from kam.testing import make_account, make_product, make_sales

JAN, FEB, MAR, APR = (date(2025, m, 10) for m in (1, 2, 3, 4))
MONTHS = (JAN, FEB, MAR, APR)


@dataclass
class Book:
    segment: Territory
    other_segment: Territory
    p: object
    q: object
    a1: Account
    a2: Account
    c1: Account
    c2: Account
    c3: Account
    c4: Account
    c5: Account
    s1: Account


def _sales(account, amounts):
    return [
        (account, day, Decimal(amount), Decimal(amount) * Decimal("0.6"))
        for day, amount in zip(MONTHS, amounts, strict=True)
    ]


@pytest.fixture
def book(org):
    segment = territory_get_or_create(name="Hospitals", kind=Territory.Kind.SEGMENT)
    other = territory_get_or_create(name="Pharmacies", kind=Territory.Kind.SEGMENT)
    medical = category_get_or_create(name="Medical")
    p = make_product(sku="P-1", name="Syringes", category=medical)
    q = make_product(sku="Q-1", name="Gloves", category=category_get_or_create(name="Other"))

    def acc(name, owner=org.kam_anna, seg=segment):
        return make_account(owner=owner, legal_name=name, segment=seg)

    b = Book(
        segment,
        other,
        p,
        q,
        acc("A1 SIA"),
        acc("A2 SIA"),
        acc("C1 SIA"),
        acc("C2 SIA"),
        acc("C3 SIA"),
        acc("C4 SIA"),
        acc("C5 SIA", seg=other),
        acc("S1 SIA", owner=org.kam_sigrid),
    )
    sales = []
    for a in (b.a1, b.a2):
        sales += _sales(a, (90, 110, 150, 150))
    for c in (b.c1, b.c2):
        sales += _sales(c, (200, 200, 220, 210))
    sales += _sales(b.c3, (200, 200, 220, 211))
    sales += _sales(b.c4, (500, 500, 500, 500))
    sales += _sales(b.c5, (200, 200, 220, 210))
    make_sales(product=p, sales=sales)
    # Another product: outside the programme, but counted in the pre-period turnover band.
    make_sales(product=q, sales=[(b.s1, JAN, Decimal("100"), Decimal("50"))])
    return b


def propose(actor, book, **over):
    data = {
        "name": "Spring syringes",
        "kind": "extra_discount",
        "starts_on": date(2025, 3, 1),
        "ends_on": date(2025, 4, 30),
        "budget": Decimal("1000"),
        "products": [book.p.pk],
        "accounts": [book.a1.pk, book.a2.pk],
    }
    data.update(over)
    return promotion_propose(actor=actor, **data)
