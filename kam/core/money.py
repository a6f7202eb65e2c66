"""Money arithmetic with no database: conversion to the base currency."""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def db_sum(value) -> Decimal:
    """A sum read from the database as exact cents: PostgreSQL answers a Decimal, SQLite sums
    decimals as floating point (or an int); None (no rows) is 0.00."""
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT)


class UnknownRate(ValueError):
    """No rate is known for a currency on a date."""


class RateTable:
    """Rates to the base currency by date; ``convert`` picks the last rate valid on the day."""

    def __init__(self, base_currency: str, rates: Iterable[tuple[str, date, Decimal]]):
        self.base = base_currency.upper()
        table: dict[str, list[tuple[date, Decimal]]] = {}
        for currency, valid_from, rate in rates:
            table.setdefault(currency.upper(), []).append((valid_from, Decimal(rate)))
        self._dates = {c: [d for d, _ in sorted(v)] for c, v in table.items()}
        self._rates = {c: [r for _, r in sorted(v)] for c, v in table.items()}

    def rate(self, currency: str, on: date) -> Decimal:
        currency = currency.upper()
        if currency == self.base:
            return Decimal(1)
        dates = self._dates.get(currency)
        if not dates:
            raise UnknownRate(f"no rate for {currency}")
        i = bisect_right(dates, on)
        if i == 0:
            raise UnknownRate(f"no rate for {currency} on or before {on.isoformat()}")
        return self._rates[currency][i - 1]

    def convert(self, amount: Decimal, currency: str, on: date) -> Decimal:
        return quantize(amount * self.rate(currency, on))
