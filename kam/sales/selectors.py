"""Reads of the ledger and its monthly roll-up, always from what the user may see (SE-1)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BigIntegerField,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.clients.models import Account
from kam.core.models import MONEY_DIGITS, MONEY_PLACES
from kam.core.periods import add_months, month_of, month_range
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
    # Revenue of lines whose cost is unknown (issue 8 §3): in revenue, not in income.
    uncosted: Decimal = Decimal(0)

    @property
    def income(self) -> Decimal:
        """Income of the lines with a known cost: a line without one has unknown income, not
        its whole revenue."""
        return self.revenue - self.uncosted - self.cost

    @property
    def income_incomplete(self) -> bool:
        return self.uncosted != 0


def account_monthly_series(*, account: Account, months: int = 24, until: date) -> list[MonthPoint]:
    """The last ``months`` months up to ``until`` for one client (already scoped by the caller),
    every month present, zero where nothing was sold."""
    last = month_of(until)
    first = add_months(last, -(months - 1))
    rows = {
        r["month"]: r
        for r in ClientMonth.objects.filter(
            account=account, month__gte=first, month__lte=last
        ).values("month", "revenue", "cost", "revenue_uncosted")
    }
    series = []
    for i in range(months):
        m = add_months(first, i)
        r = rows.get(m)
        if r is None:
            series.append(MonthPoint(m, Decimal(0), Decimal(0)))
        else:
            series.append(MonthPoint(m, r["revenue"], r["cost"], r["revenue_uncosted"]))
    return series


def account_top_products(
    *, account: Account, date_from: date | None = None, limit: int = 10
) -> list[dict]:
    """The client's best products by income, with revenue and quantity. Service lines
    (postage, freight: ``Product.is_service``) are revenue but no product (issue 8 §3): left
    out. Income counts the lines with a known cost; ``uncosted`` is the revenue of the others
    (``income_incomplete`` when there is any)."""
    qs = SalesLine.objects.filter(account=account, product__is_service=False)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    known = Q(cost_known=True)
    rows = list(
        qs.values("product_id", "product__sku", "product__name")
        .annotate(
            revenue=Sum("revenue_base"),
            income=Coalesce(
                Sum(F("revenue_base") - F("cost_base"), filter=known), Value(0), output_field=MONEY
            ),
            uncosted=Coalesce(Sum("revenue_base", filter=~known), Value(0), output_field=MONEY),
            quantity=Sum("quantity"),
        )
        .order_by("-income", "product__sku")[:limit]
    )
    for r in rows:
        r["income_incomplete"] = r["uncosted"] != 0
    return rows


def last_sales_month(*, user) -> date | None:
    """The latest month with any sales the user may see (charts end there, not at today)."""
    row = ClientMonth.objects.visible_to(user).order_by("-month").values_list("month", flat=True)
    return row.first()


def running_totals_sql(month: date) -> tuple[str, list]:
    """SQL selecting ``(account_id, revenue_cents, cost_cents, uncosted_cents)`` (uncosted:
    the revenue of lines without a known cost, issue 8 §3): every client's cumulative
    base-currency sums through ``month`` (the first day of a month), in cents, for each client
    with sales up to then (missing: zero), in client order. Not scoped: callers join it to the
    accounts a user may see. A period's sum is the totals at its last month minus those at the
    month before its first (see ``ClientRunningTotal``): one index read per client and month.
    A month after the horizon reads the horizon's totals, which hold from there on."""
    table = ClientRunningTotal._meta.db_table
    m = connection.ops.adapt_datefield_value(month)
    sql = (
        f"SELECT account_id, revenue_cents, cost_cents, uncosted_cents FROM {table} "
        f"WHERE month = {_CLAMP}"
    )
    return sql, [m, m]


# A month (twice as %s), or the horizon when the month is later: totals hold from there on.
_CLAMP = (
    f"(SELECT CASE WHEN MAX(month) < %s THEN MAX(month) ELSE %s END "
    f"FROM {ClientRunningTotal._meta.db_table})"
)


