"""The panels other apps put on the client card and the home page (issue 9 §11).

Each app offers a partial template and a selector that builds its context (``client_panel``,
``home_panel``, ...); here they are listed in the order they appear, and each is rendered in a
context of its own (so two panels' variable names never collide). A panel whose builder
answers None is left out. Order advice is loaded by htmx after the card (it reads the ledger
of similar clients), so it is not listed here."""

from collections.abc import Callable
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from kam.activity.selectors import client_panel as activity_client_panel
from kam.activity.selectors import home_panel as activity_home_panel
from kam.activity.selectors_complaints import client_panel as complaints_client_panel
from kam.activity.selectors_tasks import client_panel as tasks_client_panel
from kam.activity.selectors_tasks import home_panel as tasks_home_panel
from kam.contracts.selectors import client_panel as contract_client_panel
from kam.contracts.selectors import home_panel as contract_home_panel
from kam.credit.selectors import client_panel as credit_client_panel
from kam.orders.selectors import client_panel as orders_client_panel
from kam.orders.selectors import home_panel as orders_home_panel
from kam.orders.selectors_obligations import obligations_panel
from kam.plans.selectors import home_panel as plans_home_panel
from kam.receivables.selectors import client_panel as settlements_client_panel
from kam.receivables.selectors_collection import client_panel as collection_client_panel
from kam.receivables.selectors_collection import home_panel as collection_home_panel
from kam.relations.selectors import client_panel as relations_client_panel
from kam.relations.selectors_plans import client_panel as account_plans_client_panel
from kam.relations.selectors_plans import home_panel as account_plans_home_panel

ClientBuilder = Callable[..., dict | None]

CLIENT_PANELS: list[tuple[str, ClientBuilder]] = [
    (
        "orders/_client_panel.html",
        lambda user, account, as_of: orders_client_panel(user=user, account=account),
    ),
    (
        "contracts/_client_panel.html",
        lambda user, account, as_of: {
            "panel": contract_client_panel(user=user, account=account, as_of=as_of)
        },
    ),
    (
        "credit/_client_panel.html",
        lambda user, account, as_of: credit_client_panel(user=user, account=account, as_of=as_of),
    ),
    (
        "receivables/_client_panel.html",
        lambda user, account, as_of: settlements_client_panel(
            user=user, account=account, as_of=as_of
        ),
    ),
    (
        "receivables/collection/_client_panel.html",
        lambda user, account, as_of: collection_client_panel(
            user=user, account=account, as_of=as_of
        ),
    ),
    (
        "orders/returns/_obligations_panel.html",
        lambda user, account, as_of: obligations_panel(user=user, account=account, as_of=as_of),
    ),
    (
        "activity/_client_panel.html",
        lambda user, account, as_of: activity_client_panel(user=user, account=account, as_of=as_of),
    ),
    (
        "activity/tasks/_client_panel.html",
        lambda user, account, as_of: tasks_client_panel(user=user, account=account, as_of=as_of),
    ),
    (
        "activity/complaints/_client_panel.html",
        lambda user, account, as_of: complaints_client_panel(
            user=user, account=account, as_of=as_of
        ),
    ),
    (
        "relations/_client_panel.html",
        lambda user, account, as_of: relations_client_panel(
            user=user, account=account, as_of=as_of
        ),
    ),
    (
        "relations/account_plans/_client_panel.html",
        lambda user, account, as_of: account_plans_client_panel(
            user=user, account=account, as_of=as_of
        ),
    ),
]

HOME_PANELS: list[tuple[str, Callable[..., dict | None]]] = [
    ("plans/_home_panel.html", lambda user, as_of: plans_home_panel(user=user, as_of=as_of)),
    ("orders/_home_panel.html", lambda user, as_of: orders_home_panel(user=user)),
    (
        "contracts/_home_panel.html",
        lambda user, as_of: {"panel": contract_home_panel(user=user, as_of=as_of)},
    ),
    (
        "receivables/collection/_home_panel.html",
        lambda user, as_of: collection_home_panel(user=user, as_of=as_of),
    ),
    ("activity/_home_panel.html", lambda user, as_of: activity_home_panel(user=user, as_of=as_of)),
    (
        "activity/tasks/_home_panel.html",
        lambda user, as_of: tasks_home_panel(user=user, as_of=as_of),
    ),
    (
        "relations/account_plans/_home_panel.html",
        lambda user, as_of: account_plans_home_panel(user=user, as_of=as_of),
    ),
]


def _render(request, panels, **kwargs) -> list[str]:
    out = []
    for template, build in panels:
        context = build(user=request.user, **kwargs)
        if context is not None:
            out.append(render_to_string(template, context, request=request))
    return out


def client_panels(request, account, *, as_of: date | None = None) -> list[str]:
    """The client card's panels as HTML, for a client the user sees."""
    return _render(request, CLIENT_PANELS, account=account, as_of=as_of or timezone.localdate())


def home_panels(request, *, as_of: date | None = None) -> list[str]:
    """The home page's panels as HTML. Not cached: they depend on today's date."""
    return _render(request, HOME_PANELS, as_of=as_of or timezone.localdate())
