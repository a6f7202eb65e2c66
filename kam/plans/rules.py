"""Plan periods and the plain arithmetic of plans (SP-1, SP-2): no database.

A period is a month, a quarter or a year, aligned to the company's fiscal year start. It is
written as a code: ``2026-11`` (a calendar month), ``2026-Q1`` (the first quarter of fiscal
year 2026), ``2026`` (fiscal year 2026). A fiscal year is named by the calendar year it
starts in: with the year starting in April, ``2026`` is 2026-04-01..2027-03-31 and
``2026-Q1`` is 2026-04-01..2026-06-30.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kam.core.periods import add_months, month_last_day, month_of

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
LENGTH = {MONTH: 1, QUARTER: 3, YEAR: 12}

# The measures of a plan (SP-1): sales volume (turnover, and income where the company plans
# margin), the active client base and new clients.
TURNOVER, INCOME, ACTIVE_CLIENTS, NEW_CLIENTS = (
    "turnover",
    "income",
    "active_clients",
    "new_clients",
)
MEASURES = (TURNOVER, INCOME, ACTIVE_CLIENTS, NEW_CLIENTS)

_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


class PeriodError(ValueError):
    """A period code that names no period (the message says why)."""


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    starts_on: date  # the first day of its first month
    fiscal_start_month: int = 1

    @property
    def months(self) -> list[date]:
        return [add_months(self.starts_on, i) for i in range(LENGTH[self.kind])]

    @property
    def ends_on(self) -> date:
        """The period's last day."""
        return month_last_day(add_months(self.starts_on, LENGTH[self.kind] - 1))

    @property
    def fiscal_year(self) -> int:
        offset = (self.starts_on.month - self.fiscal_start_month) % 12
        return add_months(self.starts_on, -offset).year

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.starts_on:%Y-%m}"
        if self.kind == YEAR:
            return str(self.fiscal_year)
        offset = (self.starts_on.month - self.fiscal_start_month) % 12
        return f"{self.fiscal_year}-Q{offset // 3 + 1}"

    def next(self) -> "Period":
        return Period(
            self.kind, add_months(self.starts_on, LENGTH[self.kind]), self.fiscal_start_month
        )

    def previous(self) -> "Period":
        return Period(
            self.kind, add_months(self.starts_on, -LENGTH[self.kind]), self.fiscal_start_month
        )

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def period_containing(day: date, kind: str, fiscal_start_month: int = 1) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind not in KINDS:
        raise PeriodError(f"unknown period kind {kind!r}")
    month = month_of(day)
    if kind == MONTH:
        return Period(MONTH, month, fiscal_start_month)
    offset = (month.month - fiscal_start_month) % 12
    if kind == QUARTER:
        offset %= 3
    return Period(kind, add_months(month, -offset), fiscal_start_month)


def period_parse(code: str, fiscal_start_month: int = 1) -> Period:
    """``2026-11``, ``2026-Q1`` or ``2026`` as a Period; PeriodError for anything else."""
    match = _CODE.match((code or "").strip())
    if not match:
        raise PeriodError(f"{code!r} is not a period: write 2026-11, 2026-Q1 or 2026")
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(f"{code!r}: there is no month {month}")
        return Period(MONTH, date(year, month, 1), fiscal_start_month)
    start = date(year, fiscal_start_month, 1)
    if match["quarter"]:
        return Period(
            QUARTER, add_months(start, 3 * (int(match["quarter"]) - 1)), fiscal_start_month
        )
    return Period(YEAR, start, fiscal_start_month)


@dataclass(frozen=True)
class MeasureResult:
    """One measure of one plan: plan, fact to date, fact / plan in percent and the forecast
    for the period's end. Money measures are Decimals in the base currency, counts ints;
    ``plan`` is None where nothing is planned, ``percent`` then None too."""

    measure: str
    plan: Decimal | int | None
    fact: Decimal | int
    percent: Decimal | None
    forecast: Decimal | int | None


def percent_of(fact, plan) -> Decimal | None:
    """fact / plan in percent to two places; None without a positive plan."""
    if plan is None or plan <= 0:
        return None
    return (Decimal(fact) * 100 / Decimal(plan)).quantize(Decimal("0.01"))
