"""HTML views of the key-account radar (placeholder until the radar lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def portfolio_view(request):
    return HttpResponse(status=501)


@login_required
def why_key_panel(request, account_pk: int):
    """The "why key" fragment the client card loads with htmx."""
    return HttpResponse("")
