"""Chart data for the pages: plain lists that templates hand to Chart.js via ``json_script``."""

from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.core.money import quantize
from kam.sales.selectors import MonthPoint


def monthly_chart_data(points: Iterable[MonthPoint], *, currency: str) -> dict:
    """Revenue and income per month. Amounts travel as strings: JSON has no decimal type and
    the browser only draws them."""
    points = list(points)
    return {
        "labels": [date_format(p.month, "M Y") for p in points],
        "revenue": [str(quantize(p.revenue)) for p in points],
        "income": [str(quantize(p.income)) for p in points],
        "currency": currency,
        "names": {"revenue": _("Revenue"), "income": _("Income")},
    }
