"""Forms of the credit pages: they parse; the services decide and refuse naming the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.credit.models import CreditCheck


class DateInput(forms.DateInput):
    input_type = "date"


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)


class CreditCheckForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=CreditCheck.Method.choices)
    score = forms.CharField(label=_("Score or rating"), required=False, max_length=50)
    result = forms.ChoiceField(label=_("Result"), choices=CreditCheck.Result.choices)
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput)
    next_review_on = forms.DateField(label=_("Next review on"), widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CreditTermsForm(forms.Form):
    limit = forms.DecimalField(label=_("Credit limit"))
    payment_days = forms.IntegerField(label=_("Payment terms, days"))


class CreditSettingsForm(forms.Form):
    overdue_amount_threshold = forms.DecimalField(label=_("Overdue amount that blocks"))
    overdue_days_threshold = forms.IntegerField(label=_("Days overdue that block"))
    check_required = forms.BooleanField(label=_("A valid credit check is required"), required=False)
    near_limit_percent = forms.IntegerField(label=_("Near the limit from, %"))
    check_valid_months = forms.IntegerField(label=_("A check stays valid for, months"))
