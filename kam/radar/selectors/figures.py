"""The radar's periods: which months a read covers, and the two trailing years of the NPV
trend. The per-client sums themselves come from the running totals (``board``)."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from kam.core.periods import add_months, month_last_day, months_between
from kam.core.selectors import company_settings
from kam.radar import rules
from kam.radar.models import RadarSettings
from kam.radar.selectors.settings import radar_settings


@dataclass(frozen=True)
class RadarPeriod:
    first: date
    last: date
    months: int
    l12_first: date  # NPV: the trailing 12 months ...
    p12_first: date  # ... and the 12 before them


def _period(as_of: date, s: RadarSettings, fiscal_start_month: int) -> RadarPeriod:
    first, last = rules.period_months(as_of, s.period, fiscal_start_month)
    l12 = add_months(last, -11)
    return RadarPeriod(first, last, months_between(first, last), l12, add_months(l12, -12))


def radar_period(*, as_of: date) -> RadarPeriod:
    """The months a radar read as of ``as_of`` covers, by today's criteria and fiscal year."""
    return _period(as_of, radar_settings(), company_settings().fiscal_year_start_month)


def month_end(month: date) -> date:
    """The radar's as-of date for a month: its last day, or today while it is still running."""
    return min(month_last_day(month), timezone.localdate())
