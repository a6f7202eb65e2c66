"""Mutual obligations (CT-3): per client, over the 12 months up to a date, whether we shipped
on time (shipped by the promised date) and whether they paid on time (each invoice due in the
window settled in full by its due date), each as an on-time score.

A delivery is judged when it has a promised date; an invoice when its due date has come. An
invoice is on time when the allocations dated on or before its due date cover it; one paid
later, or still unpaid past its due date, is late."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kam.clients.selectors import account_get
from kam.core.bounds import clamp_date
from kam.core.periods import add_months, month_last_day
from kam.orders.models import Shipment
from kam.receivables.models import SettlementItem

WINDOW_MONTHS = 12
ZERO = Decimal("0")
MONEY = DecimalField(max_digits=18, decimal_places=2)


@dataclass
class Side:
    """One side of the obligations: how many were judged, how many on time, the days late."""

    judged: int = 0
    on_time: int = 0
    late: int = 0
    days_late_total: int = 0
    unpaid: int = 0  # payments only: still open past the due date

    @property
    def share_on_time(self) -> Decimal | None:
        """On-time share in per cent (one decimal); None when nothing could be judged."""
        if not self.judged:
            return None
        return (Decimal(self.on_time) * 100 / self.judged).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def average_days_late(self) -> Decimal | None:
        """Average days late over the late ones; None when none was late."""
        if not self.late:
            return None
        return (Decimal(self.days_late_total) / self.late).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def score(self) -> Decimal | None:
        return self.share_on_time


@dataclass
class Obligations:
    account_id: int
    start: date  # the window's first day: 12 months before as_of, plus one day
    as_of: date
    deliveries: Side
    payments: Side

    @property
    def score(self) -> Decimal | None:
        """Both sides together: the mean of the scores there are."""
        scores = [s for s in (self.deliveries.score, self.payments.score) if s is not None]
        if not scores:
            return None
        return (sum(scores) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def window(as_of: date) -> tuple[date, date]:
    """(first day, last day) of the 12 months up to ``as_of``, both included."""
    # The same day 12 months back, plus one: 2026-03-15 -> 2025-03-16 .. 2026-03-15.
    back = add_months(as_of, -WINDOW_MONTHS)
    back = back.replace(day=min(as_of.day, month_last_day(back).day))
    return back + timedelta(days=1), as_of


def delivery_side(*, account_id: int, start: date, as_of: date, user) -> Side:
    shipments = Shipment.objects.visible_to(user).filter(
        order__account_id=account_id,
        promised_on__isnull=False,
        shipped_on__gte=start,
        shipped_on__lte=as_of,
    )
    counts = shipments.aggregate(
        judged=Count("pk"), on_time=Count("pk", filter=Q(shipped_on__lte=F("promised_on")))
    )
    side = Side(judged=counts["judged"], on_time=counts["on_time"])
    side.late = side.judged - side.on_time
    # Only the late ones, to count their days (date arithmetic differs between databases).
    for shipped, promised in shipments.filter(shipped_on__gt=F("promised_on")).values_list(
        "shipped_on", "promised_on"
    ):
        side.days_late_total += (shipped - promised).days
    return side


def payment_side(*, account_id: int, start: date, as_of: date, user) -> Side:
    invoices = (
        SettlementItem.objects.visible_to(user)
        .filter(
            account_id=account_id,
            kind=SettlementItem.Kind.INVOICE,
            amount__gt=0,
            due_date__gte=start,
            due_date__lte=as_of,
        )
        .annotate(
            paid_by_due=Coalesce(
                Sum(
                    "allocations_in__amount",
                    filter=Q(allocations_in__allocated_on__lte=F("due_date")),
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            paid_by_as_of=Coalesce(
                Sum(
                    "allocations_in__amount",
                    filter=Q(allocations_in__allocated_on__lte=as_of),
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            last_paid=Max(
                "allocations_in__allocated_on", filter=Q(allocations_in__allocated_on__lte=as_of)
            ),
        )
        .values_list("amount", "due_date", "paid_by_due", "paid_by_as_of", "last_paid")
    )
    side = Side()
    for amount, due, paid_by_due, paid_by_as_of, last_paid in invoices:
        side.judged += 1
        if paid_by_due >= amount:
            side.on_time += 1
            continue
        side.late += 1
        if paid_by_as_of >= amount:
            side.days_late_total += (last_paid - due).days
        else:
            side.unpaid += 1
            side.days_late_total += (as_of - due).days
    return side


def obligations(*, user, account, as_of: date | None = None) -> Obligations:
    """Both sides of the obligations of a client the user may see, over the 12 months up to
    ``as_of`` (today by default)."""
    as_of = clamp_date(as_of or timezone.localdate())
    start, end = window(as_of)
    return Obligations(
        account_id=account.pk,
        start=start,
        as_of=end,
        deliveries=delivery_side(account_id=account.pk, start=start, as_of=end, user=user),
        payments=payment_side(account_id=account.pk, start=start, as_of=end, user=user),
    )


def obligations_panel(*, user, account, as_of: date | None = None) -> dict:
    """The context of ``orders/returns/_obligations_panel.html`` for the client card and the
    contract page; 404 when the user may not see the client."""
    account = account_get(user=user, pk=account.pk)
    return {"account": account, "obligations": obligations(user=user, account=account, as_of=as_of)}
