"""Forms of the orders pages: they only parse; the services refuse with the field named."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.orders.models import Order

STATUS_CHOICES = [("", _("All")), ("open", _("Open")), *Order.Status.choices]


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class LineForm(forms.Form):
    product = forms.IntegerField(label=_("Product"), required=False)
    quantity = forms.CharField(label=_("Quantity"), required=False, max_length=40)
    discount_percent = forms.CharField(label=_("Discount, %"), required=False, max_length=40)
    requested_on = forms.DateField(label=_("Requested date"), required=False)


class NewOrderForm(forms.Form):
    account = forms.IntegerField(label=_("Client"))
    requested_on = forms.DateField(label=_("Requested delivery date"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)


class DraftAddForm(forms.Form):
    account = forms.IntegerField()
    product = forms.IntegerField()
    quantity = forms.CharField(max_length=40)


class DateForm(forms.Form):
    on = forms.DateField(required=False)
