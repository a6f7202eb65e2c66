"""Reads of debt collection (AR-2): the collection list per KAM, a client's collection page,
overdue by bucket, and what the services need to decide (the next reminder level, the contact to
write to, the head to escalate to). Every list starts from the clients on which the reader may
work the debt: ``scope(user, Action.COLLECTION_WORK)``."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from kam.clients.models import Account, Contact
from kam.clients.selectors import account_get
from kam.core.bounds import MAX_ID
from kam.core.models import Notification
from kam.core.selectors import single_row
from kam.org.models import Role, User
from kam.org.policy import Action, can, scope
from kam.receivables.models import CollectionSettings, PaymentPromise, Reminder, SettlementItem

ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_LEVEL = 3  # friendly, firm, final: the three reminder texts (templates/receivables/email)
Kind = SettlementItem.Kind

# Overdue buckets of the collection page's chart: (first day, last day or None), as in §8.
BUCKETS = ((1, 30), (31, 60), (61, 90), (91, None))


def collection_settings() -> CollectionSettings:
    """The company's one collection settings row, created with defaults on first use."""
    return single_row(CollectionSettings)


def overdue_filter(as_of: date, *, prefix: str = "") -> Q:
    """Open invoices dated by ``as_of`` and past their due date (as ``debt_position`` counts)."""
    return Q(
        **{
            f"{prefix}kind": Kind.INVOICE,
            f"{prefix}open_amount__gt": 0,
            f"{prefix}due_date__lt": as_of,
            f"{prefix}document_date__lte": as_of,
        }
    )


def _scoped(qs: QuerySet, user) -> QuerySet:
    q = scope(user, Action.COLLECTION_WORK, prefix="account__")
    return qs if q is None else qs.filter(q)


def escalation_key(account_id: int, invoice_id: int) -> str:
    """The key of a debt escalation: once per client and oldest overdue invoice."""
    return f"debt:{account_id}:{invoice_id}"


@dataclass(frozen=True)
class CollectionRow:
    account_id: int
    account_name: str
    registration_number: str
    owner_id: int | None
    owner_name: str
    department_name: str
    overdue: Decimal
    invoices: int  # overdue invoices
    oldest_due: date
    days_overdue: int
    priority: Decimal  # overdue amount x days overdue: the list's order
    promise: PaymentPromise | None  # the open promise to pay, if any
    promise_broken: bool  # the latest promise was broken
    last_reminder: Reminder | None
    escalated: bool  # the oldest overdue invoice was escalated to the head


def collection_list(*, user, as_of: date) -> list[CollectionRow]:
    """The clients in the user's scope with overdue debt on ``as_of``, the largest amount x
    days overdue first (AR-2). A KAM gets their own clients, a head their department's, credit
    control and the director everyone's. Four queries whatever the length."""
    totals = {
        r["account_id"]: r
        for r in _scoped(SettlementItem.objects.filter(overdue_filter(as_of)), user)
        .values("account_id")
        .annotate(overdue=Sum("open_amount"), oldest_due=Min("due_date"), invoices=Count("pk"))
        .order_by()
    }
    if not totals:
        return []
    latest_promise = PaymentPromise.objects.filter(account=OuterRef("pk")).order_by(
        "-made_on", "-pk"
    )
    open_promise = latest_promise.filter(status=PaymentPromise.Status.OPEN)
    last_reminder = Reminder.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-pk")
    oldest_invoice = SettlementItem.objects.filter(
        overdue_filter(as_of), account=OuterRef("pk")
    ).order_by("due_date", "document_date", "pk")
    accounts = list(
        Account.objects.filter(pk__in=list(totals))
        .select_related("owner", "department")
        .annotate(
            _latest_promise=Subquery(latest_promise.values("pk")[:1]),
            _open_promise=Subquery(open_promise.values("pk")[:1]),
            _last_reminder=Subquery(last_reminder.values("pk")[:1]),
            _oldest_invoice=Subquery(oldest_invoice.values("pk")[:1]),
        )
    )
    promise_ids = {a._latest_promise for a in accounts} | {a._open_promise for a in accounts}
    promises = PaymentPromise.objects.in_bulk([p for p in promise_ids if p])
    reminders = Reminder.objects.in_bulk([a._last_reminder for a in accounts if a._last_reminder])
    keys = [escalation_key(a.pk, a._oldest_invoice) for a in accounts if a._oldest_invoice]
    escalated = set(
        Notification.objects.filter(kind=Notification.Kind.DEBT_ESCALATED, key__in=keys)
        .values_list("key", flat=True)
        .distinct()
    )
    rows = []
    for account in accounts:
        total = totals[account.pk]
        days = (as_of - total["oldest_due"]).days
        overdue = total["overdue"].quantize(CENT)  # SQLite's sums come back as "500"
        latest = promises.get(account._latest_promise)
        rows.append(
            CollectionRow(
                account_id=account.pk,
                account_name=account.legal_name,
                registration_number=account.registration_number,
                owner_id=account.owner_id,
                owner_name=account.owner.get_full_name() if account.owner else "",
                department_name=account.department.name if account.department else "",
                overdue=overdue,
                invoices=total["invoices"],
                oldest_due=total["oldest_due"],
                days_overdue=days,
                priority=overdue * days,
                promise=promises.get(account._open_promise),
                promise_broken=latest is not None and latest.status == PaymentPromise.Status.BROKEN,
                last_reminder=reminders.get(account._last_reminder),
                escalated=escalation_key(account.pk, account._oldest_invoice) in escalated,
            )
        )
    rows.sort(key=lambda r: (-r.priority, -r.overdue, r.account_name, r.account_id))
    return rows


