"""Forms of the radar pages: the portfolio's filters, the criteria, and the evidence a KAM
records on a client (wallet, reference case, partner disclosure, consultation, manual flag)."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.bounds import clamp_date
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
    month_end,
    unit_choices,
    wallet_currencies,
)
from kam.radar.services import SETTINGS_FIELDS
from kam.sales.selectors import reporting_month

# The fields that change which rows the radar computes; the others only narrow the table.
SCOPE_FIELDS = ("level", "unit", "month")

SORTS = ROW_SORTS  # the table's orders (``kam.radar.selectors.ROW_SORTS``)


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

    def __init__(self, data=None, *args, user, **kwargs):
        if data is not None and not data.get("month"):
            # A link that sets only the level (or the unit) is still a look at the default
            # month: bound without it, the month box would render empty (issue 7 §7).
            data = data.copy()
            data["month"] = default_month(user).strftime("%Y-%m")
        super().__init__(data, *args, **kwargs)
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
        # A read: a month before the company's history or past today answers for the nearest
        # month that makes sense (``clamp_date``), never an error (issue 7 §2).
        month = self._value("month") or self.fields["month"].initial
        month = min(clamp_date(month), timezone.localdate())
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

# The page groups the criteria by requirement; every settings field appears exactly once. The
# legend is words; the requirement id stays beside it as a small reference (issue 7 §7).
SETTINGS_GROUPS = (
    (_("What a client weighs and over which period"), "KC-1", ("basis", "period")),
    (_("Key by amount or by share"), "KC-2", ("key_amount", "key_share_pct")),
    (_("Dependency on one client"), "KC-3", ("critical_pct", "mono_pct")),
    (_("Key by potential"), "KC-4", ("potential_headroom",)),
    (_("Innovators"), "KC-8", ("innovator_share_pct", "innovator_window_months")),
    (_("Key accounts per KAM"), "KC-11", ("max_key_per_kam",)),
    (
        _("Value: NPV"),
        "KC-12",
        ("npv_rate_pct", "npv_horizon_years", "npv_growth_cap_pct"),
    ),
    (_("Concentration: ABC classes"), "KC-13", ("abc_a_pct", "abc_b_pct")),
)
SETTINGS_ORDER = tuple(name for _title, _ref, names in SETTINGS_GROUPS for name in names)

SETTINGS_HELP = {
    "basis": _(
        "Income (revenue minus cost) by default; turnover can be bought with loss-making prices."
    ),
    "period": _("The window the shares and amounts are measured over."),
    "key_amount": _(
        "A client is key when its weight over a year reaches this, in the base currency "
        "(prorated for shorter periods). Empty: not used."
    ),
    "key_share_pct": _(
        "A client is key when it brings at least this share of its unit's weight. Empty: not used."
    ),
    "critical_pct": _("From this share one client is a critical dependency (usually 20 %)."),
    "mono_pct": _(
        "From this share one client is a mono client (usually 70 %); not below the critical limit."
    ),
    "potential_headroom": _(
        "Key by potential when the client's annual wallet minus our annualised sales "
        "reaches this, in the base currency."
    ),
    "innovator_share_pct": _(
        "The first buyers of a new product, as a share of all its buyers, suggested as "
        "innovators (about 2.5 %)."
    ),
    "innovator_window_months": _("Only products launched within this many months count."),
    "max_key_per_kam": _(
        "A KAM holding more company-level key accounts than this is flagged. Counted: every "
        "client key at company level by a confirmed definition: amount, share or dependency "
        "against the company, potential, or a reference, partner, competent or innovator mark. "
        "Suggestions not yet confirmed do not count."
    ),
    "npv_rate_pct": _("The yearly rate each client's expected margin is discounted at."),
    "npv_horizon_years": _("How many years of expected margin the NPV adds up."),
    "npv_growth_cap_pct": _(
        "The NPV projects each client's trend forward, but never faster than this growth (or "
        "decline) a year. The Trend column shows the growth as measured, uncapped."
    ),
    "abc_a_pct": _(
        "The largest clients that together bring up to this share of the weight are class A."
    ),
    "abc_b_pct": _("The next ones up to this cumulative share are class B; the rest, C."),
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
        """(title, requirement id, bound fields) per requirement, for the template."""
        return [
            (title, ref, [self[name] for name in names]) for title, ref, names in SETTINGS_GROUPS
        ]

    def changes(self) -> dict:
        """What to pass to ``radar_settings_update``: every criterion (the service keeps only
        the ones that differ, for the audit)."""
        return {k: v for k, v in self.cleaned_data.items() if k in SETTINGS_FIELDS}


# --- evidence a KAM records on a client (KC-4..KC-8) -------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PastDateField(forms.DateField):
    """The day something happened; empty means today. Parsed only: which days are allowed
    (history start to today) the service decides, for the API alike (issue 7 §2)."""

    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


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


class WalletEstimateForm(forms.Form):
    """KC-4: the client's annual budget for our categories and who supplies it."""

    # Parsed only: the bounds (0 to MAX_AMOUNT, two places) are the service's.
    annual_budget = forms.DecimalField(label=_("Annual budget for our categories"))
    currency = forms.ChoiceField(label=_("Currency"))
    recorded_at = PastDateField(label=_("Estimated on"), help_text=_("Empty: today."))
    review_on = forms.DateField(label=_("Review on"), required=False, widget=DateInput)
    categories = forms.CharField(
        label=_("Categories"), required=False, widget=forms.TextInput(attrs={"maxlength": 255})
    )
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


_SHARE_LINE = re.compile(r"^(?P<name>.+?)\s*[:;\t]\s*(?P<share>[^:;\t]+?)\s*%?\s*$")
_SHARE_TAIL = re.compile(r"^(?P<name>.+?)\s+(?P<share>[\d.,]+)\s*%?\s*$")


def parse_competitors(text: str) -> list[tuple[str, Decimal]]:
    """Lines of "Name: share %" as (name, share); every line that cannot be read is named in one
    error. Parsing only: duplicates, the 0..100 range and the 100 % total are the service's
    rules (``wallet_estimate_record``), the same for the API."""
    out: list[tuple[str, Decimal]] = []
    problems: list[str] = []
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
        try:
            share = Decimal(m["share"].strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            problems.append(
                _("Line %(n)s: “%(share)s” is not a number.") % {"n": number, "share": m["share"]}
            )
            continue
        out.append((m["name"].strip(), share))
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

    topic = forms.CharField(
        label=_("Consulted on"), widget=forms.TextInput(attrs={"maxlength": 255})
    )
    consulted_on = PastDateField(label=_("Date"), help_text=_("Empty: today."))
