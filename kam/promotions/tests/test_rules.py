"""The effect's arithmetic, by hand and as properties (kam/promotions/rules.py)."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from kam.promotions import rules
from kam.promotions.rules import Candidate

D = Decimal


def test_baseline_extends_the_least_squares_line():
    # t mean 1.5, y mean 115, Sxx = 5, Sxy = 40: slope 8, intercept 103; t = 4, 5.
    assert rules.baseline([100, 120, 110, 130], 2) == [D("135.00"), D("143.00")]


def test_baseline_of_one_month_is_flat_and_of_none_is_zero():
    assert rules.baseline([D("80.50")], 3) == [D("80.50")] * 3
    assert rules.baseline([], 2) == [D("0.00"), D("0.00")]


def test_baseline_rounds_to_the_cent_and_floors_at_zero():
    # 10, 0, 0: slope -5, intercept 25/3 -> t=3: -6.67 floored; t=... all below zero.
    assert rules.baseline([10, 0, 0], 2) == [D("0.00"), D("0.00")]
    # 1, 2, 2: slope 1/2, intercept 7/6 -> t=3: 2.6666.. = 2.67
    assert rules.baseline([1, 2, 2], 1) == [D("2.67")]
    assert rules.baseline([10, 0, 0], 1, floor_at_zero=False) == [D("-6.67")]


def test_did_by_hand():
    # Two programme clients: 200 a month before, 300 during (+100 over the two months
    # after the 2/2 scaling: 600 - 400 = 200); three control clients: 600 before, 650 during
    # (+100 over two months): scaled to two clients 2/3 * 100 = 66.67.
    uplift = rules.did_uplift(
        treated_pre=[200, 200],
        treated_post=[300, 300],
        control_pre=[600, 600],
        control_post=[650, 650],
        treated_size=2,
        control_size=3,
    )
    assert uplift == D("133.33")
    assert rules.roi(uplift, D("40")) == D("3.33")


def test_did_with_fewer_months_measured_than_the_pre_period():
    # k=1 of m=2: T 150 - 1/2 * 200 = 50; C 120 - 1/2 * 200 = 20, * 1/1.
    uplift = rules.did_uplift(
        treated_pre=[100, 100],
        treated_post=[150],
        control_pre=[100, 100],
        control_post=[120],
        treated_size=1,
        control_size=1,
    )
    assert uplift == D("30.00")


def test_did_without_a_control_group_is_unknown():
    assert (
        rules.did_uplift(
            treated_pre=[1],
            treated_post=[2],
            control_pre=[],
            control_post=[],
            treated_size=1,
            control_size=0,
        )
        is None
    )


def test_roi_needs_a_cost():
    assert rules.roi(D("100"), D("0")) is None
    assert rules.roi(None, D("10")) is None
    assert rules.roi(D("-50"), D("200")) == D("-0.25")


def test_discount_cost_is_the_list_value_less_the_net():
    # 10 % off: net 900 was list 1000, the discount 100.
    assert rules.discount_cost(D("900"), D("10")) == D("100.00")
    assert rules.discount_cost(D("900"), D("0")) == D("0")


def _c(id, seg=1, ter=None, turnover="1000", cats=(7,)):
    return Candidate(id, seg, ter, D(turnover), frozenset(cats))


def test_control_group_rule():
    treated = [_c(1, turnover="1000")]
    candidates = [
        _c(1),  # in the programme itself
        _c(2, turnover="1900"),  # in the band (x1.9)
        _c(3, turnover="2100"),  # out of the band (x2.1)
        _c(4, seg=2),  # another segment
        _c(5, cats=(8,)),  # never bought the programme's categories
        _c(6, turnover="500"),  # the band's edge, included
        _c(7, turnover="0"),
    ]
    assert rules.control_group(treated, candidates, categories=[7]) == [2, 6]


def test_control_group_keeps_the_nearest_and_falls_back_to_the_territory():
    treated = [_c(1, seg=None, ter=5, turnover="1000")]
    candidates = [_c(i, seg=9, ter=5, turnover=str(1000 + 50 * i)) for i in range(2, 10)]
    candidates.append(_c(20, seg=None, ter=6))
    assert rules.control_group(treated, candidates, categories=[7], per_client=3) == [2, 3, 4]


money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)


@given(
    a=st.integers(-1000, 1000),
    b=st.integers(-50, 50),
    n=st.integers(2, 12),
    k=st.integers(1, 12),
)
def test_baseline_of_a_straight_line_continues_it(a, b, n, k):
    pre = [a + b * t for t in range(n)]
    expected = [D(a + b * t).quantize(rules.CENT) for t in range(n, n + k)]
    assert rules.baseline(pre, k, floor_at_zero=False) == expected


@given(
    pre=st.lists(money, min_size=1, max_size=12),
    post=st.lists(money, min_size=1, max_size=12),
    lift=st.integers(0, 1000),
    nt=st.integers(1, 20),
)
def test_did_is_zero_for_parallel_groups_and_grows_with_the_lift(pre, post, lift, nt):
    post = post[: len(pre)] or post[:1]
    same = rules.did_uplift(
        treated_pre=pre,
        treated_post=post,
        control_pre=pre,
        control_post=post,
        treated_size=nt,
        control_size=nt,
    )
    assert same == 0
    lifted = rules.did_uplift(
        treated_pre=pre,
        treated_post=[x + lift for x in post],
        control_pre=pre,
        control_post=post,
        treated_size=nt,
        control_size=nt,
    )
    assert lifted == D(lift * len(post))


candidates = st.lists(
    st.builds(
        Candidate,
        id=st.integers(1, 60),
        segment_id=st.sampled_from([None, 1, 2]),
        territory_id=st.sampled_from([None, 1, 2]),
        pre_turnover=st.decimals(min_value=0, max_value=10**5, places=2),
        categories=st.frozensets(st.integers(1, 4), max_size=3),
    ),
    max_size=30,
    unique_by=lambda c: c.id,
)


@given(pool=candidates, data=st.data())
def test_control_group_is_deterministic_and_keeps_its_rule(pool, data):
    treated = (
        data.draw(st.lists(st.sampled_from(pool), max_size=5, unique_by=lambda c: c.id))
        if pool
        else []
    )
    cats = data.draw(st.sets(st.integers(1, 4), max_size=2))
    group = rules.control_group(treated, pool, categories=cats)
    assert group == rules.control_group(
        list(reversed(treated)), list(reversed(pool)), categories=cats
    )
    by_id = {c.id: c for c in pool}
    treated_ids = {t.id for t in treated}
    for cid in group:
        c = by_id[cid]
        assert cid not in treated_ids
        assert c.categories & cats
        assert any(
            rules.same_place(t, c) and rules.in_band(t.pre_turnover, c.pre_turnover)
            for t in treated
        )
    assert len(group) <= rules.CONTROLS_PER_CLIENT * len(treated)


@given(value=st.fractions(min_value=-(10**9), max_value=10**9))
def test_cents_rounds_half_away_from_zero(value):
    got = rules.cents(value)
    assert abs(Fraction(got) - value) <= Fraction(1, 200)
