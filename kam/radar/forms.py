"""Forms of the radar pages: the portfolio's scope (level, unit, month) and its table filters."""

import calendar
from collections.abc import Iterable
from datetime import date

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.clients.selectors_web import reporting_month
from kam.radar.models import Band, Definition, Level
from kam.radar.selectors import PortfolioRow, default_level, unit_choices

# The fields that change which rows the radar computes; the others only narrow the table.
SCOPE_FIELDS = ("level", "unit", "month")
ANY_BAND = "any"

# Sort key -> (row key, largest first?). Ties fall back to the name, so pages are stable.
SORTS = {
    "share": (lambda r: (r.share_pct, r.weight), False),
    "-share": (lambda r: (r.share_pct, r.weight), True),
    "income": (lambda r: r.income, False),
    "-income": (lambda r: r.income, True),
    "npv": (lambda r: r.npv, False),
    "-npv": (lambda r: r.npv, True),
    "name": (lambda r: r.account_name.casefold(), False),
    "-name": (lambda r: r.account_name.casefold(), True),
}
DEFAULT_SORT = "-share"


def month_end(month: date) -> date:
    """The radar's as-of date for a month: its last day, or today while it is still running."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return min(last, timezone.localdate())


def default_month(user) -> date:
    """The last month with sales the user may see, else this one: the client card's 12 months
    end there too, and a window ending in a month with no sales yet would show every client's
    trend falling."""
    return reporting_month(user=user)


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class RadarFilterForm(forms.Form):
    """Scope and filters of the key-account page. Unit and owner choices come from what the
    user may pick (SE-1): a KAM is never offered another KAM or a department not theirs."""

    level = forms.ChoiceField(label=_("Level"), required=False, choices=Level.choices)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    month = forms.DateField(
        label=_("As of month"), required=False, input_formats=["%Y-%m"], widget=MonthInput()
    )
    definition = forms.ChoiceField(
        label=_("Definition"),
        required=False,
        choices=[("", _("Any definition")), *Definition.choices],
    )
    band = forms.ChoiceField(
        label=_("Dependency"),
        required=False,
        choices=[
            ("", _("Any")),
            (ANY_BAND, _("Critical or mono")),
            *((v, label) for v, label in Band.choices if v),
        ],
    )
    abc = forms.ChoiceField(
        label=_("ABC class"),
        required=False,
        choices=[("", _("Any class")), ("A", "A"), ("B", "B"), ("C", "C")],
    )
    owner = forms.TypedChoiceField(
        label=_("Key account manager"), required=False, coerce=int, empty_value=None
    )
    only_key = forms.BooleanField(label=_("Only key accounts"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._default_level = default_level(user)
        level = self.data.get("level") if self.is_bound else None
        if level not in Level.values:
            level = self._default_level
        self.fields["level"].initial = self._default_level
        self.fields["month"].initial = default_month(user)
        people = unit_choices(user=user, level=Level.MANAGER)
        units = people if level == Level.MANAGER else unit_choices(user=user, level=level)
        self.fields["unit"].choices = [("", _("Everything I may see")), *units]
        if level == Level.COMPANY:
            self.fields["unit"].disabled = True
        # Level, unit and month change the alerts, the concentration and the unit choices too:
        # each asks for the whole radar block, not only the table (see views.portfolio_view).
        for name in SCOPE_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("radar:portfolio"),
                    "hx-include": "#radar-filters",
                    "hx-target": "#radar-page",
                    "hx-swap": "outerHTML",
                    "hx-trigger": "change consume",
                    "hx-push-url": "true",
                }
            )
        self.fields["owner"].choices = [("", _("Anyone")), *people]

    def _value(self, name, default=None):
        # A bad value in one field (a stale unit, a month typed by hand) drops that field only.
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def chosen_level(self) -> str:
        return self._value("level", self._default_level)

    def chosen_month(self) -> date:
        month = self._value("month") or self.fields["month"].initial
        today = timezone.localdate()
        if (month.year, month.month) > (today.year, today.month):
            month = today
        return month.replace(day=1)

    def scope(self) -> dict:
        """Keyword arguments for ``radar_portfolio``."""
        level = self.chosen_level()
        return {
            "level": level,
            "unit_id": None if level == Level.COMPANY else self._value("unit"),
            "as_of": month_end(self.chosen_month()),
        }

    def sort_key(self) -> str:
        return self._value("sort", DEFAULT_SORT)

    def rows(self, rows: Iterable[PortfolioRow]) -> list[PortfolioRow]:
        """The rows the table shows: filtered, then sorted."""
        definition = self._value("definition", "")
        band = self._value("band", "")
        abc = self._value("abc", "")
        owner = self._value("owner")
        only_key = self._value("only_key", False)
        out = []
        for r in rows:
            if only_key and not r.is_key:
                continue
            if definition and definition not in r.definitions + r.suggestions:
                continue
            if band == ANY_BAND and not r.band:
                continue
            if band not in ("", ANY_BAND) and r.band != band:
                continue
            if abc and r.abc != abc:
                continue
            if owner is not None and r.owner_id != owner:
                continue
            out.append(r)
        key, reverse = SORTS[self.sort_key()]
        out.sort(key=lambda r: (r.account_name.casefold(), r.account_id))
        out.sort(key=key, reverse=reverse)  # stable: equal keys stay in name order
        return out
