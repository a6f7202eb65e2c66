"""Forms of the contract pages. They only parse (a date is a date); the services decide what
is acceptable, so the pages refuse what the API refuses, with the same messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.contracts.models import Contract
from kam.org.policy import Action, scope
from kam.pricing.selectors import column_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ColumnField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.price_list.name} · {obj.name}"


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Contract.Status.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def value(self, name, default=None):
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class TermsForm(forms.Form):
    """The terms a draft carries (and a renewal may change)."""

    payment_days = forms.IntegerField(label=_("Payment deferral, days"), required=False)
    price_column = ColumnField(label=_("Price-list column"), queryset=None, required=False)
    credit_limit = forms.DecimalField(label=_("Credit limit"), required=False)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=10)
    delivery_terms = forms.CharField(label=_("Delivery terms"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_column"].queryset = column_choices()

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self.fields}


class ContractForm(TermsForm):
    number = forms.CharField(label=_("Number"), required=False, max_length=64)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    field_order = ["account", "number", "starts_on", "ends_on"]

    def __init__(self, *args, user=None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            # The clients the user may prepare contracts for (SE-1).
            q = scope(user, Action.CONTRACT_EDIT)
            accounts = Account.objects.all() if q is None else Account.objects.filter(q)
            self.fields["account"] = forms.ModelChoiceField(
                label=_("Client"), queryset=accounts.order_by("legal_name"), empty_label="—"
            )
            self.order_fields(self.field_order)


class RenewForm(TermsForm):
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    field_order = ["starts_on", "ends_on"]


class TerminateForm(forms.Form):
    on = forms.DateField(
        label=_("Last day in force"),
        required=False,
        widget=DATE,
        help_text=_("The contract holds up to and including this day."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachForm(forms.Form):
    attachment = forms.FileField(
        label=_("Signed file"),
        required=False,
        help_text=_("PDF, PNG, JPEG or DOCX, up to 10 MB."),
    )
