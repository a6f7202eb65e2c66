"""Reads of settlements and receivables, scoped by what the user may see (SE-1)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min, Q, Sum

from kam.receivables.models import SettlementItem

ZERO = Decimal("0")


@dataclass(frozen=True)
class DebtPosition:
    """A client's debt as of a day (base currency): what the credit gate reads (AR-3, CR-2)."""

    balance: Decimal  # sum of every open item: invoices owed minus unallocated credits
    open_invoices: Decimal  # the invoices' open amounts alone
    overdue: Decimal  # open invoice amounts past their due date
    days_overdue: int  # the oldest overdue invoice's days past due (0: none overdue)


def debt_position(*, account_id: int, as_of: date) -> DebtPosition:
    """The client's open items as recorded (allocations already applied) for items dated up to
    ``as_of``. One query."""
    items = SettlementItem.objects.filter(account_id=account_id, document_date__lte=as_of)
    overdue_q = Q(kind=SettlementItem.Kind.INVOICE, due_date__lt=as_of, open_amount__gt=0)
    row = items.aggregate(
        balance=Sum("open_amount"),
        open_invoices=Sum("open_amount", filter=Q(kind=SettlementItem.Kind.INVOICE)),
        overdue=Sum("open_amount", filter=overdue_q),
        oldest_due=Min("due_date", filter=overdue_q),
        _last=Max("pk"),
    )
    oldest = row["oldest_due"]
    return DebtPosition(
        balance=row["balance"] or ZERO,
        open_invoices=row["open_invoices"] or ZERO,
        overdue=row["overdue"] or ZERO,
        days_overdue=(as_of - oldest).days if oldest else 0,
    )
