"""The demo's promotion on a small ledger: approved, in the past, with its cost recorded and a
positive uplift against a non-empty control group."""

import random
from datetime import date
from decimal import Decimal

from kam.catalog.services import category_get_or_create
from kam.org.models import Territory
from kam.org.services import territory_get_or_create
from kam.promotions.demo import populate_promotions_demo
from kam.promotions.models import Promotion
from kam.promotions.selectors import promotion_effect
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product, make_sales

TODAY = date(2025, 12, 4)


def test_the_demo_promotion_has_a_measurable_uplift(org):
    segment = territory_get_or_create(name="Clinics", kind=Territory.Kind.SEGMENT)
    product = make_product(category=category_get_or_create(name="Dressings"))
    accounts = [
        make_account(owner=org.kam_anna if i % 2 else org.kam_boris, segment=segment)
        for i in range(8)
    ]
    sales = [
        (a, date(2025, m, 10), Decimal(1000 + 100 * i + 7 * m), Decimal(600 + 60 * i))
        for i, a in enumerate(accounts)
        for m in range(1, 12)
    ]
    make_sales(product=product, sales=sales)
    before = SalesLine.objects.count()
    people = {u.username: u for u in vars(org).values() if hasattr(u, "username")}

    n = populate_promotions_demo(
        rng=random.Random(3), people=people, today=TODAY, start=date(2025, 1, 1)
    )

    assert n == 1
    promotion = Promotion.objects.get()
    assert promotion.status == "approved"
    assert (promotion.starts_on, promotion.ends_on) == (date(2025, 8, 1), date(2025, 10, 31))
    assert promotion.proposed_by == org.head_north
    assert promotion.approved_by == org.director
    assert promotion.accounts.count() == 4
    assert SalesLine.objects.count() == before + 4 * 3  # a line a month for each client
    assert promotion.cost > 0
    assert promotion.budget >= promotion.cost
    effect = promotion_effect(user=org.director, promotion=promotion, as_of=TODAY)
    assert effect.control_size == 4
    assert effect.turnover.vs_control > 0
    assert effect.income.vs_control > 0
    assert effect.turnover.vs_baseline > 0
    assert effect.roi_vs_control > 0


def test_too_short_a_history_writes_nothing(org):
    people = {"director": org.director, "head_north": org.head_north}
    assert (
        populate_promotions_demo(
            rng=random.Random(1), people=people, today=TODAY, start=date(2025, 6, 1)
        )
        == 0
    )
    assert not Promotion.objects.exists()
