"""``kam plan-fact``: plan against fact (SP-2) for a level and a period as a table, CSV or
JSON, for scripts and checks."""

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from kam.core.selectors import company_settings
from kam.core.tables import table_csv
from kam.org.cli import console_operator
from kam.org.policy import Action
from kam.plans import reports, rules, selectors


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def iso_date(value: str) -> date:
    return date.fromisoformat(value)


iso_date.__name__ = "date (YYYY-MM-DD)"


class Command(BaseCommand):
    help = "Plan against fact (plan, fact to date, %, forecast) for a level and a period."

    def add_arguments(self, parser):
        parser.add_argument("--level", choices=selectors.LEVELS, default="company")
        parser.add_argument("--unit", type=int, help="department id or person's user id")
        parser.add_argument("--period", required=True, help="2026-11, 2026-Q1 or 2026")
        parser.add_argument("--as-of", type=iso_date, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument("--user", help="see it as this person (default: the first director)")

    def handle(self, *args, **o):
        try:
            self._handle(**o)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not allowed") from None

    def _handle(self, **o):
        user = console_operator(
            o["user"],
            action=Action.PLAN_SETTINGS_EDIT,
            nobody="no director or administrator yet: pass --user",
        )
        level, unit = o["level"], o["unit"]
        if unit is not None and level == "company":
            raise CommandError("--unit needs --level department or --level manager")
        try:
            period = rules.period_parse(o["period"], company_settings().fiscal_year_start_month)
        except rules.PeriodError as exc:
            raise CommandError(str(exc)) from None
        as_of = o["as_of"] or timezone.localdate()
        try:
            if unit is not None and not 0 < unit < 2**63:
                raise Http404
            report = selectors.plan_fact(
                user=user, level=level, unit_id=unit, period=period, as_of=as_of
            )
        except Http404:
            what = "the company" if level == "company" else f"{level} unit {unit}"
            raise CommandError(f"{user.username} may not see {what}") from None
        if o["format"] == "json":
            self.stdout.write(
                json.dumps(
                    reports.report_dict(report), default=_default, indent=2, ensure_ascii=False
                )
            )
        elif o["format"] == "csv":
            body = table_csv(reports.table_header(report), reports.table_rows(report))
            self.stdout.write(body.decode("utf-8-sig"), ending="")
        else:
            self._table(report)

    def _table(self, r) -> None:
        w = self.stdout.write
        name = r.unit.name if r.unit else "all"
        w(
            f"Plan against fact · {r.level} · {name} · {r.period.code} · as of {r.as_of} · {r.currency}"
        )
        measures = reports.shown_measures(r)
        header = f"{'name':<28}" + "".join(
            f"{m[:10] + ' plan':>16}{'fact':>14}{'%':>8}{'forecast':>14}" for m in measures
        )
        w(header)
        w("-" * len(header))

        def cell(value, width):
            return f"{'-' if value is None else str(value):>{width}}"

        for row in r.rows:
            line = f"{row.unit.name[:28]:<28}"
            for m in measures:
                x = row.results[m]
                line += (
                    cell(x.plan, 16) + cell(x.fact, 14) + cell(x.percent, 8) + cell(x.forecast, 14)
                )
            w(line)
