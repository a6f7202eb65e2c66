"""The radar's periods: which months a read covers, and the two trailing years of the NPV
trend. The per-client sums themselves come from the running totals (``board``)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kam.core.periods import add_months, month_last_day, months_between
from kam.radar import rules
from kam.radar.models import RadarSettings


@dataclass(frozen=True)
class _Period:
    first: date
    last: date
    months: int
    l12_first: date  # NPV: the trailing 12 months ...
    p12_first: date  # ... and the 12 before them


def _period(as_of: date, s: RadarSettings, fiscal_start_month: int) -> _Period:
    first, last = rules.period_months(as_of, s.period, fiscal_start_month)
    l12 = add_months(last, -11)
    return _Period(first, last, months_between(first, last), l12, add_months(l12, -12))


def month_end(month: date) -> date:
    """The radar's as-of date for a month: its last day, or today while it is still running."""
    return min(month_last_day(month), timezone.localdate())
