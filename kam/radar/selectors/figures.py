"""Set-based loading of the radar's figures: periods, per-client sums and unit totals."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum

from kam.clients.models import Account
from kam.radar import rules
from kam.radar.models import Level, RadarSettings
from kam.radar.selectors.types import ZERO
from kam.sales.models import ClientMonth


def _dec(value) -> Decimal:
    """A database sum as an exact Decimal (SQLite hands raw sums back as floats)."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(rules.CENT)


# --- loading: set-based ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    first: date
    last: date
    months: int
    l12_first: date  # NPV: the trailing 12 months ...
    p12_first: date  # ... and the 12 before them


def _period(as_of: date, s: RadarSettings, fiscal_start_month: int) -> _Period:
    first, last = rules.period_months(as_of, s.period, fiscal_start_month)
    l12 = rules.add_months(last, -11)
    return _Period(first, last, rules.months_between(first, last), l12, rules.add_months(l12, -12))


def _unit_totals(period: _Period, basis: str) -> dict[tuple[int | None, int | None], Decimal]:
    """Positive weight per (department, owner) over every client: two GROUP BYs, few rows.

    Each client's weight is summed first and only positive ones are added up, so a loss-making
    client cannot shrink its unit's denominator (see rules).
    """
    cm, acc = ClientMonth._meta.db_table, Account._meta.db_table
    w = "SUM(revenue - cost)" if basis == rules.INCOME else "SUM(revenue)"
    sql = (
        f"SELECT a.department_id, a.owner_id, SUM(t.w) FROM "
        f"(SELECT account_id, {w} AS w FROM {cm} WHERE month >= %s AND month <= %s "
        f"GROUP BY account_id) t JOIN {acc} a ON a.id = t.account_id "
        f"WHERE t.w > 0 GROUP BY a.department_id, a.owner_id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [period.first, period.last])
        return {(d, o): _dec(total) for d, o, total in cur.fetchall()}


@dataclass
class _Totals:
    company: Decimal
    department: dict[int | None, Decimal]
    owner: dict[int | None, Decimal]

    @classmethod
    def of(cls, pairs: dict[tuple[int | None, int | None], Decimal]) -> "_Totals":
        dept: dict[int | None, Decimal] = defaultdict(Decimal)
        owner: dict[int | None, Decimal] = defaultdict(Decimal)
        for (d, o), total in pairs.items():
            dept[d] += total
            owner[o] += total
        return cls(sum(pairs.values(), ZERO), dict(dept), dict(owner))

    def of_unit(self, level: str, unit: int | None) -> Decimal:
        if level == Level.COMPANY:
            return self.company
        table = self.department if level == Level.DEPARTMENT else self.owner
        return table.get(unit, ZERO)


class _Figures(NamedTuple):  # a tuple: a hundred thousand are built per read
    revenue: Decimal
    cost: Decimal
    last12: Decimal
    prev12: Decimal


def _sum_reader():
    """What Django's converters make of a DecimalField SUM read back through a raw cursor.

    psycopg hands back Decimals. SQLite hands back floats (or ints), which Django cuts to 15
    significant digits without rounding to the field's places (an aggregate is not a column);
    reading them the same way keeps every figure identical to the ORM's ``values()``."""
    if connection.vendor == "sqlite":
        from_float = Context(prec=15).create_decimal_from_float
        return lambda value: ZERO if value is None else from_float(value)
    return _dec


def _figures(
    period: _Period, restrict: QuerySet | None, *, with_trend: bool = True
) -> dict[int, _Figures]:
    """The period's revenue and cost, and the two trailing years' income, per client: one
    GROUP BY over the monthly roll-up with conditional sums."""
    income = F("revenue") - F("cost")
    first = min(period.first, period.p12_first) if with_trend else period.first
    qs = ClientMonth.objects.filter(month__gte=first, month__lte=period.last)
    if restrict is not None:
        qs = qs.filter(account_id__in=restrict.values("pk"))
    if not with_trend:
        rows = qs.values("account_id").annotate(p_revenue=Sum("revenue"), p_cost=Sum("cost"))
        names = ("account_id", "p_revenue", "p_cost")
    else:
        rows = qs.values("account_id").annotate(
            p_revenue=Sum("revenue", filter=Q(month__gte=period.first)),
            p_cost=Sum("cost", filter=Q(month__gte=period.first)),
            l12=Sum(income, filter=Q(month__gte=period.l12_first)),
            p12=Sum(income, filter=Q(month__lt=period.l12_first)),
        )
        names = ("account_id", "p_revenue", "p_cost", "l12", "p12")
    # The ORM writes the statement; a raw cursor reads it, skipping Django's per-value
    # converters and per-row dicts (a second on a hundred thousand clients).
    sql, params = rows.values_list(*names).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    read = _sum_reader()
    if not with_trend:
        return {pk: _Figures(read(r), read(c), ZERO, ZERO) for pk, r, c in fetched}
    return {pk: _Figures(read(r), read(c), read(g), read(p)) for pk, r, c, g, p in fetched}
