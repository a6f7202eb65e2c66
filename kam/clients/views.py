"""HTML views of clients (placeholder until the web interface lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def account_list_view(request):
    return HttpResponse(status=501)


@login_required
def account_detail_view(request, pk: int):
    return HttpResponse(status=501)
