"""The arithmetic of pay alone (kam/pay/rules.py), with hand-computed answers and Hypothesis."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kam.pay import rules
from kam.pay.rules import DealPart, RuleError

D = Decimal
BANDS = rules.bands_parse([[50000, 12], [None, 5]])


def test_a_deal_across_the_band_boundary_pays_each_band_its_rate():
    c = rules.commission(D("60000"), BANDS)
    assert rules.money(c.amount) == D("6500.00")  # 12 % of 50 000 + 5 % of 10 000
    assert c.rate == D("10.8333")
    assert c.band == "12 % to 50000; 5 % above"


def test_a_deal_inside_the_first_band():
    c = rules.commission(D("1000"), BANDS)
    assert (c.amount, c.band) == (D("120"), "12 % to 50000")


def test_nothing_on_a_deal_of_zero_or_less():
    assert rules.commission(D("-10"), BANDS).amount == 0
    assert rules.commission(D("0"), BANDS).amount == 0


def test_a_category_table_overrides_the_default_for_its_part_at_the_deal_size():
    parts = [DealPart(1, D("50000")), DealPart(2, D("10000"))]
    out = rules.deal_commission(
        parts, client_group_id=None, default=BANDS, by_category={2: rules.flat(3)}
    )
    # 6 500 on 60 000 is 10.8333 %: 50 000 of it pays 5 416.67; category 2 pays 3 % of 10 000.
    assert [(p.amount, p.table) for p in out] == [
        (D("5416.67"), "default"),
        (D("300.00"), "category"),
    ]


def test_a_client_group_table_applies_unless_a_category_has_its_own():
    parts = [DealPart(1, D("100")), DealPart(2, D("100"))]
    out = rules.deal_commission(
        parts,
        client_group_id=7,
        default=BANDS,
        by_category={2: rules.flat(1)},
        by_client_group={7: rules.flat(20)},
    )
    assert [(p.amount, p.table) for p in out] == [
        (D("20.00"), "client group"),
        (D("1.00"), "category"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        [],
        [[50000, 12]],
        [[None, 5], [100, 3]],
        [[100, 5], [100, 3], [None, 1]],
        [[100, 101], [None, 1]],
        [[100, -1], [None, 1]],
        [["x", 1], [None, 1]],
        "12",
        [[0, 5], [None, 1]],
    ],
)
def test_a_band_table_that_cannot_work_is_refused(raw):
    with pytest.raises(RuleError):
        rules.bands_parse(raw)


def test_paid_share_earns_its_part():
    assert rules.earned(D("6500"), D("0.5")) == D("3250.00")
    assert rules.earned(D("6500"), D("2")) == D("6500.00")


def test_clawback_takes_the_returned_share_never_more_than_kept():
    assert rules.clawback(
        earned_gross=D("120"), earned_net=D("120"), returned_share=D("0.25")
    ) == D("-30.00")
    assert rules.clawback(earned_gross=D("120"), earned_net=D("20"), returned_share=D("1")) == D(
        "-20"
    )
    assert rules.clawback(earned_gross=D("120"), earned_net=D("0"), returned_share=D("1")) == 0


def test_cuts_take_the_lowest_threshold_the_result_is_under():
    table = rules.cut_table_parse([[80, 50], [90, 30]])
    assert rules.cut_for(D("79.99"), table) == 50
    assert rules.cut_for(D("80"), table) == 30
    assert rules.cut_for(D("89.99"), table) == 30
    assert rules.cut_for(D("90"), table) == 0
    assert rules.cut_for(None, table) == 0  # nothing planned, nothing cut


def test_cuts_add_up_capped_at_100():
    assert rules.combined_cut([D("30"), D("10")]) == 40
    assert rules.combined_cut([D("70"), D("50")]) == 100


@pytest.mark.parametrize(
    "raw",
    [
        [[90, 10], [80, 30]],
        [[80, 10], [90, 30]],
        [[90, 101]],
        [[0, 10]],
        [[90, -5]],
        [[90, 10], [90, 5]],
    ],
)
def test_a_cut_table_that_is_not_monotonic_or_out_of_range_is_refused(raw):
    with pytest.raises(RuleError) as exc:
        rules.cut_table_parse(raw, field="cuts")
    assert exc.value.field == "cuts"


def test_an_unknown_measure_is_refused():
    with pytest.raises(RuleError):
        rules.cuts_parse({"visits": [[90, 10]]})


def test_totals():
    t = rules.totals(
        fixed=D("1500"), commission=D("1000"), cut_percent=D("40"), adjustments=D("-20")
    )
    assert (t.cuts, t.variable, t.total) == (D("400.00"), D("580.00"), D("2080.00"))
    negative = rules.totals(
        fixed=D("1500"), commission=D("-100"), cut_percent=D("40"), adjustments=D("0")
    )
    assert (negative.cuts, negative.total) == (0, D("1400"))


# --- properties ---------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def band_tables(draw):
    n = draw(st.integers(min_value=0, max_value=4))
    bounds = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=10**7), min_size=n, max_size=n))
    )
    rows = [[b, draw(rates)] for b in bounds] + [[None, draw(rates)]]
    return rules.bands_parse(rows)


@settings(deadline=None, max_examples=200)
@given(band_tables(), amounts, amounts)
def test_commission_is_monotonic_in_the_deal_amount(bands, a, b):
    low, high = sorted((a, b))
    assert rules.commission(low, bands).amount <= rules.commission(high, bands).amount


@settings(deadline=None, max_examples=200)
@given(band_tables(), amounts)
def test_commission_never_exceeds_the_top_rate(bands, a):
    top = max(b.rate for b in bands)
    assert rules.commission(a, bands).amount <= a * top / 100


@st.composite
def cut_rows(draw):
    thresholds = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=1000), min_size=1, max_size=5))
    )
    cuts = draw(
        st.lists(
            st.integers(min_value=0, max_value=100),
            min_size=len(thresholds),
            max_size=len(thresholds),
        )
    )
    return [[t, c] for t, c in zip(thresholds, cuts, strict=True)]


@settings(deadline=None, max_examples=200)
@given(cut_rows())
def test_a_cut_table_is_accepted_exactly_when_it_is_monotonic(rows):
    monotonic = all(rows[i][1] >= rows[i + 1][1] for i in range(len(rows) - 1))
    if monotonic:
        steps = rules.cut_table_parse(rows)
        results = [D(p) for p in range(0, 1100, 7)]
        cuts = [rules.cut_for(p, steps) for p in results]
        assert all(cuts[i] >= cuts[i + 1] for i in range(len(cuts) - 1))
    else:
        with pytest.raises(RuleError):
            rules.cut_table_parse(rows)


@settings(deadline=None, max_examples=200)
@given(
    amounts,
    st.decimals(min_value=-(10**6), max_value=10**9, places=2),
    st.lists(st.integers(0, 100), max_size=4),
    st.decimals(min_value=-(10**6), max_value=10**6, places=2),
)
def test_total_is_fixed_plus_variable_after_cuts(fixed, commission, cuts, adjustments):
    cut = rules.combined_cut(D(c) for c in cuts)
    t = rules.totals(fixed=fixed, commission=commission, cut_percent=cut, adjustments=adjustments)
    assert t.total == t.fixed + t.variable
    assert t.variable == t.commission - t.cuts + t.adjustments
    assert 0 <= t.cuts <= max(commission, 0)


def test_a_band_bound_over_the_largest_amount_is_refused():
    with pytest.raises(RuleError):
        rules.bands_parse([[10**12, 5], [None, 1]])
