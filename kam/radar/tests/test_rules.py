"""The pure key-client rules (KC-1..KC-13), with exact Decimal boundaries."""

from datetime import date
from decimal import Decimal as D

import pytest

from kam.core import periods
from kam.radar import rules
from kam.radar.rules import Criteria

C = Criteria()


def test_share_exactly_ten_percent_is_key_and_just_under_is_not():  # KC-2
    total = D("1000.00")
    assert rules.judge(D("100.00"), total, C).key_by_share
    assert not rules.judge(D("99.99"), total, C).key_by_share


@pytest.mark.parametrize(
    ("weight", "band"),
    [
        (D("199.99"), ""),
        (D("200.00"), rules.CRITICAL),  # KC-3: exactly 20 % is critical
        (D("699.99"), rules.CRITICAL),
        (D("700.00"), rules.MONO),  # exactly 70 % is mono
    ],
)
def test_dependency_bands_at_their_exact_boundaries(weight, band):
    assert rules.judge(weight, D("1000.00"), C).band == band


def test_boundary_exact_with_a_total_that_does_not_divide_evenly():
    # 1/3 of 300.03 is 100.01 exactly 33.33...%; 10 % of 333.33 is 33.333: 33.33 is under.
    assert not rules.at_least(D("33.33"), D("333.33"), D(10))
    assert rules.at_least(D("33.34"), D("333.33"), D(10))


def test_displayed_share_never_rounds_up_across_a_threshold():
    assert rules.display_pct(D("9.99999")) == D("9.99")


def test_income_and_turnover_give_different_answers():  # KC-1
    # A big-turnover, thin-margin client vs a small, profitable one.
    big = (D("900"), D("890"))  # revenue, cost: income 10
    small = (D("100"), D("10"))  # income 90
    inc = {
        k: rules.weight(r, c, rules.INCOME) for k, (r, c) in {"big": big, "small": small}.items()
    }
    turn = {
        k: rules.weight(r, c, rules.TURNOVER) for k, (r, c) in {"big": big, "small": small}.items()
    }
    assert rules.shares(inc)["big"] == D(10)
    assert rules.shares(turn)["big"] == D(90)
    assert rules.judge(inc["big"], rules.positive_total(inc.values()), C).band == ""
    assert rules.judge(turn["big"], rules.positive_total(turn.values()), C).band == rules.MONO


def test_loss_making_client_does_not_distort_shares():
    weights = {"a": D("50"), "b": D("50"), "loss": D("-60")}
    s = rules.shares(weights)
    # Were the loss netted, a and b would hold 125 % each of a total of 40.
    assert s == {"a": D(50), "b": D(50), "loss": D(0)}
    v = rules.judge(D("-60"), D("100"), C)
    assert v.loss_making and not v.key_by_share and v.band == ""


def test_zero_weight_has_no_share_and_no_band():
    assert rules.judge(D(0), D(0), C).share_pct == 0
    assert rules.judge(D(0), D(100), C).band == ""


def test_amount_threshold_inclusive_and_prorated_for_a_quarter():
    c = Criteria(key_amount=D("500000"), key_share_pct=None)
    assert rules.judge(D("500000"), D("10000000"), c).key_by_amount
    assert not rules.judge(D("499999.99"), D("10000000"), c).key_by_amount
    # A quarter to date of three months needs a quarter of the yearly amount.
    assert rules.judge(D("125000"), D("10000000"), c, months=3).key_by_amount
    assert not rules.judge(D("124999.99"), D("10000000"), c, months=3).key_by_amount
    assert not rules.judge(D("999"), D("1000"), c).key_by_share  # share switched off


def test_potential_headroom_includes_clients_with_no_sales():  # KC-4
    c = Criteria(potential_headroom=D("50000"))
    assert rules.key_by_potential(D("50000"), D(0), c)
    assert not rules.key_by_potential(D("49999.99"), D(0), c)
    assert rules.headroom(D("100000"), D("50000")) == D("50000")
    # Three months of 10 000 is 40 000 a year.
    assert rules.headroom(D("100000"), D("10000"), months=3) == D("60000")
    assert not rules.key_by_potential(None, D(0), c)


