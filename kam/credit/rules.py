"""The credit gate's arithmetic, with no database (CR-2, CR-3): plain values in, the reasons an
order is blocked out. ``kam.credit.services.credit_reserve`` feeds it under the client's lock."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Position:
    limit: Decimal
    receivables: Decimal  # open receivables (the settlements' balance)
    reserved: Decimal  # open orders not yet invoiced, this order left out
    overdue: Decimal
    days_overdue: int
    check_valid_until: date | None  # the last check's next review date (None: never checked)
    check_rejected: bool = False

    @property
    def exposure(self) -> Decimal:
        return self.receivables + self.reserved

    @property
    def available(self) -> Decimal:
        return self.limit - self.exposure


@dataclass(frozen=True)
class Thresholds:
    overdue_amount: Decimal
    overdue_days: int
    check_required: bool = True


@dataclass(frozen=True)
class Block:
    """One reason the gate blocks: a code for programs, the values for the sentence."""

    code: str  # "over_limit" | "overdue" | "check_expired" | "check_missing" | "check_rejected"
    values: dict


def blocks(position: Position, amount: Decimal, rules: Thresholds, on: date) -> list[Block]:
    """Why an order of ``amount`` may not pass on ``on`` (empty: it may)."""
    found = []
    if amount > position.available:
        found.append(
            Block(
                "over_limit",
                {"amount": amount, "available": position.available, "limit": position.limit},
            )
        )
    if position.overdue > rules.overdue_amount and position.days_overdue > rules.overdue_days:
        found.append(Block("overdue", {"overdue": position.overdue, "days": position.days_overdue}))
    if rules.check_required:
        if position.check_valid_until is None:
            found.append(Block("check_missing", {}))
        elif position.check_rejected:
            found.append(Block("check_rejected", {}))
        elif position.check_valid_until < on:
            found.append(Block("check_expired", {"since": position.check_valid_until}))
    return found
