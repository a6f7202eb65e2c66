"""Reads of the ledger and its monthly roll-up, always from what the user may see (SE-1)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F, QuerySet, Sum

from kam.clients.models import Account
from kam.core.periods import add_months, month_of
from kam.sales.models import ClientMonth, ClientRunningTotal, SalesLine


def sales_line_list(
    *,
    user,
    account_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[SalesLine]:
    qs = SalesLine.objects.visible_to(user).select_related("account", "product")
    if account_id:
        qs = qs.filter(account_id=account_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("-date", "document_number", "line_number")


@dataclass(frozen=True)
class MonthPoint:
    month: date
    revenue: Decimal
    cost: Decimal

    @property
    def income(self) -> Decimal:
        return self.revenue - self.cost


def account_monthly_series(*, account: Account, months: int = 24, until: date) -> list[MonthPoint]:
    """The last ``months`` months up to ``until`` for one client (already scoped by the caller),
    every month present, zero where nothing was sold."""
    last = month_of(until)
    first = add_months(last, -(months - 1))
    rows = {
        r["month"]: r
        for r in ClientMonth.objects.filter(
            account=account, month__gte=first, month__lte=last
        ).values("month", "revenue", "cost")
    }
    series = []
    for i in range(months):
        m = add_months(first, i)
        r = rows.get(m)
        series.append(
            MonthPoint(m, r["revenue"] if r else Decimal(0), r["cost"] if r else Decimal(0))
        )
    return series


def account_top_products(
    *, account: Account, date_from: date | None = None, limit: int = 10
) -> list[dict]:
    """The client's best products by income, with revenue and quantity."""
    qs = SalesLine.objects.filter(account=account)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    return list(
        qs.values("product_id", "product__sku", "product__name")
        .annotate(
            revenue=Sum("revenue_base"),
            income=Sum(F("revenue_base") - F("cost_base")),
            quantity=Sum("quantity"),
        )
        .order_by("-income", "product__sku")[:limit]
    )


def last_sales_month(*, user) -> date | None:
    """The latest month with any sales the user may see (charts end there, not at today)."""
    row = ClientMonth.objects.visible_to(user).order_by("-month").values_list("month", flat=True)
    return row.first()


def running_totals_sql(month: date) -> tuple[str, list]:
    """SQL selecting ``(account_id, revenue_cents, cost_cents)``: every client's cumulative
    base-currency sums through ``month`` (the first day of a month), in cents, for each client
    with sales up to then (missing: zero), in client order. Not scoped: callers join it to the
    accounts a user may see. A period's sum is the totals at its last month minus those at the
    month before its first (see ``ClientRunningTotal``): one index read per client and month.
    A month after the horizon reads the horizon's totals, which hold from there on."""
    table = ClientRunningTotal._meta.db_table
    m = connection.ops.adapt_datefield_value(month)
    sql = f"SELECT account_id, revenue_cents, cost_cents FROM {table} WHERE month = {_CLAMP}"
    return sql, [m, m]


# A month (twice as %s), or the horizon when the month is later: totals hold from there on.
_CLAMP = (
    f"(SELECT CASE WHEN MAX(month) < %s THEN MAX(month) ELSE %s END "
    f"FROM {ClientRunningTotal._meta.db_table})"
)


def running_totals_of(
    account_ids: list[int], months: list[date]
) -> dict[tuple[int, date], tuple[int, int]]:
    """``(account_id, month) -> (revenue_cents, cost_cents)``: the running totals of a few
    clients at a few months (months after the horizon read the horizon, as in
    ``running_totals_sql``); a missing pair means zero. One query per thousand clients."""
    if not account_ids or not months:
        return {}
    table = ClientRunningTotal._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    out: dict[tuple[int, date], tuple[int, int]] = {}
    with connection.cursor() as cur:
        for start in range(0, len(account_ids), 1000):
            part = account_ids[start : start + 1000]
            cur.execute(
                f"SELECT account_id, month, revenue_cents, cost_cents, "
                f"(SELECT MAX(month) FROM {table}) FROM {table} "
                f"WHERE account_id IN ({', '.join(['%s'] * len(part))}) "
                f"AND month IN ({', '.join([_CLAMP] * len(months))})",
                [*part, *(adapt(m) for m in months for _ in (0, 1))],
            )
            for account, month, revenue, cost, horizon in cur.fetchall():
                month, horizon = as_date(month), as_date(horizon)
                for m in months:
                    if min(m, horizon) == month:
                        out[(account, m)] = (revenue, cost)
    return out


def as_date(value) -> date:
    """A date column read through a raw cursor: psycopg gives dates, SQLite ISO strings."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
