"""Forms of the price pages. They only parse; the services decide what is acceptable."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product
from kam.org.models import Role
from kam.pricing.models import PriceColumn

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AsOfForm(forms.Form):
    on = forms.DateField(label=_("As of"), required=False, widget=DATE)
    q = forms.CharField(label=_("Product"), required=False, max_length=100)

    def value(self, name, default=None):
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=10, initial="EUR")
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ColumnForm(forms.Form):
    code = forms.CharField(label=_("Code"), required=False, max_length=32)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    is_base = forms.BooleanField(label=_("Base column"), required=False)


class _ColumnChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PriceForm(forms.Form):
    product = forms.CharField(label=_("Product SKU"), max_length=64)
    column = _ColumnChoice(label=_("Column"), queryset=PriceColumn.objects.none(), empty_label="—")
    price = forms.DecimalField(label=_("Price"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE)

    def __init__(self, *args, price_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = price_list.columns.order_by("position", "code")

    def clean_product(self):
        sku = self.cleaned_data["product"].strip()
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise forms.ValidationError(_("No product has SKU %(sku)s.") % {"sku": sku})
        return product


class RuleForm(forms.Form):
    column = _ColumnChoice(label=_("Column"), queryset=PriceColumn.objects.none(), empty_label="—")
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    max_percent = forms.DecimalField(label=_("Largest discount, %"))

    def __init__(self, *args, price_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = price_list.columns.order_by("position", "code")
