"""Forms of the collection pages (AR-2). They only parse; what is allowed the services decide
(kam/receivables/services_collection.py), so the web and the API refuse the same things."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kam.core.bounds import clamp_date


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CollectionFilterForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def as_of_or(self, default):
        """The day asked for, pulled into the allowed range; ``default`` when none or bad."""
        if self.is_valid() and self.cleaned_data.get("as_of"):
            return clamp_date(self.cleaned_data["as_of"])
        return default


class PromiseForm(forms.Form):
    promised_on = forms.DateField(label=_("Will pay by"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReminderForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("Next level")),
            (1, _("1: friendly")),
            (2, _("2: firm")),
            (3, _("3: final")),
        ],
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
