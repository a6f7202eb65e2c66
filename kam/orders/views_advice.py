"""Pages of order advice (OR-2): the whole advice for a client, and the client card's panel.
Both read ``selectors_advice``; taking a suggestion into the draft posts to the orders flow."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kam.core.bounds import clamp_date
from kam.orders.selectors_advice import client_panel, order_advice
from kam.org.policy import Action, can

# Where "Take into the draft" posts (account, product, quantity): the orders flow's view.
DRAFT_ADD = "orders:draft_add"


def _as_of(request) -> date:
    """``?as_of=YYYY-MM-DD`` (pulled into the history's range), else today; a date that does
    not parse reads as today, like the other reads."""
    raw = request.GET.get("as_of", "")
    try:
        return clamp_date(date.fromisoformat(raw))
    except ValueError:
        return timezone.localdate()


def _draft_url(request, result) -> str | None:
    """The form's action when the user may draft the client's orders and an order could be
    taken (a contract holds); None hides the buttons."""
    if result.contract and can(request.user, Action.ORDER_DRAFT, result.account):
        return reverse(DRAFT_ADD)
    return None


@login_required
@require_GET
def advice_page(request, account_pk: int):
    """The client's order advice: due again, clients like it buy, the credit fit. 404 alike
    for a missing client and one the user may not see (SE-1)."""
    result = order_advice(user=request.user, account=account_pk, as_of=_as_of(request))
    return render(
        request,
        "orders/advice/page.html",
        {
            "nav": "clients",
            "account": result.account,
            "advice": result,
            "draft_url": _draft_url(request, result),
        },
    )


@login_required
@require_GET
def advice_panel(request, account_pk: int):
    """The client card's panel (the first three suggestions), for htmx to load."""
    context = client_panel(user=request.user, account=account_pk, as_of=_as_of(request))
    return render(request, "orders/advice/_client_panel.html", context)
