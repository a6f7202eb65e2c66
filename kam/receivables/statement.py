"""A reconciliation statement's arithmetic (AR-1), plain: the opening balance, each movement
with the balance after it, and the closing balance. The selector feeds it the client's items;
the PDF, the XLSX, the API and ``kam statement`` print what it returns."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class Movement:
    on: date
    kind: str  # SettlementItem.Kind value
    kind_label: str
    document_number: str
    reference: str
    amount: Decimal  # signed: an invoice raises what the client owes, the rest lower it
    balance: Decimal  # the running balance after this movement


@dataclass(frozen=True)
class Statement:
    account_id: int
    account_name: str
    registration_number: str
    date_from: date
    date_to: date
    currency: str
    opening: Decimal
    movements: list[Movement]
    closing: Decimal

    @property
    def debits(self) -> Decimal:
        return sum((m.amount for m in self.movements if m.amount > 0), ZERO)

    @property
    def credits(self) -> Decimal:
        return sum((m.amount for m in self.movements if m.amount < 0), ZERO)


def running_balance(
    opening: Decimal, rows: Iterable[tuple[date, str, str, str, str, Decimal]]
) -> tuple[list[Movement], Decimal]:
    """Movements (on, kind, kind label, document, reference, amount), in order, with the
    balance after each; and the closing balance = opening + the sum of the amounts."""
    balance = opening
    out = []
    for on, kind, label, number, reference, amount in rows:
        balance += amount
        out.append(Movement(on, kind, label, number, reference, amount, balance))
    return out, balance
