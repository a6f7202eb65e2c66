"""The ageing buckets as plain arithmetic (AR-2), with Hypothesis."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kam.receivables.ageing import BUCKETS, age, bucket_bounds, bucket_of, days_past_due

AS_OF = date(2025, 6, 30)

amounts = st.decimals(min_value=Decimal("-10000"), max_value=Decimal("10000"), places=2)
dues = st.one_of(st.none(), st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 1, 1)))
items = st.lists(st.tuples(dues, amounts), max_size=40)


def test_bucket_edges():
    assert [bucket_of(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 900)] == [
        "current", "current", "d1_30", "d1_30", "d31_60", "d31_60", "d61_90", "d61_90",
        "over_90", "over_90",
    ]  # fmt: skip


def test_an_invoice_due_today_is_current_and_yesterday_one_day_late():
    a = age([(AS_OF, Decimal("10")), (AS_OF - timedelta(days=1), Decimal("5"))], AS_OF)
    assert (a.current, a.d1_30, a.overdue, a.oldest_due) == (10, 5, 5, AS_OF - timedelta(days=1))


@given(items)
def test_buckets_sum_to_the_open_invoices_and_with_credits_to_the_balance(rows):
    a = age(rows, AS_OF)
    assert a.total == sum(b for b in a.buckets().values())
    assert a.total == sum((x for _d, x in rows if x > 0), Decimal(0))
    assert a.balance == sum((x for _d, x in rows), Decimal(0))
    assert all(v >= 0 for v in a.buckets().values()) and a.credits <= 0


@given(items, st.integers(min_value=0, max_value=400))
def test_a_later_day_never_makes_debt_younger(rows, later):
    """As of a later day each amount is as old or older: the overdue part never shrinks, and
    what is over N days never shrinks for any N."""
    a, b = age(rows, AS_OF), age(rows, AS_OF + timedelta(days=later))
    assert b.total == a.total
    for i in range(len(BUCKETS)):
        tail_a = sum(getattr(a, n) for n in BUCKETS[i:])
        tail_b = sum(getattr(b, n) for n in BUCKETS[i:])
        assert tail_b >= tail_a


@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 1, 1)))
def test_bounds_agree_with_buckets(due):
    """The SQL's boundaries (a due date against bucket_bounds) pick the rule's bucket."""
    bounds = bucket_bounds(AS_OF)
    by_bounds = next((BUCKETS[i] for i, b in enumerate(bounds) if due >= b), BUCKETS[-1])
    assert by_bounds == bucket_of(days_past_due(due, AS_OF))