def test_period_bounds():
    assert rules.period_months(date(2025, 3, 15), rules.ROLLING_12) == (
        date(2024, 4, 1),
        date(2025, 3, 1),
    )
    # Fiscal year starting in April: March 2025 belongs to the year that began April 2024.
    assert rules.period_months(date(2025, 3, 15), rules.FISCAL_YEAR, 4) == (
        date(2024, 4, 1),
        date(2025, 3, 1),
    )
    assert rules.period_months(date(2025, 4, 2), rules.FISCAL_YEAR, 4)[0] == date(2025, 4, 1)
    assert rules.period_months(date(2025, 3, 15), rules.FISCAL_QUARTER, 4)[0] == date(2025, 1, 1)
    assert rules.period_months(date(2025, 5, 15), rules.FISCAL_QUARTER, 1)[0] == date(2025, 4, 1)
    assert periods.months_between(date(2025, 1, 1), date(2025, 3, 1)) == 3


def test_abc_pareto_top_and_hhi():  # KC-13
    weights = {1: D(60), 2: D(25), 3: D(10), 4: D(5), 5: D(-3), 6: D(0)}
    assert rules.abc_classes(weights) == {1: "A", 2: "A", 3: "B", 4: "C", 5: "C", 6: "C"}
    assert rules.top_share(weights, 1) == D(60)
    assert rules.top_share(weights, 5) == D(100)
    assert rules.hhi(weights) == D(60**2 + 25**2 + 10**2 + 5**2)
    assert rules.hhi({1: D(7)}) == D(10000)
    points = rules.pareto(weights)
    assert [p.cumulative_pct for p in points] == [D(60), D(85), D(95), D(100)]
    assert points[-1].clients_pct == D(100)


def test_abc_the_largest_client_is_a_even_above_the_a_limit():
    assert rules.abc_classes({1: D(90), 2: D(10)}) == {1: "A", 2: "B"}


def test_pareto_is_thinned_to_max_points_and_keeps_the_last():
    points = rules.pareto({i: D(i) for i in range(1, 1001)}, max_points=50)
    assert len(points) <= 51
    assert points[-1].rank == 1000 and points[-1].cumulative_pct == D(100)


def test_npv_method():  # KC-12
    c = Criteria(npv_rate_pct=D(10), npv_horizon_years=2, npv_growth_cap_pct=D(20))
    # Flat: 100/1.1 + 100/1.21
    assert rules.npv(D(100), D(100), c) == D("173.55")
    # Growth 50 % capped at 20 %: 100*1.2/1.1 + 100*1.44/1.21
    assert rules.npv(D(100), D(50), c) == D("228.10")
    assert rules.trend(D(100), D(50), D(20)) == D("0.2")
    assert rules.trend(D(50), D(100), D(20)) == D("-0.2")
    assert rules.trend(D(100), D(0), D(20)) == 0  # no base to grow from
    assert rules.npv(D(-100), D(-50), c) < 0


def test_innovators_first_two_and_a_half_percent_with_ties():  # KC-8
    assert rules.innovator_cutoff(1, D("2.5")) == 1
    assert rules.innovator_cutoff(40, D("2.5")) == 1
    assert rules.innovator_cutoff(41, D("2.5")) == 2
    rows = [("p", f"acc{i:03d}", date(2025, 1, 1 + i % 28)) for i in range(80)]
    # 80 buyers -> the first 2; days 1 (acc000, acc028, acc056) are tied on the first day.
    out = rules.first_buyers(rows, D("2.5"))
    assert set(out) == {"acc000", "acc028", "acc056"}
    assert all(v[0][2] == 1 for v in out.values())
    late = rules.first_buyers([("p", "a", date(2025, 1, 1)), ("p", "b", date(2025, 2, 1))], D(50))
    assert set(late) == {"a"}
