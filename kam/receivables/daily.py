"""The receivables' part of ``kam daily`` (kam/core/daily.py): the check of promises to pay and
the escalation of old overdue debt to the head of the client's department (AR-2). Both are
idempotent for their day: a promise is settled once, an escalation sent once."""

from datetime import date

from kam.core.daily import daily_step
from kam.receivables.services_collection import debt_escalate, promise_check


@daily_step("collection.promises", order=40)
def check_promises(*, as_of: date, force: bool) -> dict:
    """Open promises to pay: kept when the payments reached the amount, broken after the day."""
    return promise_check(as_of=as_of)


@daily_step("collection.escalation", order=45)
def escalate_debt(*, as_of: date, force: bool) -> dict:
    """Clients overdue past the settings' days, without a live promise, to their head."""
    return debt_escalate(as_of=as_of)
