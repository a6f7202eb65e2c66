"""Forms of the schedule pages: they parse; the services decide and refuse naming the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.activity.models import Activity
from kam.clients.models import Contact
from kam.core.bounds import MAX_ID
from kam.radar.models import Level


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _datetime(label, *, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)


class WeekForm(forms.Form):
    week = forms.DateField(label=_("Week of"), required=False, widget=DateInput)
    person = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ClientPickForm(forms.Form):
    """Step one of planning or logging: which client (its contact people come next)."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=None)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = accounts


class _PeopleMixin:
    def _people_field(self, account):
        self.fields["people"] = forms.ModelMultipleChoiceField(
            label=_("People"),
            queryset=Contact.objects.filter(account=account).order_by("last_name", "first_name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )


class PlanForm(_PeopleMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    starts_at = _datetime(_("Starts at"))
    ends_at = _datetime(_("Ends at"), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)

    def __init__(self, *args, account, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._people_field(account)
        if owners and len(owners) > 1:
            self.fields["owner"] = forms.TypedChoiceField(
                label=_("On whose schedule"),
                choices=[(p.pk, str(p)) for p in owners],
                coerce=int,
            )


class _DoneFields(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=500)
    next_step_on = forms.DateField(label=_("Next step on"), required=False, widget=DateInput)
    plan_next_step = forms.BooleanField(
        label=_("Put the next step on the schedule"), required=False
    )
    topics = forms.MultipleChoiceField(
        label=_("Negotiated (for a negotiation)"),
        choices=Activity.Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agreed = forms.CharField(
        label=_("What was agreed (for a negotiation)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LogForm(_PeopleMixin, _DoneFields):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    starts_at = _datetime(_("Started at"))
    ends_at = _datetime(_("Ended at"), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=500)

    field_order = [
        "kind",
        "starts_at",
        "ends_at",
        "purpose",
        "people",
        "outcome",
        "topics",
        "agreed",
        "next_step",
        "next_step_on",
        "plan_next_step",
    ]

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self._people_field(account)
        self.order_fields(self.field_order)


class CompleteForm(_DoneFields):
    starts_at = _datetime(_("It started at (if not as planned)"), required=False)

    field_order = [
        "outcome",
        "topics",
        "agreed",
        "next_step",
        "next_step_on",
        "plan_next_step",
        "starts_at",
    ]

    def __init__(self, *args, negotiation: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not negotiation:
            del self.fields["topics"], self.fields["agreed"]
        self.order_fields(self.field_order)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)


class RhythmForm(forms.Form):
    level = forms.ChoiceField(label=_("Key status judged at"), choices=Level.choices)
    critical_days = forms.IntegerField(
        label=_("Critical clients: a contact every, days"),
        required=False,
        help_text=_("A critical dependency or a mono client. Empty: no rhythm."),
    )
    key_days = forms.IntegerField(
        label=_("Key clients: a contact every, days"),
        required=False,
        help_text=_("Every other key client. Empty: no rhythm."),
    )