def overdue_by_bucket(*, user, as_of: date) -> list[tuple[int, int | None, Decimal]]:
    """Overdue amounts in the user's scope by days past due: (first day, last day or None for
    "over", amount) for 1-30, 31-60, 61-90 and over 90 days. One query."""
    sums = {}
    for first, last in BUCKETS:
        q = Q(due_date__lte=as_of - timedelta(days=first))
        if last is not None:
            q &= Q(due_date__gte=as_of - timedelta(days=last))
        sums[f"b{first}"] = Sum("open_amount", filter=q)
    row = _scoped(SettlementItem.objects.filter(overdue_filter(as_of)), user).aggregate(**sums)
    return [(first, last, (row[f"b{first}"] or ZERO).quantize(CENT)) for first, last in BUCKETS]


def overdue_by_owner(rows: list[CollectionRow]) -> list[tuple[str, Decimal]]:
    """The collection list's overdue amounts summed per KAM, largest first."""
    sums: dict[str, Decimal] = {}
    for row in rows:
        sums[row.owner_name or "—"] = sums.get(row.owner_name or "—", ZERO) + row.overdue
    return sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))


def collection_account_get(*, user, pk) -> Account:
    """A client the user may see (404 alike for missing and not yours); whether they may work
    on its debt the caller asks the policy (403 with a sentence)."""
    if isinstance(pk, int) and not 0 < pk <= MAX_ID:
        raise Http404("No such client.")  # an id no row can have (SQLite would overflow)
    return account_get(user=user, pk=pk)


def overdue_invoices(*, account_id: int, as_of: date) -> list[SettlementItem]:
    """The client's overdue invoices on ``as_of``, oldest due first."""
    return list(
        SettlementItem.objects.filter(overdue_filter(as_of), account_id=account_id).order_by(
            "due_date", "document_date", "pk"
        )
    )


@dataclass
class ClientCollection:
    account: Account
    as_of: date
    invoices: list[SettlementItem]
    overdue: Decimal
    days_overdue: int
    promises: list[PaymentPromise]
    reminders: list[Reminder]
    contact: Contact | None
    next_level: int
    escalated: bool


def client_collection(*, account: Account, as_of: date) -> ClientCollection:
    """What a client's collection page shows (the caller has checked the policy)."""
    invoices = overdue_invoices(account_id=account.pk, as_of=as_of)
    for item in invoices:
        item.days_overdue = (as_of - item.due_date).days
    overdue = sum((i.open_amount for i in invoices), ZERO).quantize(CENT)
    escalated = bool(invoices) and (
        Notification.objects.filter(
            kind=Notification.Kind.DEBT_ESCALATED, key=escalation_key(account.pk, invoices[0].pk)
        ).exists()
    )
    return ClientCollection(
        account=account,
        as_of=as_of,
        invoices=invoices,
        overdue=overdue,
        days_overdue=(as_of - invoices[0].due_date).days if invoices else 0,
        promises=list(
            PaymentPromise.objects.filter(account=account).select_related("recorded_by")[:50]
        ),
        reminders=list(Reminder.objects.filter(account=account).select_related("created_by")[:50]),
        contact=reminder_contact(account_id=account.pk),
        next_level=next_reminder_level(account_id=account.pk, as_of=as_of),
        escalated=escalated,
    )


