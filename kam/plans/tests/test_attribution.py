"""The fact is credited to the KAM who owned the client on the sale's day (SP-2)."""

from datetime import date
from decimal import Decimal

from kam.clients.services import account_reassign
from kam.plans.rules import period_parse
from kam.plans.selectors import attributed_lines, plan_results
from kam.testing import make_account, make_product, make_sale


def test_a_reassignment_mid_period_does_not_move_the_earlier_sales(org, settings):
    product = make_product()
    client = make_account(owner=org.kam_anna)
    make_sale(account=client, product=product, on=date(2026, 10, 5), revenue="100", cost="60")
    account_reassign(actor=org.director, account=client, owner=org.kam_boris, on=date(2026, 10, 15))
    make_sale(account=client, product=product, on=date(2026, 10, 20), revenue="40", cost="10")

    lines = attributed_lines(first=date(2026, 10, 1), last=date(2026, 10, 31))
    credited = sorted((line.revenue_base, line.credited_to_id) for line in lines)
    assert credited == [(Decimal("40.00"), org.kam_boris.pk), (Decimal("100.00"), org.kam_anna.pk)]

    october = period_parse("2026-10")
    anna = plan_results(person=org.kam_anna, period=october, as_of=date(2026, 10, 31))
    boris = plan_results(person=org.kam_boris, period=october, as_of=date(2026, 10, 31))
    assert (anna["turnover"].fact, anna["income"].fact) == (Decimal("100.00"), Decimal("40.00"))
    assert (boris["turnover"].fact, boris["income"].fact) == (Decimal("40.00"), Decimal("30.00"))
    # The client's first purchase ever was Anna's: a new client for her, not for Boris.
    assert (anna["new_clients"].fact, boris["new_clients"].fact) == (1, 0)
    assert anna["active_clients"].fact == boris["active_clients"].fact == 1
    assert anna["turnover"].plan is None and anna["turnover"].percent is None
