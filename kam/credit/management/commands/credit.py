"""``kam credit CLIENT_REG_NO``: a client's credit on the command line (table or JSON): limit,
exposure, open orders, available, overdue amount and days, blocked yes/no with the reasons."""

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from kam.clients.models import Account
from kam.core.bounds import clamp_date, control_character
from kam.credit.selectors import CreditReport, credit_report
from kam.org.cli import console_operator
from kam.org.policy import Action


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


def report_dict(r: CreditReport) -> dict:
    check = r.last_check
    return {
        "client": r.account_name,
        "registration_number": r.registration_number,
        "as_of": r.as_of,
        "currency": r.currency,
        "limit": r.limit,
        "limit_source": r.limit_source,
        "payment_days": r.payment_days,
        "exposure": r.exposure,
        "open_receivables": r.receivables,
        "open_orders": {"count": r.open_orders, "amount": r.open_orders_amount},
        "available": r.available,
        "overdue": {"amount": r.overdue, "days": r.days_overdue},
        "overdue_share_pct": r.overdue_share_pct,
        "last_check": None
        if check is None
        else {
            "checked_on": check.checked_on,
            "method": check.method,
            "score": check.score,
            "result": check.result,
            "next_review_on": check.next_review_on,
            "valid": r.check_valid,
        },
        "blocked": r.blocked,
        "reasons": [{"code": c, "text": t} for c, t in zip(r.block_codes, r.reasons, strict=True)],
        "history": [
            {
                "month": h.month.strftime("%Y-%m"),
                "invoiced": h.invoiced,
                "paid": h.paid,
                "paid_late": h.paid_late,
            }
            for h in r.history
        ],
    }


class Command(BaseCommand):
    help = "Show a client's credit (CR-1..3): limit, exposure, open orders, available, overdue, blocked."

    def add_arguments(self, parser):
        parser.add_argument("registration_number", help="the client's registration number")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--user", help="see the client as this person (default: the first credit controller)"
        )

    def handle(self, *args, **o):
        # A refusal, an unknown client or a bad date is one line and exit status 1.
        try:
            self._handle(**o)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not allowed") from None

    def _handle(self, **o):
        as_of = clamp_date(_day(o["as_of"])) if o["as_of"] else timezone.localdate()
        # The operator at the console: the first person who may set limits (a credit
        # controller, the director or an administrator), who sees every client.
        user = console_operator(
            o["user"],
            action=Action.CREDIT_LIMIT_SET,
            nobody="no credit controller, director or administrator yet: pass --user",
        )
        reg = o["registration_number"]
        if control_character(reg) or not reg.strip():
            raise CommandError("give a client's registration number")
        account = Account.objects.visible_to(user).filter(registration_number=reg).first()
        if account is None:
            raise CommandError(
                f"no client with registration number {reg!r} that {user.username} may see"
            )
        try:
            report = credit_report(user=user, account=account, as_of=as_of)
        except Http404:
            raise CommandError(
                f"no client with registration number {reg!r} that {user.username} may see"
            ) from None
        if o["format"] == "json":
            self.stdout.write(json.dumps(report_dict(report), default=_json_default, indent=2))
        else:
            self._table(report)

    def _table(self, r: CreditReport) -> None:
        w = self.stdout.write
        c = r.currency
        w(f"Credit · {r.account_name} ({r.registration_number}) · as of {r.as_of} · {c}")
        rows = [
            (
                "limit",
                f"{r.limit:,.2f}",
                f"from the {r.limit_source}"
                if r.limit_source != "none"
                else "no contract, none set",
            ),
            ("payment terms", f"{r.payment_days} days", ""),
            ("open receivables", f"{r.receivables:,.2f}", ""),
            ("open orders", f"{r.open_orders_amount:,.2f}", f"{r.open_orders} not yet invoiced"),
            ("exposure", f"{r.exposure:,.2f}", ""),
            ("available", f"{r.available:,.2f}", ""),
            (
                "overdue",
                f"{r.overdue:,.2f}",
                f"{r.days_overdue} days, {r.overdue_share_pct} % of open invoices",
            ),
        ]
        check = r.last_check
        if check is None:
            rows.append(("last check", "none", ""))
        else:
            rows.append(
                (
                    "last check",
                    f"{check.checked_on} {check.result}",
                    f"{'valid' if r.check_valid else 'NOT valid'}, review by {check.next_review_on}",
                )
            )
        for label, value, note in rows:
            w(f"{label:<18} {value:>16}  {note}".rstrip())
        w(f"{'blocked':<18} {'yes' if r.blocked else 'no':>16}")
        for reason in r.reasons:
            w(f"  - {reason}")
