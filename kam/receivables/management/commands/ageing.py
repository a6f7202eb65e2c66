"""``kam ageing``: the receivables ageing as of a day (AR-2) as a table, CSV or JSON."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from kam.receivables import documents, selectors
from kam.receivables.ageing import BUCKETS
from kam.receivables.management.commands._common import dumps, iso_date, operator


class Command(BaseCommand):
    help = "Receivables ageing (current, 1-30, 31-60, 61-90, over 90 days) as of a day."

    def add_arguments(self, parser):
        parser.add_argument("--level", choices=selectors.LEVELS, default="company")
        parser.add_argument("--unit", type=int, help="department id or KAM user id")
        parser.add_argument("--as-of", type=iso_date, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument("--user", help="see it as this person (default: the first director)")

    def handle(self, *args, **o):
        try:
            self._handle(**o)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not allowed") from None

    def _handle(self, **o):
        user = operator(o["user"])
        level, unit = o["level"], o["unit"]
        if unit is not None and level == "company":
            raise CommandError("--unit needs --level department or --level manager")
        as_of = o["as_of"] or timezone.localdate()
        try:
            if unit is not None and not 0 < unit < 2**31:
                raise Http404
            report = selectors.ageing_report(user=user, level=level, unit_id=unit, as_of=as_of)
        except Http404:
            raise CommandError(
                f"no {level} unit {unit} that {user.username} may see"
                " (a department id at department level, a KAM's user id at manager level)"
            ) from None
        if o["format"] == "json":
            self.stdout.write(dumps(documents.report_dict(report)))
        elif o["format"] == "csv":
            self.stdout.write(documents.report_csv(report).decode("utf-8-sig"), ending="")
        else:
            self._table(report)

    def _table(self, r) -> None:
        w = self.stdout.write
        w(f"Ageing · {r.level} · {r.unit_name} · as of {r.as_of} · {r.currency}")
        names = ["current", "1-30", "31-60", "61-90", ">90", "open", "credits"]
        header = f"{'name':<32}" + "".join(f"{n:>14}" for n in names)
        w(header)
        w("-" * len(header))

        def line(name, a):
            values = [*(a.buckets()[b] for b in BUCKETS), a.total, a.credits]
            w(f"{name[:32]:<32}" + "".join(f"{v:>14,.2f}" for v in values))

        for row in r.rows:
            line(row.name, row.ageing)
        w("-" * len(header))
        line("total", r.total)
