"""Contract dates as plain arithmetic (CT-1): how a concluded contract stands on a day, and
which expiry alert (60 or 30 days ahead) is due. No database."""

from datetime import date

EXPIRING_DAYS = 60
ALERT_DAYS = (60, 30)  # the alerts a KAM gets before a contract ends, the earliest first

ACTIVE = "active"
EXPIRING = "expiring"
EXPIRED = "expired"


def days_left(ends_on: date | None, as_of: date) -> int | None:
    """Days from ``as_of`` to the last day (0 on the last day, negative after); None: open."""
    return None if ends_on is None else (ends_on - as_of).days


def standing(ends_on: date | None, as_of: date) -> str:
    """A concluded contract on ``as_of``: expired after its last day, expiring within
    ``EXPIRING_DAYS`` of it (the last day included), else active."""
    left = days_left(ends_on, as_of)
    if left is None or left > EXPIRING_DAYS:
        return ACTIVE
    return EXPIRED if left < 0 else EXPIRING


def alert_due(ends_on: date | None, as_of: date) -> int | None:
    """The tightest alert threshold reached on ``as_of`` (30, else 60), or None: not yet, open,
    or already ended. A contract concluded 20 days before its end gets the 30-day alert only."""
    left = days_left(ends_on, as_of)
    if left is None or left < 0:
        return None
    reached = [d for d in ALERT_DAYS if left <= d]
    return min(reached) if reached else None
