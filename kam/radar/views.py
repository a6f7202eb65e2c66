"""HTML views of the key-account radar (placeholder until the radar lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def portfolio_view(request):
    return HttpResponse(status=501)
