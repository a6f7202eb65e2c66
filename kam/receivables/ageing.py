"""Ageing buckets of open receivables as of a day (AR-2), as plain arithmetic.

An open invoice falls in a bucket by its days past due on the day asked: ``current`` (not yet
due, or due that day), 1-30, 31-60, 61-90 and over 90 days. Unallocated credits (a payment,
credit note or return not yet set against an invoice) are not aged: they are carried beside
the buckets, so that buckets + credits = the client's balance. The SQL of
``kam.receivables.selectors`` puts items in the same buckets by comparing the due date with the
boundaries computed here (``bucket_bounds``), so both answer alike."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0")
BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "over_90")
# The upper end (days past due, inclusive) of each bucket but the last.
LIMITS = (0, 30, 60, 90)


def days_past_due(due_date: date, as_of: date) -> int:
    """Days since the due date (0 or less: not yet overdue)."""
    return (as_of - due_date).days


def bucket_of(days: int) -> str:
    """The bucket of an invoice ``days`` past due."""
    for name, limit in zip(BUCKETS, LIMITS, strict=False):
        if days <= limit:
            return name
    return BUCKETS[-1]


def bucket_bounds(as_of: date) -> tuple[date, ...]:
    """The earliest due date of each bucket but the last, as of ``as_of``: an invoice due on or
    after ``bounds[i]`` (and before ``bounds[i-1]``) lies in ``BUCKETS[i]``."""
    return tuple(as_of - timedelta(days=limit) for limit in LIMITS)


@dataclass
class Ageing:
    """Open amounts per bucket (positive), and the unallocated credits (negative or zero)."""

    current: Decimal = ZERO
    d1_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    credits: Decimal = ZERO
    oldest_due: date | None = field(default=None)  # the oldest open invoice's due date

    @property
    def total(self) -> Decimal:
        """The open invoices: the sum of the buckets."""
        return sum((getattr(self, b) for b in BUCKETS), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.total - self.current

    @property
    def balance(self) -> Decimal:
        """What the client owes net: open invoices less unallocated credits."""
        return self.total + self.credits

    def buckets(self) -> dict[str, Decimal]:
        return {b: getattr(self, b) for b in BUCKETS}

    def add(self, other: "Ageing") -> "Ageing":
        oldest = [d for d in (self.oldest_due, other.oldest_due) if d is not None]
        return Ageing(
            **{b: getattr(self, b) + getattr(other, b) for b in BUCKETS},
            credits=self.credits + other.credits,
            oldest_due=min(oldest) if oldest else None,
        )


def age(items: Iterable[tuple[date | None, Decimal]], as_of: date) -> Ageing:
    """Age open items given as (due date, open amount as of ``as_of``): an invoice's amount is
    positive (one without a due date is current); a credit's is negative and is carried in
    ``credits``."""
    out = Ageing()
    for due, amount in items:
        if amount == 0:
            continue
        if amount < 0:
            out.credits += amount
            continue
        if due is None:
            out.current += amount
            continue
        name = bucket_of(days_past_due(due, as_of))
        setattr(out, name, getattr(out, name) + amount)
        if out.oldest_due is None or due < out.oldest_due:
            out.oldest_due = due
    return out
