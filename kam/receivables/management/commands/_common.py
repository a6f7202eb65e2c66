"""What ``kam ageing`` and ``kam statement`` share: the operator, dates, JSON."""

import json
from datetime import date
from decimal import Decimal

from django.core.management.base import CommandError

from kam.org.models import User
from kam.org.policy import Action, holders


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
    client's settlements)."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        return user
    q = holders(Action.SETTLEMENT_RECORD)
    user = (
        User.objects.filter(q, role__in=["director", "admin", "credit"]).order_by("pk").first()
        or User.objects.filter(q, is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError("no director, administrator or credit controller yet: pass --user")
    return user