def running_totals_of(
    account_ids: list[int], months: list[date]
) -> dict[tuple[int, date], tuple[int, int, int]]:
    """``(account_id, month) -> (revenue_cents, cost_cents, uncosted_cents)``: the running
    totals of a few
    clients at a few months (months after the horizon read the horizon, as in
    ``running_totals_sql``); a missing pair means zero. One query per thousand clients."""
    if not account_ids or not months:
        return {}
    table = ClientRunningTotal._meta.db_table
    adapt = connection.ops.adapt_datefield_value
    out: dict[tuple[int, date], tuple[int, int, int]] = {}
    with connection.cursor() as cur:
        for start in range(0, len(account_ids), 1000):
            part = account_ids[start : start + 1000]
            cur.execute(
                f"SELECT account_id, month, revenue_cents, cost_cents, uncosted_cents, "
                f"(SELECT MAX(month) FROM {table}) FROM {table} "
                f"WHERE account_id IN ({', '.join(['%s'] * len(part))}) "
                f"AND month IN ({', '.join([_CLAMP] * len(months))})",
                [*part, *(adapt(m) for m in months for _ in (0, 1))],
            )
            for account, month, revenue, cost, uncosted, horizon in cur.fetchall():
                month, horizon = as_date(month), as_date(horizon)
                for m in months:
                    if min(m, horizon) == month:
                        out[(account, m)] = (revenue, cost, uncosted)
    return out


def as_date(value) -> date:
    """A date column read through a raw cursor: psycopg gives dates, SQLite ISO strings."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- figures the pages show (issue 7 §8: the web shell and the client pages read them here) ---
#
# A period's sum per client is two index reads of the running totals (``ClientRunningTotal``:
# total at the period's last month minus total at the month before its first), not a sum over
# its months of ``ClientMonth``: a page costs the same at 12 or 120 months of history.

MONEY = DecimalField(max_digits=MONEY_DIGITS + 4, decimal_places=MONEY_PLACES)
CENTS = Decimal("0.01")


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


def running_horizon() -> date | None:
    """The latest month of the running totals (one read of the (month, account) index)."""
    month = ClientRunningTotal.objects.order_by("-month").values_list("month", flat=True).first()
    return month


def _period_months(window: Window) -> tuple[date, date] | None:
    """The two running-total months whose difference is the window's sum (clamped to the
    horizon, where totals hold from then on); None when there are no totals at all."""
    horizon = running_horizon()
    if horizon is None:
        return None
    return min(window.last, horizon), min(add_months(window.first, -1), horizon)


def _cents_at(month: date, column: str) -> Coalesce:
    value = ClientRunningTotal.objects.filter(account=OuterRef("pk"), month=month).values(column)
    return Coalesce(Subquery(value), Value(0), output_field=BigIntegerField())


def with_period_cents(qs: QuerySet[Account], *, window: Window) -> QuerySet[Account]:
    """Annotate ``revenue_cents``, ``income_cents`` (KC-1: income = revenue - cost, of the
    lines with a known cost: (revenue - uncosted) - cost, issue 8 §3) and ``uncosted_cents``
    (revenue of lines without a known cost: the income is incomplete), the base-currency sums
    over ``window`` in integer cents, exact on SQLite and PostgreSQL alike and cheap to sort
    by. ``money_of`` turns a row's cents into the amounts pages show."""
    months = _period_months(window)
    zero = Value(0, output_field=BigIntegerField())
    if months is None:
        return qs.annotate(revenue_cents=zero, income_cents=zero, uncosted_cents=zero)
    last, before = months
    if before >= last:  # the whole window lies after the horizon: nothing was sold in it
        revenue = income = uncosted = zero
    else:
        revenue = _cents_at(last, "revenue_cents") - _cents_at(before, "revenue_cents")
        uncosted = _cents_at(last, "uncosted_cents") - _cents_at(before, "uncosted_cents")
        income = (
            _cents_at(last, "revenue_cents")
            - _cents_at(last, "uncosted_cents")
            - _cents_at(last, "cost_cents")
            - _cents_at(before, "revenue_cents")
            + _cents_at(before, "uncosted_cents")
            + _cents_at(before, "cost_cents")
        )
    return qs.annotate(revenue_cents=revenue, income_cents=income, uncosted_cents=uncosted)


