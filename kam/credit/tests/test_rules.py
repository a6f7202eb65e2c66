"""The gate's arithmetic (kam.credit.rules.blocks), alone: each reason holds exactly when its
condition does (CR-2, CR-3)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kam.credit.rules import Position, Thresholds, blocks

ON = date(2025, 6, 30)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(
    limit=money,
    receivables=money,
    reserved=money,
    amount=money,
    overdue=money,
    days=st.integers(0, 400),
    amount_rule=money,
    days_rule=st.integers(0, 400),
    valid=st.one_of(st.none(), st.integers(-400, 400)),
    rejected=st.booleans(),
    required=st.booleans(),
)
def test_each_reason_holds_exactly_when_its_condition_does(
    limit,
    receivables,
    reserved,
    amount,
    overdue,
    days,
    amount_rule,
    days_rule,
    valid,
    rejected,
    required,
):
    until = None if valid is None else ON + timedelta(days=valid)
    position = Position(limit, receivables, reserved, overdue, days, until, rejected)
    found = {
        b.code for b in blocks(position, amount, Thresholds(amount_rule, days_rule, required), ON)
    }
    assert ("over_limit" in found) == (amount > limit - receivables - reserved)
    assert ("overdue" in found) == (overdue > amount_rule and days > days_rule)
    checks = found & {"check_missing", "check_rejected", "check_expired"}
    if not required:
        assert not checks
    elif until is None:
        assert checks == {"check_missing"}
    elif rejected:
        assert checks == {"check_rejected"}
    else:
        assert checks == ({"check_expired"} if until < ON else set())


def test_an_order_of_exactly_the_available_credit_passes():
    position = Position(Decimal("100"), Decimal("60"), Decimal("30"), Decimal("0"), 0, ON)
    rules = Thresholds(Decimal("100"), 30)
    assert blocks(position, Decimal("10"), rules, ON) == []
    assert [b.code for b in blocks(position, Decimal("10.01"), rules, ON)] == ["over_limit"]
