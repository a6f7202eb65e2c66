"""The pay demo on a small ledger: two schemes, everyone's statements, the older locked."""

import random
from datetime import date

import pytest

from kam.pay.demo import populate_pay_demo
from kam.pay.models import PayScheme, PayStatement, SchemeAssignment
from kam.pay.tests.conftest import invoice, payment, plan, sale
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db


def test_populate_pay_demo(org):
    product = make_product()
    anna = make_account(owner=org.kam_anna)
    boris = make_account(owner=org.kam_boris)
    for m in range(6, 12):
        on = date(2026, m, 10)
        sale(anna, product, on, "30000", f"A-{m}")
        sale(boris, product, on, "8000", f"B-{m}", cost="5000")
        invoice(boris, f"B-{m}", on, "8000")
        payment(boris, f"P-{m}", date(2026, m, 25), "8000", to=f"B-{m}")
        plan(org.kam_anna, f"2026-{m:02d}", turnover="40000", active=1)
    people = {
        u.username: u
        for u in (
            org.director,
            org.head_north,
            org.regional_north,
            org.kam_anna,
            org.kam_boris,
            org.head_south,
            org.kam_sigrid,
        )
    }
    n = populate_pay_demo(
        rng=random.Random(3), people=people, today=date(2026, 12, 4), start=date(2025, 1, 1)
    )
    assert n == 3 * 6  # three KAMs, June..November
    assert PayScheme.objects.count() == 2
    assert SchemeAssignment.objects.count() == 3
    assert set(SchemeAssignment.objects.values_list("scheme__earned_on", flat=True)) == {
        "invoiced",
        "paid",
    }
    statuses = dict(
        PayStatement.objects.filter(person=org.kam_anna).values_list("period_code", "status")
    )
    assert statuses == {
        "2026-06": "locked",
        "2026-07": "locked",
        "2026-08": "locked",
        "2026-09": "locked",
        "2026-10": "approved",
        "2026-11": "approved",
    }
    # Anna's head approved hers (the regional manager may not approve).
    assert set(
        PayStatement.objects.filter(person=org.kam_anna).values_list(
            "approved_by__username", flat=True
        )
    ) == {"head_north"}
    anna_nov = PayStatement.objects.get(person=org.kam_anna, period_code="2026-11")
    if anna_nov.scheme.earned_on == "invoiced":
        # 12 % of 30 000; turnover 75 % of plan: cut 50 %.
        assert (anna_nov.commission, anna_nov.cuts) == (3600, 1800)
    else:
        # Anna's invoices are never paid in the demo's ledger: nothing earned on paid income.
        assert anna_nov.commission == 0
    assert all(s.total == s.fixed + s.variable for s in PayStatement.objects.all())
