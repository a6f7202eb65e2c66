"""The home page (a small dashboard of the user's scope) and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from kam.clients.selectors import account_list
from kam.core.services import company_settings
from kam.sales.selectors import months_window, reporting_month, scope_monthly_series
from kam.web.charts import monthly_chart_data
from kam.web.selectors import scope_totals, top_accounts_by_income


@login_required
def home(request):
    user = request.user
    until = reporting_month(user=user)
    year = months_window(until=until, months=12)
    totals = scope_totals(user=user, window=year)
    series = scope_monthly_series(user=user, window=months_window(until=until, months=24))
    context = {
        "nav": "home",
        "account_count": account_list(user=user).count(),
        "window": year,
        "totals": totals,
        "chart": monthly_chart_data(series, currency=company_settings().base_currency),
        "top_accounts": top_accounts_by_income(user=user, window=year),
    }
    return render(request, "web/home.html", context)


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
