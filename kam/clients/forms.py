"""Forms of the client pages: the client-list filter, a client's fields, a reassignment."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.clients.selectors import (
    ARCHIVED_ALL,
    ARCHIVED_NO,
    ARCHIVED_ONLY,
    AccountFilters,
    assignable_owners,
)
from kam.clients.selectors_web import (
    filter_departments,
    filter_industries,
    filter_territories,
)
from kam.org.models import Department, Territory, User
from kam.org.policy import Action
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
                "placeholder": _("Name, city, registration or VAT number"),
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
    archived = forms.ChoiceField(
        label=_("Archived"),
        required=False,
        choices=[
            (ARCHIVED_NO, _("Not archived")),
            (ARCHIVED_ONLY, _("Archived only")),
            (ARCHIVED_ALL, _("Archived or not")),
        ],
    )
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
            archived=self._value("archived", ARCHIVED_NO),
        )

    def ordering(self) -> tuple[str, ...]:
        return SORTS[self.sort_key()]

    def sort_key(self) -> str:
        return self._value("sort", "name")

    def page_size(self) -> int:
        return self._value("per_page", PAGE_SIZES[0])


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.department})" if obj.department_id else str(obj)


def _offer_only(field: forms.ModelChoiceField, offered) -> None:
    """Parse any active person, offer only ``offered``: whether the choice is allowed is the
    service's decision (the API gets the same answer), not the form's."""
    field.widget.choices = [("", field.empty_label or "—")] + [
        (p.pk, field.label_from_instance(p)) for p in offered
    ]


class AccountForm(forms.Form):
    """A client's fields as typed (new client, edit client). Only parses: the service
    (``account_create`` / ``account_update``) decides what is acceptable."""

    legal_name = forms.CharField(
        label=_("Legal name"), required=False, widget=forms.TextInput(attrs={"required": True})
    )
    registration_number = forms.CharField(label=_("Registration number"), required=False)
    vat_number = forms.CharField(label=_("VAT number"), required=False)
    industry = forms.CharField(label=_("Industry"), required=False)
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        required=False,
        queryset=Territory.objects.filter(kind=Territory.Kind.SEGMENT),
        empty_label="—",
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        required=False,
        queryset=Territory.objects.filter(kind=Territory.Kind.TERRITORY),
        empty_label="—",
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Account.Status.choices, initial=Account.Status.ACTIVE
    )
    city = forms.CharField(label=_("City"), required=False)
    country = forms.CharField(
        label=_("Country"), required=False, help_text=_("Two letters, e.g. LV.")
    )
    website = forms.CharField(label=_("Website"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    owner = _PersonChoiceField(
        label=_("Key account manager"),
        required=False,
        queryset=User.objects.filter(is_active=True).select_related("department"),
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, user, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            offered = assignable_owners(actor=user, action=Action.CLIENT_CREATE)
            _offer_only(self.fields["owner"], offered)
            if len(offered) == 1 and not self.is_bound:
                self.initial.setdefault("owner", offered[0].pk)
        else:
            # A new owner is a reassignment: its own page, its own right.
            del self.fields["owner"]

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class ReassignForm(forms.Form):
    owner = _PersonChoiceField(
        label=_("New key account manager"),
        queryset=User.objects.filter(is_active=True).select_related("department"),
        empty_label="—",
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.all(),
        empty_label=_("The KAM's own department"),
    )
    on = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day the new KAM is credited with the client's sales."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_only(self.fields["owner"], assignable_owners(actor=user))


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
