"""The ledger's derived tables stay true to the ledger on every write: the running totals
(``ClientRunningTotal``) give any period's sum by one subtraction, and ``FirstPurchase`` holds
each client's first purchase of each product."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase
from kam.sales.selectors import add_months, running_totals_sql
from kam.sales.services import client_month_refresh
from kam.testing import make_account, make_product, make_sale

JAN = date(2026, 1, 1)


def totals_at(month: date) -> dict[int, tuple[int, int]]:
    sql, params = running_totals_sql(month)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {a: (r, c) for a, r, c, _u in cur.fetchall()}


def period_cents(account_id: int, first: date, last: date) -> tuple[int, int]:
    """Revenue and cost over first..last from two points of the running totals."""
    end = totals_at(last).get(account_id, (0, 0))
    before = totals_at(add_months(first, -1)).get(account_id, (0, 0))
    return end[0] - before[0], end[1] - before[1]


def roll_up_cents(account_id: int, first: date, last: date) -> tuple[int, int]:
    sums = ClientMonth.objects.filter(
        account_id=account_id, month__gte=first, month__lte=last
    ).aggregate(r=Sum("revenue"), c=Sum("cost"))
    return tuple(round(D(str(sums[k] or 0)) * 100) for k in ("r", "c"))


@pytest.mark.django_db
def test_months_without_sales_repeat_the_totals_up_to_the_horizon():
    a, b, p = make_account(owner=None), make_account(owner=None), make_product()
    make_sale(account=a, product=p, on=date(2026, 1, 15), revenue="100.10", cost="60", line=1)
    make_sale(account=a, product=p, on=date(2026, 3, 2), revenue="50.05", cost="20", line=2)
    make_sale(account=b, product=p, on=date(2026, 2, 9), revenue="1", cost="0", line=3)

    def rows(account):
        return list(
            ClientRunningTotal.objects.filter(account=account)
            .order_by("month")
            .values_list("month", "revenue_cents", "cost_cents")
        )

    assert rows(a) == [
        (date(2026, 1, 1), 10010, 6000),
        (date(2026, 2, 1), 10010, 6000),
        (date(2026, 3, 1), 15015, 8000),
    ]
    # b stopped buying in February: carried forward to the horizon (March), from its first month.
    assert rows(b) == [(date(2026, 2, 1), 100, 0), (date(2026, 3, 1), 100, 0)]
    # After the horizon the totals hold; before a client's first month there are none.
    assert totals_at(date(2026, 9, 1)) == {a.pk: (15015, 8000), b.pk: (100, 0)}
    assert totals_at(date(2026, 1, 1)) == {a.pk: (10010, 6000)}
    assert totals_at(date(2025, 12, 1)) == {}
    assert period_cents(a.pk, date(2026, 2, 1), date(2026, 3, 1)) == (5005, 2000)
    assert period_cents(a.pk, date(2026, 4, 1), date(2026, 12, 1)) == (0, 0)


@pytest.mark.django_db
def test_a_sale_in_a_new_month_carries_every_client_forward():
    a, b, p = make_account(owner=None), make_account(owner=None), make_product()
    make_sale(account=a, product=p, on=date(2026, 1, 15), revenue="10", cost="1", line=1)
    make_sale(account=b, product=p, on=date(2026, 1, 20), revenue="20", cost="2", line=2)
    make_sale(account=a, product=p, on=date(2026, 4, 1), revenue="5", cost="1", line=3)

    b_months = ClientRunningTotal.objects.filter(account=b).values_list("month", flat=True)
    assert sorted(b_months) == [add_months(JAN, i) for i in range(4)]
    assert totals_at(date(2026, 4, 1)) == {a.pk: (1500, 200), b.pk: (2000, 200)}


@pytest.mark.django_db
def test_a_back_dated_write_and_a_return_rewrite_the_clients_totals():
    a, b, p = make_account(owner=None), make_account(owner=None), make_product()
    make_sale(account=a, product=p, on=date(2026, 3, 2), revenue="50", cost="20", line=1)
    make_sale(account=b, product=p, on=date(2026, 3, 2), revenue="7", cost="1", line=2)
    make_sale(account=a, product=p, on=date(2025, 11, 30), revenue="10", cost="4", line=3)
    make_sale(account=a, product=p, on=date(2026, 5, 1), revenue="-30", cost="-12", quantity="-1")

    months = list(
        ClientRunningTotal.objects.filter(account=a)
        .order_by("month")
        .values_list("month", flat=True)
    )
    assert months == [add_months(date(2025, 11, 1), i) for i in range(7)]
    assert totals_at(date(2026, 5, 1))[a.pk] == (3000, 1200)
    assert totals_at(date(2026, 5, 1))[b.pk] == (700, 100)  # the other client, carried forward
    assert period_cents(a.pk, date(2025, 11, 1), date(2026, 2, 1)) == (1000, 400)


@pytest.mark.django_db
def test_first_purchase_is_the_earliest_bought_day_and_ignores_returns():
    a, p, q = make_account(owner=None), make_product(), make_product()
    make_sale(account=a, product=p, on=date(2026, 3, 2), revenue="5", cost="1", line=1)
    make_sale(account=a, product=p, on=date(2026, 1, 20), revenue="5", cost="1", line=2)
    make_sale(account=a, product=q, on=date(2025, 12, 1), revenue="-5", cost="-1", quantity="-1")

    assert dict(FirstPurchase.objects.filter(account=a).values_list("product", "first_date")) == {
        p.pk: date(2026, 1, 20)
    }


@pytest.mark.django_db
def test_a_full_rebuild_gives_the_same_rows_as_the_per_client_refreshes():
    p = make_product()
    accounts = [make_account(owner=None) for _ in range(3)]
    for i, a in enumerate(accounts):
        for m in range(0, 7, i + 1):
            on = add_months(JAN, m).replace(day=3)
            make_sale(
                account=a, product=p, on=on, revenue=f"{10 + m}.5{i}", cost="3", line=10 * i + m
            )

    def snapshot():
        return (
            sorted(
                ClientRunningTotal.objects.values_list(
                    "account", "month", "revenue_cents", "cost_cents"
                )
            ),
            sorted(FirstPurchase.objects.values_list("account", "product", "first_date")),
        )

    before = snapshot()
    client_month_refresh(account_ids=None)
    assert snapshot() == before
    assert len(before[0]) == 7 * 3


# 18 months from here lie in the past: the ledger refuses dates more than a month ahead.
PAST = date(2024, 1, 1)
cents = st.integers(min_value=-500_000, max_value=5_000_000)


class TestAnyPeriodIsOneSubtraction(TestCase):
    """Property: for random monthly sales (gaps, returns, several lines a month), the sum over
    any months a..b from the running totals equals the roll-up's sum over a..b."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        sales=st.lists(
            st.tuples(st.integers(0, 17), st.integers(1, 28), cents, cents), min_size=1, max_size=12
        ),
        window=st.tuples(st.integers(-2, 19), st.integers(0, 12)),
    )
    def test_period_sum_matches_the_roll_up(self, sales, window):
        a, p = make_account(owner=None), make_product()
        for n, (m, day, rev, cost) in enumerate(sales):
            on = add_months(PAST, m).replace(day=day)
            # A return (negative revenue) takes back goods and their cost (the ledger's rule).
            sign = -1 if rev < 0 else 1
            make_sale(
                account=a,
                product=p,
                on=on,
                quantity=D(sign),
                revenue=D(rev) / 100,
                cost=D(sign * abs(cost)) / 100,
                document=f"D{a.pk}",
                line=n + 1,
            )
        first = add_months(PAST, window[0])
        last = add_months(first, window[1])
        assert period_cents(a.pk, first, last) == roll_up_cents(a.pk, first, last)
