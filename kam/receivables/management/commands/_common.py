"""What ``kam ageing`` and ``kam statement`` share: the operator, dates, JSON."""

import json
from datetime import date
from decimal import Decimal

from kam.org.cli import console_operator
from kam.org.models import User
from kam.org.policy import Action


def json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(data) -> str:
    return json.dumps(data, default=json_default, indent=2, ensure_ascii=False)


def iso_date(value: str) -> date:
    """argparse type: a YYYY-MM-DD date (argparse turns the ValueError into a one-line error)."""
    return date.fromisoformat(value)


iso_date.__name__ = "date (YYYY-MM-DD)"


def operator(username: str | None) -> User:
    """``--user`` or the first director, administrator or credit controller (who see every
    client's settlements): the holders of ``credit.limit.set``, by the one policy."""
    return console_operator(
        username,
        action=Action.CREDIT_LIMIT_SET,
        nobody="no director, administrator or credit controller yet: pass --user",
    )
