"""Forms of the client pages: the client-list filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.clients.selectors import AccountFilters
from kam.clients.selectors_web import (
    filter_departments,
    filter_industries,
    filter_territories,
)
from kam.org.models import Territory
from kam.org.selectors import visible_people

PAGE_SIZES = (25, 50, 100)
SORTS = {
    "name": ("legal_name", "pk"),
    "-name": ("-legal_name", "-pk"),
    "income": ("income_12m", "legal_name", "pk"),
    "-income": ("-income_12m", "legal_name", "pk"),
    "revenue": ("revenue_12m", "legal_name", "pk"),
    "-revenue": ("-revenue_12m", "legal_name", "pk"),
}


class AccountFilterForm(forms.Form):
    """Search and filters of the client list. Every choice comes from what the user may see
    (SE-1), so a list of owners or departments never names more than the user's scope."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, registration or VAT number"),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Account.Status.choices],
    )
    owner = forms.ModelChoiceField(
        label=_("Key account manager"), required=False, queryset=None, empty_label=_("Anyone")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=None, empty_label=_("Any department")
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), required=False, queryset=None, empty_label=_("Any territory")
    )
    segment = forms.ModelChoiceField(
        label=_("Segment"), required=False, queryset=None, empty_label=_("Any segment")
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput
    )
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=PAGE_SIZES[0],
        choices=[(n, n) for n in PAGE_SIZES],
    )

    def __init__(self, *args, user, visible_accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = visible_people(user)
        self.fields["department"].queryset = filter_departments(accounts=visible_accounts)
        self.fields["territory"].queryset = filter_territories(
            accounts=visible_accounts, kind=Territory.Kind.TERRITORY
        )
        self.fields["segment"].queryset = filter_territories(
            accounts=visible_accounts, kind=Territory.Kind.SEGMENT
        )
        industries: list[str] = []

        def industry_choices():
            # Lazy, so a fragment request that renders no form runs no query; once, since
            # rendering and validation both iterate the choices.
            if not industries:
                industries.extend(filter_industries(accounts=visible_accounts) or [""])
            return [("", _("Any industry")), *((i, i) for i in industries if i)]

        self.fields["industry"].choices = industry_choices

    def _value(self, name, default=None):
        # A bad value in one field (a stale owner id, say) drops that filter, not the page.
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def filters(self) -> AccountFilters:
        def pk(name):
            obj = self._value(name)
            return obj.pk if obj is not None else None

        return AccountFilters(
            q=(self._value("q", "") or "").strip(),
            status=self._value("status", ""),
            owner_id=pk("owner"),
            department_id=pk("department"),
            territory_id=pk("territory"),
            segment_id=pk("segment"),
            industry=self._value("industry", ""),
        )

    def ordering(self) -> tuple[str, ...]:
        return SORTS[self.sort_key()]

    def sort_key(self) -> str:
        return self._value("sort", "name")

    def page_size(self) -> int:
        return self._value("per_page", PAGE_SIZES[0])
