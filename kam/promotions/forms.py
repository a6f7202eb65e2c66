"""Forms of the promotion pages: they parse; the services decide and refuse naming the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product, ProductCategory
from kam.clients.models import Account
from kam.org.models import Territory
from kam.promotions.models import Promotion


class DateInput(forms.DateInput):
    input_type = "date"


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Promotion.Kind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("To"), widget=DateInput)
    budget = forms.DecimalField(label=_("Budget"))
    discount_percent = forms.DecimalField(
        label=_("Extra discount, %"),
        required=False,
        help_text=_("For an extra discount: its cost is then computed from the invoices."),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.filter(is_active=True), required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Product categories"), queryset=ProductCategory.objects.all(), required=False
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Clients"), queryset=Account.objects.none(), required=False
    )
    segments = forms.ModelMultipleChoiceField(
        label=_("Segments"),
        queryset=Territory.objects.filter(kind=Territory.Kind.SEGMENT),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the clients the person sees are offered (the service refuses others anyway).
        self.fields["accounts"].queryset = Account.objects.visible_to(user).filter(
            archived_at__isnull=True
        )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("products", "categories", "accounts", "segments"):
            data[name] = [obj.pk for obj in data[name]]
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Comment"), required=False, max_length=5000)


class CostForm(forms.Form):
    cost = forms.DecimalField(label=_("Cost"))
