"""Reads of credit: the company's rules, a client's position (limit, exposure, debt quality)."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from kam.contracts.selectors import contract_active
from kam.credit.models import CreditAccount, CreditCheck, CreditReservation, CreditSettings
from kam.credit.rules import Position, Thresholds
from kam.receivables.selectors import debt_position

ZERO = Decimal("0")


def credit_settings() -> CreditSettings:
    obj = CreditSettings.objects.order_by("pk").first()
    if obj is None:
        obj, _ = CreditSettings.objects.get_or_create(pk=1)
    return obj


def thresholds() -> Thresholds:
    s = credit_settings()
    return Thresholds(s.overdue_amount_threshold, s.overdue_days_threshold, s.check_required)


def credit_limit(*, account_id: int, on: date) -> Decimal:
    """The client's credit limit on ``on``: the credit controller's, when one set it; otherwise
    the active contract's; no contract and no controller's limit: 0 (CR-2)."""
    own = (
        CreditAccount.objects.filter(account_id=account_id, source=CreditAccount.Source.CONTROLLER)
        .values_list("limit", flat=True)
        .first()
    )
    if own is not None:
        return own
    contract = contract_active(account_id=account_id, on=on)
    return contract.credit_limit if contract else ZERO


def credit_position(*, account_id: int, as_of: date, leave_out: str = "") -> Position:
    """The client's limit, exposure and debt quality on ``as_of``; ``leave_out`` a reservation
    (the order being checked) from the open orders."""
    limit = credit_limit(account_id=account_id, on=as_of)
    reserved = (
        CreditReservation.objects.filter(account_id=account_id, released_at__isnull=True)
        .exclude(ref=leave_out)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    debt = debt_position(account_id=account_id, as_of=as_of)
    check = (
        CreditCheck.objects.filter(account_id=account_id, checked_on__lte=as_of)
        .order_by("-checked_on", "-pk")
        .first()
    )
    return Position(
        limit=limit,
        receivables=max(debt.balance, ZERO),
        reserved=reserved,
        overdue=debt.overdue,
        days_overdue=debt.days_overdue,
        check_valid_until=check.next_review_on if check else None,
        check_rejected=bool(check and check.result == CreditCheck.Result.REJECTED),
    )
