"""Forms of the returns and acts pages: they only parse; kam/orders/services_returns.py
decides what is acceptable, so the page and the API refuse the same input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.orders.models import DiscrepancyAct, Reason
from kam.orders.selectors_returns import ACT_STATUSES, GROUP_BY
from kam.org.models import User


class AnalysisForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    group_by = forms.ChoiceField(
        label=_("Group by"), choices=list(GROUP_BY.items()), required=False
    )


class ReasonForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Reason.Kind.choices)
    code = forms.CharField(label=_("Code"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=500)


class ReasonEditForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=500)
    is_active = forms.BooleanField(label=_("In use"), required=False)


class PreventiveActionForm(forms.Form):
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=Reason.objects.none())
    text = forms.CharField(label=_("Action"), max_length=2000)
    owner = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def __init__(self, *args, reasons=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons if reasons is not None else Reason.objects.all()
        self.fields["owner"].queryset = (
            people if people is not None else User.objects.filter(is_active=True)
        )


class ActFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("resolved", _("Resolved"))],
    )

    def clean_status(self):
        value = self.cleaned_data.get("status") or ""
        return value if value in ACT_STATUSES else ""


class ActForm(forms.Form):
    """The act's head; the lines come as ``line-<order line id>-expected`` / ``-found``."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DiscrepancyAct.Kind.choices)
    found_on = forms.DateField(label=_("Found on"), widget=forms.DateInput({"type": "date"}))
    reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=Reason.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, shipment_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = Reason.objects.filter(
            kind=Reason.Kind.DISCREPANCY, is_active=True
        )
        self.line_fields = []
        for sl in shipment_lines:
            key = sl.order_line_id
            self.fields[f"line-{key}-expected"] = forms.DecimalField(
                label=_("Per document"), initial=sl.quantity, required=False
            )
            self.fields[f"line-{key}-found"] = forms.DecimalField(label=_("Found"), required=False)
            self.line_fields.append((sl, f"line-{key}-expected", f"line-{key}-found"))

    def lines(self) -> list[dict]:
        """The lines the user filled in (a found quantity given), in the shipment's order."""
        out = []
        for sl, expected, found in self.line_fields:
            if self.cleaned_data.get(found) is None:
                continue
            out.append(
                {
                    "order_line_id": sl.order_line_id,
                    "quantity_expected": self.cleaned_data.get(expected) or sl.quantity,
                    "quantity_found": self.cleaned_data[found],
                }
            )
        return out

    def rows(self):
        """(shipment line, bound expected field, bound found field) for the template."""
        return [(sl, self[e], self[f]) for sl, e, f in self.line_fields]


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[
            c for c in DiscrepancyAct.Resolution.choices if c[0] != DiscrepancyAct.Resolution.OPEN
        ],
    )
    resolved_on = forms.DateField(label=_("Resolved on"), widget=forms.DateInput({"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))
