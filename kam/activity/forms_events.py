"""Forms of the event and training pages: they parse; the services decide and refuse naming
the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.activity.forms import DateInput
from kam.activity.models import Event


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *Event.Kind.choices]
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    client = forms.ModelChoiceField(
        label=_("Client (required for a training)"), queryset=None, required=False
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = accounts

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["account"] = data.pop("client")
        if data.get("ends_on") is None:
            data["ends_on"] = data["starts_on"]
        return data


class _ContactChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.first_name} {obj.last_name} ({obj.account.legal_name})"


class InviteForm(forms.Form):
    contacts = _ContactChoices(
        label=_("People"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    invited_on = forms.DateField(label=_("Invited on"), required=False, widget=DateInput)

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("came", _("Came")), ("declined", _("Declined")), ("no_show", _("Did not come"))]
    )


class PresentationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, PPTX, DOCX, PNG, JPEG)"))
    prepared_with = _ContactChoices(
        label=_("Prepared for or with (VIPs, KOLs)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prepared_with"].queryset = contacts
