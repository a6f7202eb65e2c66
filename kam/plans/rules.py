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


# --- the split of a plan among its children (SP-1) -------------------------------------------

OVER, UNDER, EVEN = "over", "under", "even"


@dataclass(frozen=True)
class SplitGap:
    """One measure of a split: the parent's plan, the children's sum and ``difference`` =
    children - parent (positive: the children are over the parent)."""

    measure: str
    parent: Decimal | int | None
    children: Decimal | int
    difference: Decimal | int | None

    @property
    def status(self) -> str | None:
        if self.difference is None:
            return None
        if self.difference > 0:
            return OVER
        if self.difference < 0:
            return UNDER
        return EVEN


def split_check(parent: dict, children: list[dict]) -> dict[str, SplitGap]:
    """The children's plans summed per measure against the parent's: ``parent`` and each
    child map a measure to its planned value (None: not planned). A measure the parent does
    not plan has no difference."""
    out = {}
    for measure in MEASURES:
        planned = parent.get(measure)
        values = [c.get(measure) for c in children if c.get(measure) is not None]
        zero = Decimal("0") if measure in MONEY_MEASURES else 0
        total = sum(values, zero)
        out[measure] = SplitGap(
            measure=measure,
            parent=planned,
            children=total,
            difference=None if planned is None else total - planned,
        )
    return out


def split_over(gaps: dict[str, SplitGap]) -> dict[str, Decimal | int]:
    """The measures on which the children are over the parent, and by how much."""
    return {m: g.difference for m, g in gaps.items() if g.status == OVER}


# --- the forecast for the period's end (SP-2) ------------------------------------------------

MONEY_MEASURES = (TURNOVER, INCOME)
CENT = Decimal("0.01")


def same_day_last_year(day: date) -> date:
    """``day`` a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def last_year(period: Period) -> Period:
    """The same period a year earlier."""
    return Period(period.kind, add_months(period.starts_on, -12), period.fiscal_start_month)


def days_elapsed(period: Period, as_of: date) -> int:
    """Days of the period up to and including ``as_of`` (0 before it, all after it)."""
    if as_of < period.starts_on:
        return 0
    return (min(as_of, period.ends_on) - period.starts_on).days + 1


def period_days(period: Period) -> int:
    return (period.ends_on - period.starts_on).days + 1


def seasonal_factor(last_year_whole, last_year_to_date) -> Decimal | None:
    """How much last year's whole period was of last year's same days: the factor that
    carries this year's fact to date to the period's end. None when last year has no
    (positive) data to say it."""
    if last_year_whole is None or last_year_to_date is None:
        return None
    if last_year_to_date <= 0 or last_year_whole <= 0:
        return None
    return Decimal(last_year_whole) / Decimal(last_year_to_date)


def forecast_end(
    *, fact, period: Period, as_of: date, factor: Decimal | None = None
) -> Decimal | int | None:
    """The fact expected at the period's end: the fact itself once the period is over; before
    it starts, None; else ``fact * factor`` where ``factor`` is the seasonal one (last year's
    whole period over last year's same days, the team's for a person with no history) or,
    without one, the plain run-rate (the period's days over the days elapsed). Money to the
    cent, counts to whole clients (half up)."""
    elapsed = days_elapsed(period, as_of)
    if elapsed >= period_days(period):
        return fact
    if elapsed == 0:
        return None
    if factor is None or factor <= 0:
        factor = Decimal(period_days(period)) / Decimal(elapsed)
    value = Decimal(fact) * factor
    if isinstance(fact, int):
        return int(value.quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    return value.quantize(CENT, rounding="ROUND_HALF_UP")


def measure_result(*, measure: str, plan, fact, forecast) -> MeasureResult:
    return MeasureResult(
        measure=measure, plan=plan, fact=fact, percent=percent_of(fact, plan), forecast=forecast
    )
