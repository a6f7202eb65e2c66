"""Forms of the relationship pages: they parse; the services decide and refuse naming the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Contact
from kam.relations.models import Note, Relation, Stage

SCALE_CHOICES = [("", "—"), *((str(i), str(i)) for i in range(1, 6))]


class DateInput(forms.DateInput):
    input_type = "date"


def _scale(label):
    return forms.TypedChoiceField(
        label=label, choices=SCALE_CHOICES, coerce=int, empty_value=None, required=False
    )


class ProfileForm(forms.Form):
    is_vip = forms.BooleanField(label=_("VIP (decision maker)"), required=False)
    is_kol = forms.BooleanField(label=_("KOL (key opinion leader)"), required=False)
    decision_role = forms.ChoiceField(
        label=_("Role in decisions"), choices=Contact.DecisionRole.choices
    )
    specialty = forms.CharField(label=_("Specialty"), required=False, max_length=200)
    affiliations = forms.CharField(
        label=_("Affiliations"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    publications = forms.CharField(
        label=_("Publications"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    speaking = forms.CharField(
        label=_("Speaking"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    loyalty_company = _scale(_("Loyalty to our company, 1..5"))
    loyalty_products = _scale(_("Loyalty to our products, 1..5"))

    def __init__(self, *args, personal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if personal:  # the personal part: only for relation.personal.view
            self.fields["birthday"] = forms.DateField(
                label=_("Birthday"), required=False, widget=DateInput
            )
            self.fields["family"] = forms.CharField(
                label=_("Family"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields["interests"] = forms.CharField(
                label=_("Interests"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to the stage"), choices=Stage.choices)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput)
    reason = forms.CharField(
        label=_("Why (needed for a step back)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompetitorForm(forms.Form):
    competitor = forms.CharField(label=_("Competitor"), max_length=200)
    what = forms.CharField(label=_("What they did"), widget=forms.Textarea(attrs={"rows": 2}))
    seen_on = forms.DateField(label=_("Seen on"), required=False, widget=DateInput)


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("This person"), choices=Relation.Kind.choices)
    to_person = forms.TypedChoiceField(label=_("Whom"), coerce=int, choices=())
    strength = forms.TypedChoiceField(
        label=_("Strength, 1..5"), coerce=int, choices=SCALE_CHOICES[1:], initial="3"
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_person"].choices = [(p.pk, f"{p} · {p.account}") for p in people]


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Note.Kind.choices)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Words separated by commas or spaces."),
    )


class NoteSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Note.Kind.choices]
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