def reminder_contact(*, account_id: int) -> Contact | None:
    """The client's contact person a reminder goes to: the first entered with an e-mail."""
    return Contact.objects.filter(account_id=account_id).exclude(email="").order_by("pk").first()


def next_reminder_level(*, account_id: int, as_of: date) -> int:
    """The level of the next reminder: 1 with no earlier one (or none since the oldest overdue
    invoice fell due); the last one's level while it is younger than the settings' interval;
    one level up (to at most 3) once it is older."""
    invoices = overdue_invoices(account_id=account_id, as_of=as_of)
    if not invoices:
        return 1
    last = (
        Reminder.objects.filter(account_id=account_id, created_at__date__gte=invoices[0].due_date)
        .exclude(status=Reminder.Status.FAILED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return 1
    interval = collection_settings().reminder_interval_days
    if (as_of - last.created_at.date()).days < interval:
        return last.level
    return min(last.level + 1, MAX_LEVEL)


def department_head(account: Account) -> User | None:
    """The head of the client's department (or of the nearest department above it that has
    one); the client's KAM's department when the client has none."""
    department = account.department or (account.owner.department if account.owner else None)
    while department is not None:
        head = (
            User.objects.filter(role=Role.HEAD, department=department, is_active=True)
            .order_by("pk")
            .first()
        )
        if head is not None:
            return head
        department = department.parent
    return None


def escalation_due(*, as_of: date, after_days: int) -> list[tuple[Account, SettlementItem]]:
    """(client, oldest overdue invoice) of every client whose oldest open invoice is more than
    ``after_days`` past due on ``as_of`` and who has no promise to pay that is open or was kept
    in the last ``after_days`` days. Every client: the daily run works for the company."""
    limit = as_of - timedelta(days=after_days)
    working = PaymentPromise.objects.filter(
        Q(status=PaymentPromise.Status.OPEN)
        | Q(status=PaymentPromise.Status.KEPT, settled_on__gte=limit)
    ).values("account_id")
    oldest = SettlementItem.objects.filter(
        overdue_filter(as_of), account=OuterRef("account")
    ).order_by("due_date", "document_date", "pk")
    items = (
        SettlementItem.objects.filter(overdue_filter(as_of), due_date__lt=limit)
        .exclude(account_id__in=working)
        .filter(pk=Subquery(oldest.values("pk")[:1]))
        .select_related("account__owner__department", "account__department")
        .order_by("account_id")
    )
    return [(item.account, item) for item in items]


def client_panel(*, user, account: Account, as_of: date | None = None) -> dict:
    """The client card's collection panel (``receivables/collection/_client_panel.html``):
    empty for a reader who does not work on the client's debt."""
    if not can(user, Action.COLLECTION_WORK, account):
        return {"collection": None}
    as_of = as_of or timezone.localdate()
    invoices = overdue_invoices(account_id=account.pk, as_of=as_of)
    promise = PaymentPromise.objects.filter(account=account).order_by("-made_on", "-pk").first()
    return {
        "collection": {
            "account": account,
            "overdue": sum((i.open_amount for i in invoices), ZERO).quantize(CENT),
            "invoices": len(invoices),
            "days_overdue": (as_of - invoices[0].due_date).days if invoices else 0,
            "promise": promise,
            "last_reminder": Reminder.objects.filter(account=account)
            .order_by("-created_at", "-pk")
            .first(),
        }
    }


def home_panel(*, user, as_of: date | None = None, size: int = 5) -> dict:
    """The home page's collection panel (``receivables/collection/_home_panel.html``): the
    first rows of the reader's collection list and its total; empty for a reader who does not
    work on debt."""
    if not can(user, Action.COLLECTION_WORK):
        return {"collection": None}
    rows = collection_list(user=user, as_of=as_of or timezone.localdate())
    return {
        "collection": {
            "rows": rows[:size],
            "count": len(rows),
            "total": sum((r.overdue for r in rows), ZERO),
            "broken": sum(1 for r in rows if r.promise_broken),
        }
    }
