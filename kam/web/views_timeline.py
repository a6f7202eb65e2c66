"""The timeline pages of a client and of a person (issue 11 item 8): filter by kind and dates,
paged; htmx asks for the ``#rows`` partial alone."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from kam.clients.selectors import account_get
from kam.relations.selectors import person_get
from kam.web.timeline import (
    CLIENT_KINDS,
    PERSON_KINDS,
    client_sources,
    person_sources,
    timeline_filters_check,
    timeline_page,
)


class TimelineFilterForm(forms.Form):
    """Parses the filters only: ``timeline_filters_check`` decides (as for the API), and the
    selector pulls the dates into the allowed range."""

    kind = forms.MultipleChoiceField(
        label=_("Show"), required=False, widget=forms.CheckboxSelectMultiple
    )
    first = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, kinds: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["kind"].choices = list(kinds.items())

    def clean(self):
        data = super().clean()
        try:
            timeline_filters_check(
                allowed=self.kinds,
                kinds=data.get("kind") or (),
                first=data.get("first"),
                last=data.get("last"),
                kinds_field="kind",
                last_field="last",
            )
        except ValidationError as e:
            self.add_error(None, e)
        return data


def _render(request, *, sources, kinds: dict, context: dict):
    form = TimelineFilterForm(request.GET or None, kinds=kinds)
    status = 200
    if form.is_bound and not form.is_valid():
        page = timeline_page([], number=1)
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        page = timeline_page(
            sources,
            kinds=data.get("kind") or (),
            first=data.get("first"),
            last=data.get("last"),
            number=request.GET.get("page"),
        )
    template = "web/timeline.html"
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template += "#rows"
    response = render(
        request,
        template,
        {**context, "form": form, "page": page, "kinds": kinds},
        status=status,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def client_timeline_view(request, pk):
    """A client's timeline; 404 alike for a client missing and one out of the user's sight."""
    account = account_get(user=request.user, pk=pk)
    return _render(
        request,
        sources=client_sources(user=request.user, account=account),
        kinds=CLIENT_KINDS,
        context={"account": account, "subject": account.legal_name},
    )


@login_required
def person_timeline_view(request, pk):
    """A person's timeline; 404 unless the person's client is in the user's sight."""
    contact = person_get(user=request.user, pk=pk)
    return _render(
        request,
        sources=person_sources(user=request.user, contact=contact),
        kinds=PERSON_KINDS,
        context={"contact": contact, "account": contact.account, "subject": str(contact)},
    )
