"""``kam radar``: the key-account radar on the command line (table, CSV, JSON), or a snapshot."""

import json
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from kam.core.periods import month_of
from kam.org.cli import console_operator
from kam.org.policy import Action
from kam.radar import exports, selectors
from kam.radar.models import Level
from kam.radar.selectors.export import radar_export
from kam.radar.services import radar_snapshot_take
from kam.sales.selectors import last_sales_month


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def portfolio_dict(p: selectors.Portfolio) -> dict:
    c = p.concentration
    return {
        "level": p.level,
        "unit_id": p.unit_id,
        "unit_name": p.unit_name,
        "as_of": p.as_of,
        "period": [p.period_start, p.period_end],
        "basis": p.basis,
        "currency": p.currency,
        "rows": [
            {
                "account_id": r.account_id,
                "client": r.account_name,
                "kam": r.owner_name,
                "department": r.department_name,
                "status": r.status,
                "income": r.income,
                "turnover": r.turnover,
                "uncosted": r.uncosted,
                "income_unknown": r.income_unknown,
                "share_pct": r.share_pct,
                "band": r.band,
                "definitions": list(r.definitions),
                "suggestions": list(r.suggestions),
                "evidence": [
                    {"definition": e.definition, "level": e.level, "summary": e.summary}
                    for e in r.evidence
                ],
                "abc": r.abc,
                "npv": r.npv,
                "trend_pct": r.trend_pct,
                "headroom": r.headroom,
                "flags": list(r.flags),
            }
            for r in p.rows
        ],
        "alerts": [{"kind": a.kind, "message": a.message} for a in p.alerts],
        "uncosted_clients": p.uncosted_clients,
        "concentration": {
            "total": c.total,
            "clients": c.clients,
            "top1_pct": c.top1_pct,
            "top5_pct": c.top5_pct,
            "top10_pct": c.top10_pct,
            "hhi": c.hhi,
            "abc_counts": c.abc_counts,
            "abc_pct": c.abc_pct,
        },
    }


class Command(BaseCommand):
    help = "Show the key-account radar (KC-1..KC-13) or take a status snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--level", choices=Level.values, default=None)
        parser.add_argument("--unit", type=int, help="department id or KAM user id")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="YYYY-MM-DD (default: the end of the last month with sales, as on the radar page)",
        )
        parser.add_argument(
            "--user", help="see the radar as this person (default: the first director)"
        )
        parser.add_argument("--only-key", action="store_true", help="key clients only")
        parser.add_argument(
            "--snapshot",
            action="store_true",
            help="store key status for --as-of (default: the end of last month)",
        )

    def handle(self, *args, **o):
        # A refusal or an unknown unit is a one-line error and exit status 1, not a traceback.
        try:
            self._handle(**o)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not allowed") from None

    def _handle(self, **o):
        # The operator at the console: the first person the policy lets run the radar's
        # management (a director or an administrator), who sees everything.
        user = console_operator(
            o["user"],
            action=Action.RADAR_SNAPSHOT_TAKE,
            nobody="no director or administrator yet: pass --user USERNAME",
        )
        if o["snapshot"]:
            period_end = o["as_of"] or month_of(timezone.localdate()) - timedelta(days=1)
            n = radar_snapshot_take(actor=user if o["user"] else None, period_end=period_end)
            self.stdout.write(f"snapshot {period_end}: {n} key-status rows")
            return
        level = o["level"] or selectors.default_level(user)
        unit = o["unit"]
        if unit is not None and level == Level.COMPANY:
            raise CommandError("--unit needs --level department or --level manager")
        # The same period as the radar page: a window ending in a month with no sales yet
        # would show every client falling.
        month = last_sales_month(user=user) or month_of(timezone.localdate())
        as_of = o["as_of"] or selectors.month_end(month)
        try:
            if unit is not None and not 0 < unit < 2**31:
                raise Http404  # no id is that large: the same answer as a missing one
            args = {"user": user, "level": level, "unit_id": unit, "as_of": as_of}
            if o["format"] == "csv":  # every row, built in bulk (issue 7 §3)
                export = radar_export(**args, only_key=o["only_key"])
            else:
                portfolio = selectors.radar_portfolio(**args, only_key=o["only_key"])
        except Http404:
            raise CommandError(
                f"no {level} unit {unit} that {user.username} may see"
                " (a department id at department level, a KAM's user id at manager level)"
            ) from None
        if o["format"] == "csv":
            for chunk in exports.portfolio_csv_chunks(export.portfolio, export.rows):
                self.stdout.write(chunk.decode("utf-8-sig"), ending="")
        elif o["format"] == "json":
            self.stdout.write(
                json.dumps(portfolio_dict(portfolio), default=_json_default, indent=2)
            )
        else:
            self._table(portfolio)

    def _table(self, p: selectors.Portfolio) -> None:
        w = self.stdout.write
        w(
            f"Key-account radar · {p.level}{' · ' + p.unit_name if p.unit_name else ''} · "
            f"{p.period_start:%Y-%m}..{p.period_end:%Y-%m} · {p.basis} in {p.currency}"
        )
        for a in p.alerts:
            w(f"! {a.message}")
        if p.uncosted_clients and p.basis == "income":
            w(
                f"! {p.uncosted_clients} client(s) have lines without cost: their income is "
                "incomplete (marked ?)"
            )
        header = f"{'client':<32} {'KAM':<18} {'income':>14} {'share %':>8} {'ABC':>3}  key by"
        w(header)
        w("-" * len(header))
        for r in p.rows:
            key = ", ".join(r.definitions) or "-"
            if r.suggestions:
                key += f" (suggested: {', '.join(r.suggestions)})"
            w(
                f"{r.account_name[:32]:<32} {r.owner_name[:18]:<18} {r.income:>14,.2f}"
                f"{'?' if r.income_unknown else ' '}{r.share_pct:>8} {r.abc:>3}  {key}"
            )
        c = p.concentration
        w(
            f"top 1/5/10: {c.top1_pct}/{c.top5_pct}/{c.top10_pct} %  HHI {c.hhi}  "
            f"ABC {c.abc_counts['A']}/{c.abc_counts['B']}/{c.abc_counts['C']}"
        )
