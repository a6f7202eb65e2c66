"""Forms of the pay pages: they parse (a period code, a table written one row a line); the
services decide and refuse naming the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import ProductCategory
from kam.core.bounds import control_character
from kam.org.models import Territory, User
from kam.pay.models import PayScheme, PayStatement
from kam.plans.rules import PeriodError, period_parse


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodField(forms.CharField):
    """A period code (2026-11, 2026-Q1, 2026) as a kam.plans.rules.Period."""

    def __init__(self, *args, fiscal_start_month: int = 1, **kwargs):
        kwargs.setdefault("max_length", 8)
        super().__init__(*args, **kwargs)
        self.fiscal_start_month = fiscal_start_month

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return period_parse(value, self.fiscal_start_month)
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None


def _person_label(user: User) -> str:
    return str(user)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # SQLite: an id past 64 bits names nobody
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class SchemeChoice(forms.ModelChoiceField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class StatementFilterForm(forms.Form):
    period = forms.CharField(label=_("Period"), required=False, max_length=8)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *PayStatement.Status.choices]
    )


class PrepareForm(forms.Form):
    person = PersonChoice(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("everyone I see who has a pay scheme"),
    )
    period = PeriodField(label=_("Period"), help_text=_("2026-11, 2026-Q1 or 2026"))
    as_of = forms.DateField(label=_("Figures as of"), required=False, widget=DateInput)

    def __init__(self, *args, people=None, fiscal_start_month: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people if people is not None else User.objects.none()
        self.fields["period"].fiscal_start_month = fiscal_start_month


def _no_controls(text: str):
    if control_character(text or ""):
        raise ValidationError(_("Control characters are not allowed."))


def _rows(text: str) -> list[list[str]]:
    _no_controls(text)
    return [
        line.replace(";", " ").replace(",", " ").split()
        for line in (text or "").splitlines()
        if line.strip()
    ]


OPEN = {"*", "-", "above", "…"}


def bands_from_text(text: str) -> list:
    out = []
    for row in _rows(text):
        if len(row) != 2:
            raise ValidationError(
                _("Write each band as: upper bound and rate, e.g. 50000 12; the last one: * 5.")
            )
        out.append([None if row[0].lower() in OPEN else row[0], row[1]])
    return out


def bands_to_text(bands) -> str:
    return "\n".join(f"{'*' if upto is None else upto} {rate}" for upto, rate in bands or [])


def cuts_from_text(text: str) -> dict:
    out: dict[str, list] = {}
    for row in _rows(text):
        if len(row) != 3:
            raise ValidationError(
                _("Write each cut as: measure, threshold % and cut %, e.g. turnover 90 30.")
            )
        out.setdefault(row[0], []).append([row[1], row[2]])
    return out


def cuts_to_text(cuts) -> str:
    return "\n".join(f"{m} {t} {c}" for m, rows in (cuts or {}).items() for t, c in rows)


def overrides_from_text(text: str, *, names: dict[str, int]) -> dict:
    """``name: rate`` (a flat rate) per line, the name of a product category or client group."""
    _no_controls(text)
    out = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, rate = line.rpartition(":")
        if not sep:
            raise ValidationError(_("Write each rate as: name: rate, e.g. Devices: 3."))
        key = names.get(name.strip().casefold())
        if key is None:
            raise ValidationError(_("There is no %(name)s.") % {"name": name.strip()})
        out[str(key)] = [[None, rate.strip()]]
    return out


def overrides_to_text(rates, *, labels: dict[int, str]) -> str:
    lines = []
    for key, bands in (rates or {}).items():
        rate = bands[-1][1] if len(bands) == 1 else "; ".join(f"{u or '*'} {r}" for u, r in bands)
        lines.append(f"{labels.get(int(key), key)}: {rate}")
    return "\n".join(lines)


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    fixed_amount = forms.DecimalField(label=_("Fixed part"), decimal_places=2, max_digits=18)
    basis = forms.ChoiceField(label=_("Commission on"), choices=PayScheme.Basis.choices)
    earned_on = forms.ChoiceField(label=_("Earned on"), choices=PayScheme.EarnedOn.choices)
    bands = forms.CharField(
        label=_("Bands"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One band a line: upper bound of the deal and rate %; the last: * and its rate. E.g. 50000 12, then * 5."
        ),
    )
    category_rates = forms.CharField(
        label=_("Rates by product category"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: category: rate %, e.g. Devices: 3."),
    )
    client_group_rates = forms.CharField(
        label=_("Rates by client group"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: segment: rate %."),
    )
    cuts = forms.CharField(
        label=_("Cuts for missed plans"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: measure (turnover, income, active_clients, new_clients), threshold % and cut %, e.g. turnover 90 30."
        ),
    )

    @staticmethod
    def category_names() -> dict[str, int]:
        return {n.casefold(): pk for pk, n in ProductCategory.objects.values_list("pk", "name")}

    @staticmethod
    def group_names() -> dict[str, int]:
        return {
            n.casefold(): pk
            for pk, n in Territory.objects.filter(kind=Territory.Kind.SEGMENT).values_list(
                "pk", "name"
            )
        }

    def clean_bands(self):
        return bands_from_text(self.cleaned_data["bands"])

    def clean_cuts(self):
        return cuts_from_text(self.cleaned_data["cuts"])

    def clean_category_rates(self):
        return overrides_from_text(self.cleaned_data["category_rates"], names=self.category_names())

    def clean_client_group_rates(self):
        return overrides_from_text(
            self.cleaned_data["client_group_rates"], names=self.group_names()
        )

    @classmethod
    def initial_for(cls, scheme: PayScheme) -> dict:
        return {
            "name": scheme.name,
            "fixed_amount": scheme.fixed_amount,
            "basis": scheme.basis,
            "earned_on": scheme.earned_on,
            "bands": bands_to_text(scheme.bands),
            "category_rates": overrides_to_text(
                scheme.category_rates,
                labels=dict(ProductCategory.objects.values_list("pk", "name")),
            ),
            "client_group_rates": overrides_to_text(
                scheme.client_group_rates, labels=dict(Territory.objects.values_list("pk", "name"))
            ),
            "cuts": cuts_to_text(scheme.cuts),
        }


class AssignmentForm(forms.Form):
    person = PersonChoice(label=_("Person"), queryset=User.objects.none())
    scheme = SchemeChoice(label=_("Scheme"), queryset=PayScheme.objects.all())
    starts = PeriodField(label=_("From period"), help_text=_("e.g. 2026-01"))
    ends = PeriodField(label=_("Through period"), required=False, help_text=_("empty: open"))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people if people is not None else User.objects.none()
