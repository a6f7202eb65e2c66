"""Forms of the task and complaint pages: they parse; the services decide and refuse naming
the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kam.activity.forms import DateInput
from kam.activity.models import Complaint, Task
from kam.core.bounds import MAX_ID


def _people_choices(people):
    return [(p.pk, str(p)) for p in people]


class TaskListForm(forms.Form):
    tab = forms.ChoiceField(
        required=False,
        choices=[("mine", _("To me")), ("given", _("Given by me")), ("overdue", _("Overdue"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Task.Status.choices]
    )


class TaskForm(forms.Form):
    """A new task (or the giver's change of one: without the assignee)."""

    assignee = forms.TypedChoiceField(label=_("To"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    client = forms.ModelChoiceField(label=_("Client (optional)"), queryset=None, required=False)

    def __init__(self, *args, people=None, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["assignee"]
        else:
            self.fields["assignee"].choices = _people_choices(people)
        self.fields["client"].queryset = accounts


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class TaskCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Complaint.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any")), *Complaint.Category.choices],
    )
    client = forms.IntegerField(label=_("Client"), required=False, min_value=1, max_value=MAX_ID)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput)


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Complaint.Category.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    order_number = forms.CharField(label=_("Order number (optional)"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("The default")), *_people_choices(owners)]


class ComplaintResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DateInput)
    rejected = forms.BooleanField(label=_("Rejected (not justified)"), required=False)


class ComplaintAssignForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _people_choices(owners)


class ComplaintReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)
