"""The contract dates' arithmetic (CT-1), alone."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kam.contracts import rules

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@given(ends_on=days, as_of=days)
def test_an_alert_is_due_exactly_while_the_contract_is_expiring(ends_on, as_of):
    left = (ends_on - as_of).days
    alert = rules.alert_due(ends_on, as_of)
    assert (alert is not None) == (rules.standing(ends_on, as_of) == rules.EXPIRING)
    if alert is not None:
        assert left <= alert and (alert == 30) == (left <= 30)
    assert (rules.standing(ends_on, as_of) == rules.EXPIRED) == (left < 0)


@given(as_of=days)
def test_an_open_ended_contract_never_expires(as_of):
    assert rules.standing(None, as_of) == rules.ACTIVE
    assert rules.alert_due(None, as_of) is None
    assert rules.days_left(None, as_of) is None


def test_the_thresholds():
    end = date(2025, 12, 31)
    assert [rules.alert_due(end, end - timedelta(days=d)) for d in (61, 60, 31, 30, 0)] == [
        None,
        60,
        60,
        30,
        30,
    ]
