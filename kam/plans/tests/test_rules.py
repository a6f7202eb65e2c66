"""The plain arithmetic of plans: splits, forecasts, percentages (no database)."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from kam.plans import rules
from kam.plans.rules import forecast_end, period_parse, seasonal_factor, split_check


def plan(turnover=None, income=None, active=None, new=None) -> dict:
    return {"turnover": turnover, "income": income, "active_clients": active, "new_clients": new}


def test_split_over_and_under_by_how_much():
    parent = plan(D("1000"), None, 10, 3)
    gaps = split_check(parent, [plan(D("600"), None, 6, 1), plan(D("450"), None, 3, 2)])
    assert gaps["turnover"].difference == D("50") and gaps["turnover"].status == "over"
    assert gaps["active_clients"].difference == -1 and gaps["active_clients"].status == "under"
    assert gaps["new_clients"].status == "even"
    assert gaps["income"].difference is None and gaps["income"].status is None
    assert rules.split_over(gaps) == {"turnover": D("50")}


def test_forecast_plain_run_rate_without_last_year():
    november = period_parse("2026-11")  # 30 days
    # 10 days elapsed, 1 000 sold: 3 000 by the 30th.
    assert forecast_end(fact=D("1000"), period=november, as_of=date(2026, 11, 10)) == D("3000.00")
    assert forecast_end(fact=4, period=november, as_of=date(2026, 11, 10)) == 12
    assert forecast_end(fact=D("1000"), period=november, as_of=date(2026, 10, 31)) is None


def test_forecast_by_last_years_seasonality():
    november = period_parse("2026-11")
    # Last November: 400 by the 10th, 2 000 in the month (a slow start): factor 5.
    factor = seasonal_factor(D("2000"), D("400"))
    assert factor == 5
    assert forecast_end(
        fact=D("1000"), period=november, as_of=date(2026, 11, 10), factor=factor
    ) == D("5000.00")
    assert seasonal_factor(D("2000"), D("0")) is None and seasonal_factor(None, None) is None


def test_percent():
    assert rules.percent_of(D("45"), D("50")) == D("90.00")
    assert rules.percent_of(3, 0) is None and rules.percent_of(3, None) is None


def test_last_year_and_leap_day():
    assert rules.same_day_last_year(date(2028, 2, 29)) == date(2027, 2, 28)
    q = period_parse("2026-Q1", 4)
    assert rules.last_year(q).code == "2025-Q1"


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
plans = st.builds(
    plan,
    turnover=amounts,
    income=st.none() | amounts,
    active=st.integers(0, 10**6),
    new=st.integers(0, 10**5),
)


@given(st.lists(plans, max_size=8), plans)
def test_a_split_into_exactly_the_parent_is_even(children, extra):
    # The parent is the children's sum: every planned measure is even; adding a child with
    # a positive value takes the split over by exactly that value.
    parent = {
        m: sum(
            (c[m] for c in children if c[m] is not None), D(0) if m in rules.MONEY_MEASURES else 0
        )
        for m in rules.MEASURES
    }
    gaps = split_check(parent, children)
    assert all(g.difference == 0 for g in gaps.values())
    more = split_check(parent, [*children, extra])
    for m in rules.MEASURES:
        assert more[m].difference == (extra[m] or 0)


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
kinds = st.sampled_from(rules.KINDS)
factors = st.none() | st.decimals(min_value=D("0.1"), max_value=D("20"), places=3)


@given(days, kinds, amounts, factors)
def test_the_forecast_at_the_periods_end_is_the_fact(day, kind, fact, factor):
    period = rules.period_containing(day, kind)
    assert forecast_end(fact=fact, period=period, as_of=period.ends_on, factor=factor) == fact
    assert forecast_end(fact=7, period=period, as_of=period.ends_on, factor=factor) == 7


@given(days, kinds, amounts, amounts, factors)
def test_the_forecast_is_monotonic_in_the_fact(day, kind, a, b, factor):
    period = rules.period_containing(day, kind)
    low, high = sorted((a, b))
    f_low = forecast_end(fact=low, period=period, as_of=day, factor=factor)
    f_high = forecast_end(fact=high, period=period, as_of=day, factor=factor)
    assert f_low <= f_high
