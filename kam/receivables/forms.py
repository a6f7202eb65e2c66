"""Forms of the settlements pages: they only parse; the services decide what is acceptable."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kam.receivables.models import SettlementItem
from kam.receivables.selectors import LEVELS

DATE = forms.DateInput(attrs={"type": "date"})


class SettlementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SettlementItem.Kind.choices)
    document_number = forms.CharField(label=_("Document"), max_length=64)
    document_date = forms.DateField(label=_("Date"), widget=DATE)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    due_date = forms.DateField(label=_("Due date (invoices)"), required=False, widget=DATE)
    allocate_to = forms.CharField(
        label=_("Settle this invoice first"), max_length=64, required=False
    )
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AllocationForm(forms.Form):
    credit = forms.TypedChoiceField(label=_("Payment or credit"), coerce=int)
    invoice = forms.TypedChoiceField(label=_("Invoice"), coerce=int)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    on = forms.DateField(label=_("Allocated on"), required=False, widget=DATE)

    def __init__(self, *args, credits=(), invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit"].choices = [
            (o.item.pk, f"{o.item.document_number} ({-o.open_amount})") for o in credits
        ]
        self.fields["invoice"].choices = [
            (o.item.pk, f"{o.item.document_number} ({o.open_amount})") for o in invoices
        ]


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("To"), widget=DATE)
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "XLSX")])
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class AgeingFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"),
        choices=list(
            zip(LEVELS, [_("Company"), _("Department"), _("Key account manager")], strict=True)
        ),
        required=False,
    )
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All")), *units]
