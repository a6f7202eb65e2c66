"""The home page (a small dashboard of the user's scope) and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from kam.clients.selectors import account_list
from kam.core.cache_versions import cached, scope_key
from kam.core.services import company_settings
from kam.sales.selectors import months_window, reporting_month, scope_monthly_series
from kam.web.charts import monthly_chart_data
from kam.web.panels import home_panels
from kam.web.selectors import key_accounts_card, scope_totals, top_accounts_by_income


def _home_figures(user) -> dict:
    until = reporting_month(user=user)
    year = months_window(until=until, months=12)
    series = scope_monthly_series(user=user, window=months_window(until=until, months=24))
    return {
        "account_count": account_list(user=user).count(),
        "window": year,
        "totals": scope_totals(user=user, window=year),
        "chart": monthly_chart_data(series, currency=company_settings().base_currency),
        "top_accounts": top_accounts_by_income(user=user, window=year),
        "key_card": key_accounts_card(user=user),
    }


@login_required
def home(request):
    """The user's scope at a glance. Its figures read every client the user sees, so they
    are cached per scope until the next write (``kam.core.cache_versions``, issue 7 §3)."""
    user = request.user
    figures = cached((scope_key(user), "home"), lambda: _home_figures(user))
    panels = home_panels(request)
    return render(request, "web/home.html", {"nav": "home", "panels": panels, **figures})


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
