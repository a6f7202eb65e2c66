"""Reads of contracts, scoped by what the user may see (SE-1)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.contracts import rules
from kam.contracts.models import Contract
from kam.org.policy import Action, can

# Statuses under which a contract holds between its dates.
IN_FORCE = (Contract.Status.ACTIVE, Contract.Status.EXPIRING)


def contract_active(*, account_id: int, on: date) -> Contract | None:
    """The contract that holds for the client on ``on``: concluded (active or expiring), started,
    not ended; the latest version when two overlap. None: the client has no contract that day
    (an order then cannot be taken; imported ERP invoices still can)."""
    return (
        Contract.objects.filter(account_id=account_id, status__in=IN_FORCE, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("price_column", "price_column__price_list")
        .order_by("-starts_on", "-version")
        .first()
    )


# --- the pages, the API, the client card and the home page ---------------------------------------


def contract_list(
    *, user, status: str = "", account_id: int | None = None, q: str = ""
) -> QuerySet[Contract]:
    """The contracts the user may see (SE-1), newest first; ``status`` and ``account_id``
    narrow it, ``q`` looks in the number and the client's name."""
    qs = Contract.objects.visible_to(user).select_related(
        "account", "account__owner", "price_column", "price_column__price_list"
    )
    if status:
        qs = qs.filter(status=status)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(account__legal_name__icontains=q))
    return qs.order_by("-starts_on", "-version", "-pk")


def contract_get(*, user, pk) -> Contract:
    """One contract the user may see; 404 alike for missing and not yours."""
    try:
        return (
            Contract.objects.visible_to(user)
            .select_related(
                "account",
                "account__owner",
                "price_column__price_list",
                "previous",
                "concluded_by",
                "created_by",
                "terminated_by",
            )
            .get(pk=pk)
        )
    except (Contract.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such contract.")) from None


def contract_versions(*, contract: Contract) -> list[Contract]:
    """Every version of the contract's chain (a renewal keeps the number), oldest first."""
    return list(
        Contract.objects.filter(account_id=contract.account_id, number=contract.number)
        .select_related("concluded_by")
        .order_by("version")
    )


def contract_table(contracts) -> tuple[list[str], list[list]]:
    """The contract list as a header and rows for an export."""
    header = [
        _("Number"),
        _("Version"),
        _("Client"),
        _("Registration number"),
        _("Key account manager"),
        _("Status"),
        _("Starts on"),
        _("Ends on"),
        _("Payment deferral, days"),
        _("Price-list column"),
        _("Credit limit"),
        _("Currency"),
        _("Delivery terms"),
    ]
    rows = [
        [
            c.number,
            c.version,
            c.account.legal_name,
            c.account.registration_number,
            str(c.account.owner) if c.account.owner_id else "",
            c.get_status_display(),
            c.starts_on,
            c.ends_on,
            c.payment_days,
            str(c.price_column),
            c.credit_limit,
            c.currency,
            c.delivery_terms,
        ]
        for c in contracts
    ]
    return header, rows


@dataclass
class Expiring:
    contract: Contract
    days_left: int
    warning: int | None  # 30 or 60: the alert reached
    renewal_draft: bool  # a renewal is being prepared


def contracts_expiring(*, user, as_of: date, within_days: int = 60) -> list[Expiring]:
    """The contracts in force the user may see that end within ``within_days`` of ``as_of``
    (the home page's panel, CT-1), the soonest first. One query."""
    within_days = max(0, min(int(within_days), 3660))
    drafts = Contract.objects.filter(previous=OuterRef("pk"), status=Contract.Status.DRAFT)
    qs = (
        Contract.objects.visible_to(user)
        .filter(
            status__in=IN_FORCE,
            ends_on__gte=as_of,
            ends_on__lte=as_of + timedelta(days=within_days),
        )
        .annotate(renewal_draft=Exists(drafts))
        .select_related("account", "account__owner")
        .order_by("ends_on", "pk")
    )
    return [
        Expiring(
            contract=c,
            days_left=rules.days_left(c.ends_on, as_of),
            warning=rules.alert_due(c.ends_on, as_of),
            renewal_draft=c.renewal_draft,
        )
        for c in qs
    ]


HOME_PANEL_ROWS = 10


def home_panel(*, user, as_of: date) -> dict:
    """The context of ``contracts/_home_panel.html``: the soonest ``HOME_PANEL_ROWS`` of the
    contracts expiring within 60 days, and how many there are in all."""
    expiring = contracts_expiring(user=user, as_of=as_of)
    return {
        "expiring": expiring[:HOME_PANEL_ROWS],
        "expiring_count": len(expiring),
        "more": max(0, len(expiring) - HOME_PANEL_ROWS),
        "as_of": as_of,
    }


def client_panel(*, user, account, as_of: date) -> dict:
    """The context of ``contracts/_client_panel.html`` on the client card: the contract in
    force on ``as_of`` and its terms, the days to its end with a warning at 60 and 30 days, the
    drafts being prepared, and whether the user may prepare one. 404 for a client the user may
    not see."""
    if not can(user, Action.CLIENT_VIEW, account):
        raise Http404(_("No such client."))
    mine = Contract.objects.visible_to(user).filter(account=account)
    current = (
        mine.filter(status__in=IN_FORCE, starts_on__lte=as_of)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        .select_related("price_column__price_list")
        .order_by("-starts_on", "-version")
        .first()
    )
    drafts = list(mine.filter(status=Contract.Status.DRAFT).order_by("starts_on", "pk"))
    latest = None
    if current is None:
        latest = mine.exclude(status=Contract.Status.DRAFT).order_by("-starts_on", "-pk").first()
    left = rules.days_left(current.ends_on, as_of) if current else None
    return {
        "account": account,
        "contract": current,
        "days_left": left,
        "warning": rules.alert_due(current.ends_on, as_of) if current else None,
        "drafts": drafts,
        "latest": latest,
        "may_prepare": can(user, Action.CONTRACT_EDIT, account),
        "as_of": as_of,
    }
