"""The effect on the small ledger of conftest.py, computed by hand.

Programme clients A1, A2 (product P): turnover pre-period 180, 220; programme 300, 300.
Control group C1, C2, C3 (same segment, pre-period turnover 400 within 2x of 200, bought the
category): pre 600, 600; programme 660, 631. C4 (pre turnover 1000) and C5 (other segment)
are left out.
"""

from datetime import date
from decimal import Decimal

import pytest

from kam.promotions.selectors import promotion_effect
from kam.promotions.services import promotion_approve, promotion_record_cost
from kam.promotions.tests.conftest import propose

D = Decimal
END = date(2025, 5, 31)


@pytest.fixture
def approved(org, book):
    promotion = propose(org.head_north, book)
    promotion_approve(actor=org.director, promotion=promotion)
    return promotion_record_cost(actor=org.director, promotion=promotion, cost=D("40"))


def test_effect_by_hand(org, book, approved, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        e = promotion_effect(user=org.director, promotion=approved, as_of=END)
    assert e.months == [date(2025, 3, 1), date(2025, 4, 1)]
    assert e.pre_months == [date(2025, 1, 1), date(2025, 2, 1)]
    assert (e.clients, e.clients_total, e.matched) == (2, 2, 2)
    assert e.control_ids == sorted([book.c1.pk, book.c2.pk, book.c3.pk])
    # Turnover: the trend of 180, 220 runs on to 260, 300 (560); actual 600.
    assert e.turnover.actual == D("600.00")
    assert e.turnover.baseline == D("560.00")
    assert e.turnover.vs_baseline == D("40.00")
    # DiD: (600 - 400) - 2/3 * (1291 - 1200) = 200 - 60.67 = 139.33
    assert e.turnover.control == D("860.67")  # 1291 * 2/3
    assert e.turnover.vs_control == D("139.33")
    # Income (40 % of revenue): pre 72, 88 -> trend 104, 120; actual 240.
    assert e.income.actual == D("240.00")
    assert e.income.baseline == D("224.00")
    assert e.income.vs_baseline == D("16.00")
    # (240 - 160) - 2/3 * (516.40 - 480) = 80 - 24.27 = 55.73
    assert e.income.vs_control == D("55.73")
    assert (e.cost, e.cost_source) == (D("40.00"), "recorded")
    assert e.roi_vs_baseline == D("0.40")
    assert e.roi_vs_control == D("1.39")  # 55.73 / 40
    # The chart: four months; the baseline only in the programme; control scaled by 2/3.
    assert [m.actual for m in e.series] == [D("180"), D("220"), D("300"), D("300")]
    assert [m.baseline for m in e.series] == [None, None, D("260.00"), D("300.00")]
    assert [m.control for m in e.series] == [D("400.00"), D("400.00"), D("440.00"), D("420.67")]


def test_a_month_counts_once_it_is_over(org, book, approved):
    e = promotion_effect(user=org.director, promotion=approved, as_of=date(2025, 4, 29))
    assert e.measured == [date(2025, 3, 1)]
    assert e.turnover.actual == D("300.00")
    assert e.turnover.baseline == D("260.00")
    # k=1 of m=2: (300 - 400/2) - 2/3 * (660 - 1200/2) = 100 - 40
    assert e.turnover.vs_control == D("60.00")
    assert e.series[-1].actual is None


def test_extra_discount_cost_computed_from_the_ledger(org, book):
    promotion = propose(org.head_north, book, discount_percent=D("10"))
    e = promotion_effect(user=org.director, promotion=promotion, as_of=END)
    # The programme lines' net revenue 600 at 10 % off: 600 * 0.1 / 0.9
    assert (e.cost, e.cost_source) == (D("66.67"), "computed")
    assert e.roi_vs_control == D("0.84")  # 55.73 / 66.67


def test_no_cost_no_roi(org, book):
    promotion = propose(org.head_north, book, kind="bonus_goods")
    e = promotion_effect(user=org.director, promotion=promotion, as_of=END)
    assert (e.cost, e.cost_source, e.roi_vs_control) == (None, "none", None)


def test_a_segment_brings_its_clients_in(org, book):
    promotion = propose(org.head_north, book, accounts=[], segments=[book.segment.pk])
    e = promotion_effect(user=org.director, promotion=promotion, as_of=END)
    # A1, A2, C1..C4 and S1 are the programme now; nobody in the segment is left over.
    assert e.clients == 7
    assert e.control_size == 0
    assert e.turnover.vs_control is None


def test_a_kam_measures_over_their_own_clients_only(org, book):
    promotion = propose(org.director, book, accounts=[book.a1.pk, book.s1.pk])
    promotion.cost = D("40")
    promotion.save()
    anna = promotion_effect(user=org.kam_anna, promotion=promotion, as_of=END)
    assert (anna.clients, anna.clients_total, anna.partial) == (1, 2, True)
    assert anna.turnover.actual == D("300.00")  # A1 alone
    assert anna.cost == D("20.00")  # the recorded cost pro rata by clients
    # A2 is not in this programme: an Anna client in the band, so a control too.
    assert book.a2.pk in anna.control_ids
    director = promotion_effect(user=org.director, promotion=promotion, as_of=END)
    assert (director.clients, director.cost) == (2, D("40"))


def test_the_effect_reads_a_fixed_number_of_queries(org, book):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = propose(org.head_north, book)
    large = propose(org.head_north, book, segments=[book.segment.pk, book.other_segment.pk])
    counts = []
    for promotion in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            promotion_effect(user=org.kam_anna, promotion=promotion, as_of=END)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 10, counts
