"""Reads of the home dashboard: totals and months over everything the user may see (SE-1)."""

from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum

from kam.clients.models import Account
from kam.clients.selectors import account_list
from kam.clients.selectors_web import MONEY, Window, with_period_totals
from kam.sales.models import ClientMonth
from kam.sales.selectors import MonthPoint, add_months


def scope_totals(*, user, window: Window) -> MonthPoint:
    """Revenue and cost of the user's clients over the window, as one point."""
    row = (
        ClientMonth.objects.visible_to(user)
        .filter(month__gte=window.first, month__lte=window.last)
        .aggregate(revenue=Sum("revenue"), cost=Sum("cost"))
    )
    return MonthPoint(window.last, row["revenue"] or Decimal(0), row["cost"] or Decimal(0))


def scope_monthly_series(*, user, window: Window) -> list[MonthPoint]:
    """Every month of the window for the user's clients, zero where nothing was sold."""
    rows = {
        r["month"]: r
        for r in ClientMonth.objects.visible_to(user)
        .filter(month__gte=window.first, month__lte=window.last)
        .order_by()
        .values("month")
        .annotate(revenue=Sum("revenue", output_field=MONEY), cost=Sum("cost", output_field=MONEY))
    }
    series = []
    month = window.first
    while month <= window.last:
        r = rows.get(month)
        series.append(
            MonthPoint(month, r["revenue"] if r else Decimal(0), r["cost"] if r else Decimal(0))
        )
        month = add_months(month, 1)
    return series


def top_accounts_by_income(*, user, window: Window, limit: int = 10) -> QuerySet[Account]:
    """The user's best clients by income over the window (KC-1); clients with no sales left out."""
    return (
        with_period_totals(account_list(user=user), window=window)
        .exclude(Q(revenue_12m=0) & Q(income_12m=0))
        .order_by(F("income_12m").desc(), "legal_name", "pk")[:limit]
    )
