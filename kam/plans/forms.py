"""Forms of the plan pages: they only parse; the services decide what is acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.plans import rules
from kam.plans.models import Plan
from kam.plans.selectors import LEVELS

DATE = forms.DateInput(attrs={"type": "date"})
LEVEL_CHOICES = list(
    zip(LEVELS, [_("Company"), _("Department"), _("Key account manager")], strict=True)
)
MEASURE_CHOICES = [
    (rules.TURNOVER, _("Turnover")),
    (rules.INCOME, _("Income")),
    (rules.ACTIVE_CLIENTS, _("Active clients")),
    (rules.NEW_CLIENTS, _("New clients")),
]


class PlanFactFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    period = forms.CharField(
        label=_("Period"), max_length=10, required=False, help_text=_("2026-11, 2026-Q1 or 2026")
    )
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All")), *units]


class DrillDownForm(forms.Form):
    level = forms.ChoiceField(choices=LEVEL_CHOICES)
    unit = forms.IntegerField(required=False, min_value=1)
    period = forms.CharField(max_length=10)
    measure = forms.ChoiceField(choices=MEASURE_CHOICES)
    as_of = forms.DateField(required=False)


class PlanForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("2026-11, 2026-Q1 or 2026")
    )
    level = forms.ChoiceField(label=_("Level"), choices=Plan.Level.choices)
    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None
    )
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)
    turnover = forms.DecimalField(label=_("Turnover"), max_digits=14, decimal_places=2)
    income = forms.DecimalField(label=_("Income"), max_digits=14, decimal_places=2, required=False)
    active_clients = forms.IntegerField(label=_("Active clients"))
    new_clients = forms.IntegerField(label=_("New clients"))
    confirm_over = forms.BooleanField(
        label=_("Save even if the split exceeds the parent's plan (head of department)"),
        required=False,
    )

    def __init__(self, *args, departments=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *departments]
        self.fields["person"].choices = [("", "—"), *people]


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX file"))
    confirm_over = forms.BooleanField(
        label=_("Save splits that exceed the parent's plan (head of department)"), required=False
    )


class PlanSettingsForm(forms.Form):
    plans_income = forms.BooleanField(label=_("The company plans income (margin)"), required=False)
    active_min_documents = forms.IntegerField(
        label=_("An active client buys at least this many times in the period")
    )
    active_min_turnover = forms.DecimalField(
        label=_("and for at least this turnover"), max_digits=14, decimal_places=2
    )
