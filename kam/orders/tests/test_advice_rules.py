"""Order advice's arithmetic alone (OR-2): rhythm, due, clients like it, the credit fit."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kam.orders.advice import (
    DUE_SOON_DAYS,
    Line,
    PeerProduct,
    Purchase,
    Reason,
    due_again,
    fit_credit,
    median,
    peer_suggestions,
    peer_threshold,
    plan,
    rhythm,
)

D = Decimal
START = date(2025, 1, 6)


def every(days: int, times: int, quantity="10", start=START) -> list[Purchase]:
    return [Purchase(start + timedelta(days=days * i), D(quantity)) for i in range(times)]


# --- median ----------------------------------------------------------------------------------


def test_median_odd_and_even():
    assert median([D(5), D(1), D(3)]) == D(3)
    assert median([4, 1, 3, 2]) == D("2.5")
    with pytest.raises(ValueError):
        median([])


@given(st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=40))
def test_median_splits_the_values_in_half(values):
    m = median(values)
    assert min(values) <= m <= max(values)
    assert 2 * sum(v <= m for v in values) >= len(values)
    assert 2 * sum(v >= m for v in values) >= len(values)


# --- rhythm and due --------------------------------------------------------------------------


def test_rhythm_of_a_regular_buyer_is_due_after_its_interval():
    purchases = every(28, 4)
    last = purchases[-1].on
    r = rhythm(7, purchases, last + timedelta(days=35))
    assert (r.interval, r.days_since, r.last, r.purchases) == (D(28), 35, last, 4)
    assert r.due
    assert r.reason == Reason("rhythm", {"interval": 28, "days_since": 35, "last": last})


def test_not_due_early_but_due_a_few_days_before_the_interval():
    purchases = every(28, 4)
    last = purchases[-1].on
    assert not rhythm(1, purchases, last + timedelta(days=28 - DUE_SOON_DAYS - 1)).due
    assert rhythm(1, purchases, last + timedelta(days=28 - DUE_SOON_DAYS)).due


def test_two_purchases_are_too_few_for_a_rhythm():
    r = rhythm(1, every(30, 2), START + timedelta(days=200))
    assert r.interval is None and not r.due
    assert r.reason.code == "too_few" and r.reason.values["purchases"] == 2


def test_purchases_after_as_of_and_returns_do_not_count():
    purchases = [*every(10, 3), Purchase(START + timedelta(days=100), D("5"))]
    purchases.append(Purchase(START + timedelta(days=25), D("-3")))  # a return
    r = rhythm(1, purchases, START + timedelta(days=50))
    assert (r.purchases, r.last, r.interval) == (3, START + timedelta(days=20), D(10))
    assert rhythm(1, purchases, START - timedelta(days=1)) is None


def test_two_lines_on_one_day_are_one_purchase():
    purchases = [*every(20, 3), Purchase(START + timedelta(days=40), D("4"))]
    r = rhythm(1, purchases, START + timedelta(days=50))
    assert r.interval == D(20)  # not the median of 20, 20, 0
    assert r.purchases == 3


def test_suggested_quantity_is_the_median_of_the_recent_purchases():
    quantities = ["100", "100", "100", "4", "6", "8", "10", "12"]
    purchases = [Purchase(START + timedelta(days=7 * i), D(q)) for i, q in enumerate(quantities)]
    assert rhythm(1, purchases, START + timedelta(days=60)).quantity == D(8)


def test_due_again_puts_the_most_overdue_first():
    a = rhythm(1, every(10, 3), START + timedelta(days=20 + 15))  # 1.5 intervals
    b = rhythm(2, every(30, 3), START + timedelta(days=60 + 90))  # 3 intervals
    c = rhythm(3, every(30, 3), START + timedelta(days=60 + 1))  # not due
    assert [r.product_id for r in due_again([a, b, c, None])] == [2, 1]


@given(
    gap=st.integers(min_value=1, max_value=120),
    times=st.integers(min_value=3, max_value=12),
    since=st.integers(min_value=0, max_value=400),
)
def test_a_regular_rhythm_has_its_gap_as_interval(gap, times, since):
    purchases = every(gap, times)
    r = rhythm(1, purchases, purchases[-1].on + timedelta(days=since))
    assert r.interval == gap
    assert r.due == (since >= gap - DUE_SOON_DAYS)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=700), st.integers(min_value=1, max_value=50)),
        min_size=1,
        max_size=30,
    ),
    st.randoms(),
)
def test_interval_is_the_median_gap_whatever_the_order(rows, rnd):
    purchases = [Purchase(START + timedelta(days=d), D(q)) for d, q in rows]
    as_of = START + timedelta(days=800)
    r = rhythm(1, purchases, as_of)
    days = sorted({d for d, _ in rows})
    assert r.purchases == len(days)
    assert r.days_since == (as_of - (START + timedelta(days=days[-1]))).days
    if len(days) < 3:
        assert r.interval is None and not r.due
    else:
        gaps = sorted(b - a for a, b in pairwise(days))
        assert r.interval == median(gaps)
        assert r.due == (r.days_since >= r.interval - DUE_SOON_DAYS)
    rnd.shuffle(purchases)
    assert rhythm(1, purchases, as_of) == r


# --- clients like it -------------------------------------------------------------------------


@pytest.mark.parametrize(("peers", "need"), [(1, 2), (2, 2), (4, 2), (5, 3), (12, 3), (500, 3)])
def test_peer_threshold_is_three_or_half_of_a_small_group(peers, need):
    assert peer_threshold(peers) == need


def test_peer_suggestions_rank_by_buyers_then_revenue_and_skip_what_it_owns():
    products = [
        PeerProduct(1, 7, D("100"), (D(5), D(10), D(20))),
        PeerProduct(2, 9, D("50"), (D(4),)),
        PeerProduct(3, 7, D("900"), (D(1), D(2))),
        PeerProduct(4, 2, D("5000"), (D(1),)),  # too few buyers of 12
        PeerProduct(5, 12, D("5000"), (D(1),)),  # the client owns it
    ]
    found = peer_suggestions(products, peers=12, owned={5})
    assert [s.product_id for s in found] == [2, 3, 1]
    assert [s.quantity for s in found] == [D(4), D("1.5"), D(10)]
    assert all(s.peers == 12 for s in found)
    assert peer_suggestions(products, peers=0) == []


# --- the credit fit --------------------------------------------------------------------------


def test_fit_takes_in_order_and_lets_a_smaller_one_through():
    fit = fit_credit([D(600), D(500), D(300), D(100)], D(1000))
    assert fit.taken == (True, False, True, True)
    assert (fit.used, fit.left) == (D(1000), D(0))


def test_nothing_fits_a_negative_available_credit():
    assert fit_credit([D(1), D(0)], D(-50)).taken == (False, True)


amounts = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False), max_size=25
)
money = st.decimals(min_value=-(10**6), max_value=10**7, places=2, allow_nan=False)


@given(amounts, money)
def test_credit_fit_never_exceeds_available(values, available):
    fit = fit_credit(values, available)
    assert len(fit.taken) == len(values)
    assert fit.used == sum((v for v, t in zip(values, fit.taken, strict=True) if t), D(0))
    assert fit.used <= max(available, D(0))
    assert fit.used + fit.left == max(available, D(0))
    # Each one left out did not fit what was left at its turn.
    left = max(available, D(0))
    for value, taken in zip(values, fit.taken, strict=True):
        assert taken == (value <= left)
        if taken:
            left -= value


@given(st.lists(st.tuples(money.filter(lambda m: m > 0), st.integers(1, 50)), max_size=10), money)
def test_plan_prices_lines_and_marks_the_rest_over_credit(rows, available):
    due = [Line(i, "due", Reason("rhythm", {}), D(q), price) for i, (price, q) in enumerate(rows)]
    result = plan(due, [Line(99, "peers", Reason("peers", {}), D(1))], available)
    assert len(result.due) == len(rows) and len(result.peers) == 1
    assert result.peers[0].fits_credit is None  # no price: not weighed
    for line in result.due:
        assert line.amount == (line.price * line.quantity).quantize(D("0.01"))
    assert sum((ln.amount for ln in result.due if ln.fits_credit), D(0)) == result.used
    assert result.used <= max(available, D(0))


def test_plan_without_a_contract_weighs_nothing():
    lines = [Line(1, "due", Reason("rhythm", {}), D(2))]
    result = plan(lines, [], None)
    assert result.due[0].fits_credit is None and result.left is None
