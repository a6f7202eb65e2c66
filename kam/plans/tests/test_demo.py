"""The demo's plans: 24 months at most, from the ledger's fact, splits that add up."""

import random
from datetime import date
from decimal import Decimal as D

from kam.core.models import AuditEntry
from kam.org.models import User
from kam.plans.demo import populate_plans_demo
from kam.plans.models import Plan
from kam.plans.rules import split_check
from kam.plans.selectors import plan_values
from kam.testing import make_account, make_product, make_sales


def test_demo_plans_follow_the_fact_and_add_up(org):
    product = make_product()
    anna = make_account(owner=org.kam_anna)
    sigrid = make_account(owner=org.kam_sigrid)
    make_sales(
        product=product,
        sales=[
            (anna, date(2026, 9, 3), "1000", "600"),
            (anna, date(2026, 10, 3), "2000", "900"),
            (sigrid, date(2026, 10, 8), "500", "100"),
        ],
    )
    people = {u.username: u for u in User.objects.all()}
    n = populate_plans_demo(
        rng=random.Random(7), people=people, today=date(2026, 10, 20), start=date(2026, 9, 1)
    )
    # Two months x (company + Sales, North, North-Pharma, South + three KAMs).
    assert n == 2 * 8 == Plan.objects.count()
    october = Plan.objects.filter(starts_on=date(2026, 10, 1))
    anna_plan = october.get(person=org.kam_anna)
    assert D("1700") <= anna_plan.turnover <= D("2300") and anna_plan.turnover % 100 == 0
    assert anna_plan.parent.department == org.north
    company = october.get(level="company")
    assert all(
        g.difference == 0
        for g in split_check(
            plan_values(company), [plan_values(c) for c in company.children.all()]
        ).values()
        if g.difference is not None
    )
    assert AuditEntry.objects.filter(entity="plans.plan").count() >= n
    # Same rng, same plans.
    before = sorted(Plan.objects.values_list("person_id", "starts_on", "turnover"), key=str)
    Plan.objects.update(parent=None)
    Plan.objects.all().delete()
    populate_plans_demo(
        rng=random.Random(7), people=people, today=date(2026, 10, 20), start=date(2026, 9, 1)
    )
    assert sorted(Plan.objects.values_list("person_id", "starts_on", "turnover"), key=str) == before
