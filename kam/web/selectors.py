"""Reads of the home dashboard over everything the user may see (SE-1).

The figures themselves are sales selectors (``kam.sales.selectors``); this module puts
together what the home page shows."""

from dataclasses import dataclass

from kam.clients.models import Account
from kam.clients.selectors import account_list
from kam.radar.models import Band
from kam.radar.selectors import REVIEW_DUE, default_level, month_end, radar_portfolio
from kam.sales.selectors import (
    CENTS,
    MonthPoint,
    Window,
    money_of,
    reporting_month,
    with_period_cents,
)
from kam.sales.selectors import scope_period_cents as _scope_period_cents


def scope_totals(*, user, window: Window) -> MonthPoint:
    """Revenue and cost of the user's clients over the window, as one point (its income
    leaves out lines without a known cost, ``income_incomplete`` then; issue 8 §3)."""
    revenue, cost, uncosted = _scope_period_cents(user=user, window=window)
    return MonthPoint(window.last, revenue * CENTS, cost * CENTS, uncosted * CENTS)


def top_accounts_by_income(*, user, window: Window, limit: int = 10) -> list[Account]:
    """The user's best clients by income over the window (KC-1); clients with no sales left out."""
    qs = (
        with_period_cents(account_list(user=user), window=window)
        .exclude(revenue_cents=0, income_cents=0)
        .order_by("-income_cents", "legal_name", "pk")[:limit]
    )
    return money_of(qs)


@dataclass(frozen=True)
class KeyAccountsCard:
    """The home page's key-accounts card (issue 7 §7): the radar as it opens for this user
    (their default level and month), counted: key accounts, and the alerts that need a look."""

    key_accounts: int
    alerts: int
    review_due: int
    dependency: int


def key_accounts_card(*, user) -> KeyAccountsCard:
    as_of = month_end(reporting_month(user=user))  # the radar page's default month
    portfolio = radar_portfolio(
        user=user, level=default_level(user), as_of=as_of, only_key=True, limit=0
    )
    kinds = [a.kind for a in portfolio.alerts]
    review = sum(1 for k in kinds if k == REVIEW_DUE)
    dependency = sum(1 for k in kinds if k in {Band.MONO, Band.CRITICAL})
    return KeyAccountsCard(portfolio.count, review + dependency, review, dependency)
