"""Reads of orders, each starting from what the reader may see (SE-1): the KAM's orders, sales
support's queue, the head's approvals, credit control's blocked orders, one order's page."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.credit.models import CreditOverride
from kam.orders.models import DiscountApproval, Order, OrderEvent, Reason, Shipment
from kam.org.policy import Action, can, scope

S = Order.Status
OPEN = (
    S.DRAFT,
    S.AWAITING_APPROVAL,
    S.BLOCKED,
    S.SUBMITTED,
    S.ENTERED,
    S.CONFIRMED,
    S.PARTLY_SHIPPED,
)
QUEUE = (S.SUBMITTED, S.ENTERED, S.CONFIRMED, S.PARTLY_SHIPPED, S.SHIPPED)


def _scoped(qs: QuerySet, user, action: Action, prefix: str) -> QuerySet:
    q = scope(user, action, prefix=prefix)
    return qs if q is None else qs.filter(q)


def _listing(qs: QuerySet) -> QuerySet:
    return qs.select_related("account", "account__owner", "created_by")


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    account: int | None = None
    q: str = ""


def order_list(*, user, filters: OrderFilters | None = None) -> QuerySet:
    """The orders of the clients the user sees (a KAM: their own clients')."""
    filters = filters or OrderFilters()
    qs = _listing(Order.objects.visible_to(user))
    if filters.status in S.values:
        qs = qs.filter(status=filters.status)
    elif filters.status == "open":
        qs = qs.filter(status__in=OPEN)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.q:
        qs = qs.filter(
            Q(number__icontains=filters.q)
            | Q(erp_number__icontains=filters.q)
            | Q(account__legal_name__icontains=filters.q)
        )
    return qs


def order_get(*, user, pk) -> Order:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("Not found.")) from None
    order = (
        Order.objects.visible_to(user)
        .select_related(
            "account", "account__owner", "contract", "price_column", "created_by", "changed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404(_("Not found."))
    return order


def shipment_get(*, user, pk) -> Shipment:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("Not found.")) from None
    found = Shipment.objects.visible_to(user).select_related("order").filter(pk=pk).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


def account_for_order(*, user, pk) -> Account:
    """A client the user may see, for a new order (404 otherwise)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("Not found.")) from None
    account = Account.objects.visible_to(user).filter(pk=pk).first()
    if account is None:
        raise Http404(_("Not found."))
    return account


def order_lines(order: Order):
    return order.lines.select_related("product", "refusal_reason").order_by("line_number")


def order_shipments(order: Order):
    return order.shipments.prefetch_related("lines", "returns").order_by("shipped_on", "pk")


def order_pending_approvals(order: Order):
    return order.approvals.filter(status=DiscountApproval.Status.PENDING).select_related("line")


def order_overrides(order: Order):
    """Credit control's releases of this order's blocks, newest first (shown on the page)."""
    return CreditOverride.objects.filter(ref=order.credit_ref).select_related("by").order_by("-pk")


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    actor: object
    kind: str
    status: str
    text: str


def order_timeline(order: Order) -> list[TimelineEntry]:
    out = []
    for e in OrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "pk"):
        try:
            text = _(e.text) % e.params if e.params else _(e.text)
        except (KeyError, TypeError, ValueError):
            text = e.text
        out.append(TimelineEntry(e.at, e.actor, e.kind, e.get_status_display(), text))
    return out


def support_queue(*, user, status: str = "") -> QuerySet:
    """Sales support's work: submitted orders of their department until shipped, oldest
    first."""
    qs = _scoped(Order.objects.all(), user, Action.ORDER_PROCESS, "account__")
    qs = qs.filter(status__in=[status] if status in QUEUE else QUEUE)
    return _listing(qs).order_by("submitted_at", "pk")


def approvals_pending(*, user) -> QuerySet:
    """Discounts waiting for this head (or director)."""
    qs = DiscountApproval.objects.filter(
        status=DiscountApproval.Status.PENDING, order__status=S.AWAITING_APPROVAL
    )
    qs = _scoped(qs, user, Action.DISCOUNT_APPROVE, "order__account__")
    return qs.select_related(
        "order", "order__account", "line", "line__product", "requested_by"
    ).order_by("created_at", "pk")


def blocked_orders(*, user) -> QuerySet:
    """Orders the credit gate stopped (at submission, shipment or invoice) that the user may
    release."""
    qs = _scoped(Order.objects.exclude(blocked_stage=""), user, Action.CREDIT_OVERRIDE, "account__")
    return _listing(qs).order_by("updated_at", "pk")


def reasons(kind: str) -> QuerySet:
    return Reason.objects.filter(kind=kind, is_active=True).order_by("name")


def client_panel(*, user, account) -> dict:
    """The client card's panel: the client's open orders the user sees."""
    qs = _listing(Order.objects.visible_to(user).filter(account=account, status__in=OPEN))
    rows = list(qs.order_by("-created_at", "-pk")[:10])
    return {
        "account": account,
        "orders": rows,
        "open_count": qs.count(),
        "may_draft": can(user, Action.ORDER_DRAFT, account),
    }


def order_get_unscoped(*, pk: int) -> Order:
    """An order already fetched through ``order_get`` (the API's answer after a write)."""
    return Order.objects.select_related("account").get(pk=pk)


def home_panel(*, user) -> dict:
    """The home page's panel: the reader's orders that wait (drafts, approvals, blocks) and,
    by role, how many wait for them (the queue, discounts, blocked orders)."""
    mine = _listing(
        Order.objects.visible_to(user).filter(
            created_by=user,
            status__in=(S.DRAFT, S.AWAITING_APPROVAL, S.BLOCKED),
        )
    ).order_by("-updated_at", "-pk")
    return {
        "waiting": list(mine[:8]),
        "queue_count": support_queue(user=user).filter(status=S.SUBMITTED).count()
        if can(user, Action.ORDER_PROCESS)
        else None,
        "approval_count": approvals_pending(user=user).count()
        if can(user, Action.DISCOUNT_APPROVE)
        else None,
        "blocked_count": blocked_orders(user=user).count()
        if can(user, Action.CREDIT_OVERRIDE)
        else None,
    }
