"""The home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from kam.clients.selectors import account_list


@login_required
def home(request):
    accounts = account_list(user=request.user)
    return render(
        request,
        "web/home.html",
        {"nav": "home", "account_count": accounts.count()},
    )


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
