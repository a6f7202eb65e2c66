"""HTML views of clients: the list (with htmx filtering) and the client card.

They live in the web shell, not in ``kam.clients``, because they show sales figures: clients
sit below sales in the layers (issue 7 §8), the pages that join the two sit on top."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from kam.clients.forms import AccountFilterForm
from kam.clients.models import Account
from kam.clients.selectors import (
    account_audit_trail,
    account_get,
    account_list,
    contact_list,
)
from kam.core.paging import capped_page
from kam.core.services import company_settings
from kam.sales.selectors import (
    account_monthly_series,
    account_top_products,
    money_of,
    months_window,
    reporting_month,
    with_period_cents,
)
from kam.web.charts import monthly_chart_data
from kam.web.panels import client_panels

# The form's orderings name the figures the pages show; the database sorts by their cents.
_DB_FIELDS = {"income_12m": "income_cents", "revenue_12m": "revenue_cents"}


def _wants_fragment(request) -> bool:
    # A history restore (back button after the cache expired) needs the whole page.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _db_ordering(ordering: tuple[str, ...]) -> list[str]:
    out = []
    for key in ordering:
        desc = key.startswith("-")
        name = _DB_FIELDS.get(key.lstrip("-"), key.lstrip("-"))
        out.append(f"-{name}" if desc else name)
    return out


@login_required
def account_list_view(request):
    """Client list (SE-1: only the user's scope). The same view serves the table fragment
    when htmx asks for it, so filters update the table without reloading the page.

    The page's ids are chosen first (sorting by a figure computes it in the database, two
    running-total reads per client), then only those rows are read with their figures; the
    count stops at ``COUNT_CAP`` ("10,000+ clients")."""
    visible = account_list(user=request.user)
    form = AccountFilterForm(request.GET or None, user=request.user, visible_accounts=visible)
    window = months_window(until=reporting_month(user=request.user))
    ordering = _db_ordering(form.ordering())
    accounts = account_list(user=request.user, filters=form.filters())
    if any(f.lstrip("-") in _DB_FIELDS.values() for f in ordering):
        accounts = with_period_cents(accounts, window=window)
    page = capped_page(
        accounts.order_by(*ordering), number=request.GET.get("page"), per_page=form.page_size()
    )
    rows = {
        a.pk: a
        for a in with_period_cents(
            Account.objects.filter(pk__in=page.ids).select_related(
                "owner", "department", "territory", "segment"
            ),
            window=window,
        )
    }
    page.object_list = money_of(rows[pk] for pk in page.ids if pk in rows)
    context = {
        "nav": "clients",
        "form": form,
        "page": page,
        "sort": form.sort_key(),
        "window": window,
    }
    template = "clients/account_list.html"
    if _wants_fragment(request):
        template += "#table"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def account_detail_view(request, pk: int):
    """The client card: details, contacts, 24 months of sales, top products, why it is key."""
    account = account_get(user=request.user, pk=pk)
    until = reporting_month(user=request.user)
    series = account_monthly_series(account=account, months=24, until=until)
    last_year = series[-12:]
    revenue = sum((p.revenue for p in last_year), Decimal(0))
    income = sum((p.income for p in last_year), Decimal(0))
    # Revenue whose lines have no known cost (issue 8 §3): the income above leaves it out.
    uncosted = sum((p.uncosted for p in last_year), Decimal(0))
    window = months_window(until=until)
    currency = company_settings().base_currency
    context = {
        "nav": "clients",
        "account": account,
        "contacts": contact_list(user=request.user, account=account),
        "window": window,
        "revenue_12m": revenue,
        "income_12m": income,
        "uncosted_12m": uncosted,
        "income_incomplete": uncosted != 0,
        "chart": monthly_chart_data(series, currency=currency),
        "top_products": account_top_products(account=account, date_from=window.first),
        "audit_trail": account_audit_trail(account=account),
        "panels": client_panels(request, account),
    }
    return render(request, "clients/account_detail.html", context)
