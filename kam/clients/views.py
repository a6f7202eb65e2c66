"""HTML views of clients: the list (with htmx filtering), the client card, and the pages that
create, edit, reassign and archive a client."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from kam.clients import services
from kam.clients.forms import AccountFilterForm, AccountForm, ReassignForm, add_service_errors
from kam.clients.selectors import (
    account_audit_trail,
    account_get,
    account_list,
    account_ownership_history,
    contact_list,
)
from kam.clients.selectors_web import months_window, reporting_month, with_period_totals
from kam.core.services import company_settings
from kam.org import policy
from kam.org.policy import Action
from kam.sales.selectors import account_monthly_series, account_top_products
from kam.web.charts import monthly_chart_data


def _wants_fragment(request) -> bool:
    # A history restore (back button after the cache expired) needs the whole page.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@login_required
def account_list_view(request):
    """Client list (SE-1: only the user's scope). The same view serves the table fragment
    when htmx asks for it, so filters update the table without reloading the page."""
    visible = account_list(user=request.user)
    form = AccountFilterForm(request.GET or None, user=request.user, visible_accounts=visible)
    window = months_window(until=reporting_month(user=request.user))
    accounts = with_period_totals(
        account_list(user=request.user, filters=form.filters()), window=window
    ).order_by(*form.ordering())
    page = Paginator(accounts, form.page_size()).get_page(request.GET.get("page"))
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
    window = months_window(until=until)
    currency = company_settings().base_currency
    context = {
        "nav": "clients",
        "account": account,
        "contacts": contact_list(user=request.user, account=account),
        "window": window,
        "revenue_12m": revenue,
        "income_12m": income,
        "chart": monthly_chart_data(series, currency=currency),
        "top_products": account_top_products(account=account, date_from=window.first),
        "audit_trail": account_audit_trail(account=account),
    }
    return render(request, "clients/account_detail.html", context)


# Managing clients (issue 7 §6). Forms parse, the services decide (the API gets the same
# answers); the GET of a page the user may not use answers 403 (404 out of scope), as the
# POST would.


def _require(request, action: Action, account=None) -> None:
    policy.require(request.user, action, account)


def _form_page(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {"nav": "clients", **context}, status=status)


@login_required
def account_create_view(request):
    _require(request, Action.CLIENT_CREATE)
    form = AccountForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            account = services.account_create(
                actor=request.user, legal_name=data.pop("legal_name"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Client %(name)s created.") % {"name": account})
            return redirect(account)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, "clients/account_form.html", {"form": form}, status=status)


@login_required
def account_edit_view(request, pk: int):
    account = account_get(user=request.user, pk=pk)
    _require(request, Action.CLIENT_EDIT, account)
    initial = {name: getattr(account, name) for name in AccountForm.base_fields if name != "owner"}
    form = AccountForm(request.POST or None, initial=initial, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, account=account, **form.data_for_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(account)
    status = 422 if request.method == "POST" else 200
    return _form_page(
        request, "clients/account_form.html", {"form": form, "account": account}, status=status
    )


@login_required
def account_reassign_view(request, pk: int):
    account = account_get(user=request.user, pk=pk)
    _require(request, Action.CLIENT_REASSIGN, account)
    form = ReassignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_reassign(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(client)s now belongs to %(name)s.")
                % {"client": account, "name": form.cleaned_data["owner"]},
            )
            return redirect(account)
    status = 422 if request.method == "POST" else 200
    return _form_page(
        request,
        "clients/account_reassign.html",
        {"form": form, "account": account},
        status=status,
    )


def _archive_page(request, pk: int, *, archive: bool):
    account = account_get(user=request.user, pk=pk)
    _require(request, Action.CLIENT_ARCHIVE, account)
    error = None
    if request.method == "POST":
        service = services.account_archive if archive else services.account_restore
        try:
            service(actor=request.user, account=account)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done = _("%(client)s archived.") if archive else _("%(client)s restored.")
            messages.success(request, done % {"client": account})
            return redirect(account)
    return _form_page(
        request,
        "clients/account_archive.html",
        {"account": account, "archive": archive, "error": error},
        status=422 if error else 200,
    )


@login_required
def account_archive_view(request, pk: int):
    return _archive_page(request, pk, archive=True)


@login_required
def account_restore_view(request, pk: int):
    return _archive_page(request, pk, archive=False)


@login_required
def account_ownership_view(request, pk: int):
    """The card's "Ownership history" panel (loaded by htmx) with the management buttons."""
    account = account_get(user=request.user, pk=pk)
    return render(
        request,
        "clients/account_ownership.html",
        {"account": account, "ownerships": account_ownership_history(account=account)},
    )
