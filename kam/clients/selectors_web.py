"""Reads the client pages need on top of kam.clients.selectors: 12-month totals and filter choices.

The totals come from the monthly roll-up (``ClientMonth``, base currency) as correlated
subqueries, so a list page costs the same number of queries whatever its length.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.clients.models import Account
from kam.core.models import MONEY_DIGITS, MONEY_PLACES
from kam.org.models import Department, Territory
from kam.sales.models import ClientMonth
from kam.sales.selectors import add_months, last_sales_month

MONEY = DecimalField(max_digits=MONEY_DIGITS + 4, decimal_places=MONEY_PLACES)


@dataclass(frozen=True)
class Window:
    """A run of whole months, ``first`` to ``last`` inclusive (both first days of a month)."""

    first: date
    last: date


def reporting_month(*, user) -> date:
    """The month pages report up to: the last one with sales the user may see, else this one.

    Demo and imported data often end before today; charts ending at today would show blanks.
    """
    return last_sales_month(user=user) or timezone.localdate().replace(day=1)


def months_window(*, until: date, months: int = 12) -> Window:
    last = until.replace(day=1)
    return Window(first=add_months(last, -(months - 1)), last=last)


def _month_sum(expression, window: Window) -> Coalesce:
    sums = (
        ClientMonth.objects.filter(
            account=OuterRef("pk"), month__gte=window.first, month__lte=window.last
        )
        .order_by()
        .values("account")
        .annotate(total=Sum(expression, output_field=MONEY))
        .values("total")
    )
    return Coalesce(Subquery(sums, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)


def with_period_totals(qs: QuerySet[Account], *, window: Window) -> QuerySet[Account]:
    """Annotate ``revenue_12m`` and ``income_12m`` (KC-1: income = revenue - cost) in the base
    currency over ``window``."""
    return qs.annotate(
        revenue_12m=_month_sum(F("revenue"), window),
        income_12m=_month_sum(F("revenue") - F("cost"), window),
    )


def filter_departments(*, accounts: QuerySet[Account]) -> QuerySet[Department]:
    """Departments that hold at least one of ``accounts`` (the user's visible ones)."""
    return Department.objects.filter(pk__in=accounts.order_by().values("department_id"))


def filter_territories(*, accounts: QuerySet[Account], kind: str) -> QuerySet[Territory]:
    field = "segment_id" if kind == Territory.Kind.SEGMENT else "territory_id"
    return Territory.objects.filter(kind=kind, pk__in=accounts.order_by().values(field))


def filter_industries(*, accounts: QuerySet[Account]) -> list[str]:
    return list(
        accounts.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
