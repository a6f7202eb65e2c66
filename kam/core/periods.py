"""Months and periods: the one home of calendar arithmetic (issue 7 §8).

Every month is represented by its first day (``date(2026, 11, 1)``). Pure functions, no
database: sales, the radar, plans and pay all count months with these.
"""

import calendar
from datetime import date


def month_of(day: date) -> date:
    """The month ``day`` falls in (its first day)."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_last_day(month: date) -> date:
    """The last calendar day of ``month``'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_between(first: date, last: date) -> int:
    """How many months from ``first``'s month to ``last``'s, both counted (0 if last < first)."""
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    return max(n, 0)


def month_range(first: date, last: date) -> list[date]:
    """Every month from ``first``'s to ``last``'s, both included."""
    return [add_months(first, i) for i in range(months_between(first, last))]
