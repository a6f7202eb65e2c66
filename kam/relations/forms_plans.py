"""Forms of the account plan pages: they parse; the services decide and refuse naming the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.relations.forms import DateInput
from kam.relations.models import AccountPlan, DevelopmentLevel, PlanGoal


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *AccountPlan.Status.choices]
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All")), *DevelopmentLevel.choices]
    )
    review_due = forms.BooleanField(label=_("Review due"), required=False)


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    person = forms.TypedChoiceField(
        label=_("VIP/KOL project (optional)"), coerce=int, empty_value=None, required=False
    )
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("To"), widget=DateInput)
    review_every_days = forms.IntegerField(label=_("Review every, days"), initial=30)
    status = forms.ChoiceField(label=_("Status"), choices=AccountPlan.Status.choices)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *((p.pk, str(p)) for p in people)]


class PlanCreateForm(PlanForm):
    client = forms.TypedChoiceField(label=_("Client"), coerce=int)
    budget = forms.DecimalField(label=_("Budget"), required=False, initial=0)
    field_order = ["client", "title", "person", "starts_on", "ends_on"]

    def __init__(self, *args, clients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [(a.pk, a.legal_name) for a in clients]


class BudgetForm(forms.Form):
    budget = forms.DecimalField(label=_("Budget"))


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Goal"), max_length=500)
    measure = forms.CharField(label=_("Measure"), max_length=100, required=False)
    target_value = forms.DecimalField(label=_("Target"))
    current_value = forms.DecimalField(label=_("Current value"), initial=0)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=PlanGoal.Status.choices)


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500)
    goal = forms.TypedChoiceField(label=_("Goal"), coerce=int, empty_value=None, required=False)
    owner = forms.TypedChoiceField(label=_("Who"), coerce=int)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    cost = forms.DecimalField(label=_("Cost"), initial=0)
    progress = forms.IntegerField(label=_("Progress, %"), initial=0, required=False)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DateInput)

    def __init__(self, *args, goals=(), people=(), adding=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "—"), *((g.pk, g.text[:60]) for g in goals)]
        self.fields["owner"].choices = [(u.pk, str(u)) for u in people]
        if adding:  # a new action starts at 0 %, not done
            del self.fields["progress"]
            del self.fields["done_on"]


class LevelForm(forms.Form):
    level = forms.ChoiceField(label=_("Development level"), choices=DevelopmentLevel.choices)
    reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
