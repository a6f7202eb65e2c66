"""Property tests of the pure rules: shares of positive income sum to 100 %, and raising one
client's income never lowers its share."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from kam.radar import rules

money = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=2, allow_nan=False)
books = st.dictionaries(st.integers(0, 50), money, min_size=1, max_size=30)


@given(books)
def test_shares_of_positive_income_sum_to_one_hundred(weights):
    s = rules.shares(weights)
    if any(w > 0 for w in weights.values()):
        assert abs(sum(s.values()) - 100) < D("1e-20")
    else:
        assert all(v == 0 for v in s.values())
    assert all(v >= 0 for v in s.values())
    assert all(s[k] == 0 for k, w in weights.items() if w <= 0)


@given(books, st.data(), st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2))
def test_raising_a_clients_income_never_lowers_its_share(weights, data, raise_by):
    k = data.draw(st.sampled_from(sorted(weights)))
    before = rules.shares(weights)[k]
    after = rules.shares({**weights, k: weights[k] + raise_by})[k]
    assert after >= before


@given(books, st.data(), st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2))
def test_raising_a_clients_income_never_removes_its_key_status(weights, data, raise_by):
    c = rules.Criteria()
    k = data.draw(st.sampled_from(sorted(weights)))

    def status(ws):
        v = rules.judge(ws[k], rules.positive_total(ws.values()), c)
        return (v.key_by_share, ["", rules.CRITICAL, rules.MONO].index(v.band))

    raised = {**weights, k: weights[k] + raise_by}
    assert status(raised) >= status(weights)


@given(books)
def test_hhi_within_bounds_and_abc_covers_everyone(weights):
    h = rules.hhi(weights)
    assert D(0) <= h <= D("10000.0000000001")
    classes = rules.abc_classes(weights)
    assert set(classes) == set(weights)
    positive = [k for k, w in weights.items() if w > 0]
    if positive:
        top = rules.ranked(weights)[0][0]
        assert classes[top] == "A"
