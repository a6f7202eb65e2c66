"""Forms of the radar pages: the portfolio's filters, the criteria, and the evidence a KAM
records on a client (wallet, reference case, partner disclosure, consultation, manual flag)."""

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.radar.models import (
    MANUAL_DEFINITIONS,
    Band,
    Definition,
    Level,
    PartnerDisclosure,
    RadarSettings,
)
from kam.radar.selectors import (
    ANY_BAND,
    DEFAULT_SORT,
    ROW_SORTS,
    default_level,
    manager_units,
    unit_choices,
    wallet_currencies,
)
from kam.radar.services import SETTINGS_FIELDS
from kam.sales.selectors import reporting_month

# The fields that change which rows the radar computes; the others only narrow the table.
SCOPE_FIELDS = ("level", "unit", "month")

SORTS = ROW_SORTS  # the table's orders (``kam.radar.selectors.ROW_SORTS``)


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

    def filters(self) -> dict:
        """Keyword arguments for ``radar_portfolio`` that narrow and order the table."""
        return {
            "definition": self._value("definition", ""),
            "band": self._value("band", ""),
            "abc": self._value("abc", ""),
            "owner_id": self._value("owner"),
            "only_key": self._value("only_key", False),
            "sort": self.sort_key(),
        }


# --- the criteria (KC-1..KC-4, KC-8, KC-11..KC-13) ---------------------------------------------

# The page groups the criteria by requirement; every settings field appears exactly once.
SETTINGS_GROUPS = (
    (_("What a client weighs (KC-1) and over which period"), ("basis", "period")),
    (_("Key by amount or by share (KC-2)"), ("key_amount", "key_share_pct")),
    (_("Dependency on one client (KC-3)"), ("critical_pct", "mono_pct")),
    (_("Key by potential (KC-4)"), ("potential_headroom",)),
    (_("Innovators (KC-8)"), ("innovator_share_pct", "innovator_window_months")),
    (_("Assignment (KC-11)"), ("max_key_per_kam",)),
    (_("Value: NPV (KC-12)"), ("npv_rate_pct", "npv_horizon_years", "npv_growth_cap_pct")),
    (_("Concentration: ABC classes (KC-13)"), ("abc_a_pct", "abc_b_pct")),
)
SETTINGS_ORDER = tuple(name for _title, names in SETTINGS_GROUPS for name in names)

SETTINGS_HELP = {
    "basis": _(
        "KC-1: income (revenue minus cost) by default; turnover can be bought with "
        "loss-making prices."
    ),
    "period": _("KC-2: the window the shares and amounts are measured over."),
    "key_amount": _(
        "KC-2: a client is key when its weight over a year reaches this, in the base currency "
        "(prorated for shorter periods). Empty: not used."
    ),
    "key_share_pct": _(
        "KC-2: a client is key when it brings at least this share of its unit's weight. "
        "Empty: not used."
    ),
    "critical_pct": _("KC-3: from this share one client is a critical dependency (usually 20 %)."),
    "mono_pct": _(
        "KC-3: from this share one client is a mono client (usually 70 %); not below the "
        "critical limit."
    ),
    "potential_headroom": _(
        "KC-4: key by potential when the client's annual wallet minus our annualised sales "
        "reaches this, in the base currency."
    ),
    "innovator_share_pct": _(
        "KC-8: the first buyers of a new product, as a share of all its buyers, suggested as "
        "innovators (about 2.5 %)."
    ),
    "innovator_window_months": _("KC-8: only products launched within this many months count."),
    "max_key_per_kam": _(
        "KC-11: a KAM holding more company-level key accounts than this is flagged."
    ),
    "npv_rate_pct": _("KC-12: the yearly rate each client's expected margin is discounted at."),
    "npv_horizon_years": _("KC-12: how many years of expected margin the NPV adds up."),
    "npv_growth_cap_pct": _(
        "KC-12: the client's trend is projected forward, capped at this growth a year."
    ),
    "abc_a_pct": _(
        "KC-13: the largest clients that together bring up to this share of the weight are class A."
    ),
    "abc_b_pct": _("KC-13: the next ones up to this cumulative share are class B; the rest, C."),
}


