"""Builders for the settlements tests: items through the services, as production makes them."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from kam.receivables.services import settlement_post

_n = count(1)


def post(account, kind: str, amount, on: date, *, due_days: int = 30, **kw):
    """One item through ``settlement_post`` (the system: no role asked)."""
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind=kind,
        document_number=kw.pop("number", f"{kind[:3].upper()}-{next(_n):06d}"),
        document_date=on,
        amount=Decimal(amount),
        currency="EUR",
        due_date=on + timedelta(days=due_days) if kind == "invoice" else None,
        **kw,
    )