def money_of(accounts) -> list:
    """The accounts with ``revenue_12m``, ``income_12m`` and ``uncosted_12m`` set from their
    cents, and ``income_incomplete`` when some revenue has no known cost."""
    out = list(accounts)
    for a in out:
        a.revenue_12m = Decimal(a.revenue_cents) * CENTS
        a.income_12m = Decimal(a.income_cents) * CENTS
        a.uncosted_12m = Decimal(a.uncosted_cents) * CENTS
        a.income_incomplete = a.uncosted_cents != 0
    return out


def period_totals_of(account_ids: list[int], *, window: Window) -> dict[int, tuple[int, int, int]]:
    """``account_id -> (revenue_cents, income_cents, uncosted_cents)`` over ``window`` for a
    few clients (already scoped by the caller): four running totals per client, one query.
    Income leaves out the lines without a known cost (their revenue is ``uncosted``)."""
    months = _period_months(window)
    if months is None or months[1] >= months[0]:
        return {}
    last, before = months
    found = running_totals_of(account_ids, [last, before])
    out = {}
    for pk in account_ids:
        r1, c1, u1 = found.get((pk, last), (0, 0, 0))
        r0, c0, u0 = found.get((pk, before), (0, 0, 0))
        out[pk] = (r1 - r0, (r1 - u1 - c1) - (r0 - u0 - c0), u1 - u0)
    return out


def scope_period_cents(*, user, window: Window) -> tuple[int, int, int]:
    """Revenue, cost and revenue without a known cost (issue 8 §3), in cents, of every client
    the user may see over ``window``: two running-total reads per client summed by the
    database (no months of rows)."""
    months = _period_months(window)
    if months is None or months[1] >= months[0]:
        return 0, 0, 0
    last, before = months
    table = ClientRunningTotal._meta.db_table
    visible = Account.objects.visible_to(user).order_by().values("pk")
    vsql, vparams = visible.query.sql_with_params()
    adapt = connection.ops.adapt_datefield_value
    sql = (
        f"SELECT COALESCE(SUM(CASE WHEN month = %s THEN revenue_cents ELSE -revenue_cents END), 0), "
        f"COALESCE(SUM(CASE WHEN month = %s THEN cost_cents ELSE -cost_cents END), 0), "
        f"COALESCE(SUM(CASE WHEN month = %s THEN uncosted_cents ELSE -uncosted_cents END), 0) "
        f"FROM {table} WHERE month IN (%s, %s) AND account_id IN ({vsql})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*(adapt(last) for _ in range(4)), adapt(before), *vparams])
        revenue, cost, uncosted = cur.fetchone()
    return int(revenue), int(cost), int(uncosted)


def scope_monthly_series(*, user, window: Window) -> list[MonthPoint]:
    """Every month of the window for the user's clients, zero where nothing was sold."""
    rows = {
        r["month"]: r
        for r in ClientMonth.objects.visible_to(user)
        .filter(month__gte=window.first, month__lte=window.last)
        .order_by()
        .values("month")
        .annotate(
            revenue=Sum("revenue", output_field=MONEY),
            cost=Sum("cost", output_field=MONEY),
            uncosted=Sum("revenue_uncosted", output_field=MONEY),
        )
    }
    return [
        MonthPoint(m, rows[m]["revenue"], rows[m]["cost"], rows[m]["uncosted"])
        if m in rows
        else MonthPoint(m, Decimal(0), Decimal(0))
        for m in month_range(window.first, window.last)
    ]