def _plain(value):
    """10.000 as 10 and 50000.00 as 50000: how people write a threshold."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


class RadarSettingsForm(forms.ModelForm):
    """The criteria as one form. Cross-field rules live in ``RadarSettings.clean`` so the API
    answers the same; ``version`` is the optimistic-concurrency token the save must match."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = RadarSettings
        fields = SETTINGS_ORDER
        help_texts = SETTINGS_HELP

    def __init__(self, *args, editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        for name, field in self.fields.items():
            if name != "version":
                self.initial[name] = _plain(self.initial.get(name))
            if not editable:
                field.disabled = True

    def groups(self):
        """(title, bound fields) per requirement, for the template."""
        return [(title, [self[name] for name in names]) for title, names in SETTINGS_GROUPS]

    def changes(self) -> dict:
        """What to pass to ``radar_settings_update``: every criterion (the service keeps only
        the ones that differ, for the audit)."""
        return {k: v for k, v in self.cleaned_data.items() if k in SETTINGS_FIELDS}


# --- evidence a KAM records on a client (KC-4..KC-8) -------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _not_future(value: date | None) -> date | None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."))
    return value


class PastDateField(forms.DateField):
    """The day something happened: today or earlier; today when left empty."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        return _not_future(super().clean(value)) or timezone.localdate()


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class KeyFlagForm(forms.Form):
    """Mark a client key by a manual definition (KC-5..KC-8), or renew the mark."""

    definition = forms.ChoiceField(
        label=_("Key as"), choices=[(d.value, d.label) for d in MANUAL_DEFINITIONS]
    )
    note = forms.CharField(label=_("Why"), required=False, widget=_rows(2))
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        empty_label=_("The client's KAM"),
        help_text=_("Who keeps this mark up to date."),
    )
    review_on = forms.DateField(
        label=_("Review on"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: a year from today."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only someone the user may see can own a flag (SE-1), as in the API.
        self.fields["owner"].queryset = manager_units(user).order_by(
            "last_name", "first_name", "username"
        )

    def clean_review_on(self):
        value = self.cleaned_data.get("review_on")
        if value and value <= timezone.localdate():
            raise ValidationError(_("The review date must be after today."))
        return value


class WalletEstimateForm(forms.Form):
    """KC-4: the client's annual budget for our categories and who supplies it."""

    annual_budget = forms.DecimalField(
        label=_("Annual budget for our categories"),
        min_value=Decimal("0"),
        max_digits=18,
        decimal_places=2,
    )
    currency = forms.ChoiceField(label=_("Currency"))
    recorded_at = PastDateField(label=_("Estimated on"), help_text=_("Empty: today."))
    review_on = forms.DateField(label=_("Review on"), required=False, widget=DateInput)
    categories = forms.CharField(label=_("Categories"), required=False, max_length=255)
    competitors = forms.CharField(
        label=_("Competitors and their shares"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("Medline: 40\nBaltic Pharma: 25")}
        ),
        help_text=_("One a line: “Name: share %”."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=_rows(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currencies = wallet_currencies()
        self.fields["currency"].choices = [(c, c) for c in currencies]
        self.fields["currency"].initial = currencies[0]

    def clean_competitors(self) -> list[tuple[str, Decimal]]:
        return parse_competitors(self.cleaned_data.get("competitors", ""))

    def clean(self):
        data = super().clean()
        on, review = data.get("recorded_at"), data.get("review_on")
        if on and review and review <= on:
            self.add_error("review_on", _("The review date must be after the estimate."))
        return data


_SHARE_LINE = re.compile(r"^(?P<name>.+?)\s*[:;\t]\s*(?P<share>[^:;\t]+?)\s*%?\s*$")
_SHARE_TAIL = re.compile(r"^(?P<name>.+?)\s+(?P<share>[\d.,]+)\s*%?\s*$")


def parse_competitors(text: str) -> list[tuple[str, Decimal]]:
    """Lines of "Name: share %" as (name, share); every bad line is named in one error."""
    out: list[tuple[str, Decimal]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = _SHARE_LINE.match(line) or _SHARE_TAIL.match(line)
        if m is None:
            problems.append(
                _("Line %(n)s: write it as “Name: share %%”, e.g. “Medline: 40”.") % {"n": number}
            )
            continue
        name = m["name"].strip()
        try:
            share = Decimal(m["share"].strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            problems.append(
                _("Line %(n)s: “%(share)s” is not a number.") % {"n": number, "share": m["share"]}
            )
            continue
        if not share.is_finite() or not 0 <= share <= 100:
            problems.append(_("Line %(n)s: a share is between 0 and 100 %%.") % {"n": number})
        elif len(name) > 200:
            problems.append(_("Line %(n)s: the name is too long.") % {"n": number})
        elif name.casefold() in seen:
            problems.append(
                _("Line %(n)s: %(name)s is listed twice.") % {"n": number, "name": name}
            )
        else:
            seen.add(name.casefold())
            out.append((name, share))
    if not problems:
        total = sum((share for _name, share in out), Decimal(0))
        if total > 100:
            problems.append(
                _("The shares add up to %(total)s %%; they cannot pass 100 %%.")
                % {"total": _plain(total)}
            )
    if problems:
        raise ValidationError(problems)
    return out


class ReferenceCaseForm(forms.Form):
    """KC-5: what exactly we did for the client, when, and the result."""

    what = forms.CharField(label=_("What we did"), widget=_rows(2))
    done_on = PastDateField(label=_("When"), help_text=_("Empty: today."))
    result = forms.CharField(label=_("Result"), required=False, widget=_rows(2))


class PartnerDisclosureForm(forms.Form):
    """KC-6: something the client shared with us."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerDisclosure.Kind.choices)
    text = forms.CharField(label=_("What they shared"), widget=_rows(2))
    disclosed_on = PastDateField(label=_("Date"), help_text=_("Empty: today."))


class ConsultationForm(forms.Form):
    """KC-7: what the client was consulted on."""

    topic = forms.CharField(label=_("Consulted on"), max_length=255)
    consulted_on = PastDateField(label=_("Date"), help_text=_("Empty: today."))
