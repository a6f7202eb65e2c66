"""``kam gone-quiet``: the key clients with no contact for longer than their relationship
rhythm (AC-3), as a table or JSON; clients named by registration number."""

import json
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kam.activity.selectors import QuietRow, gone_quiet
from kam.core.bounds import clamp_date
from kam.org.cli import console_operator
from kam.org.policy import Action


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


def row_dict(r: QuietRow) -> dict:
    return {
        "registration_number": r.registration_number,
        "client": r.account_name,
        "kam": r.owner_name,
        "key_status": r.status,
        "rhythm_days": r.rhythm_days,
        "last_contact": r.last_contact.isoformat() if r.last_contact else None,
        "days_since": r.days_since,
    }


class Command(BaseCommand):
    help = "List the key clients gone quiet: no contact for longer than their rhythm (AC-3)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--user",
            help="as this person sees it (default: the first director or administrator)",
        )

    def handle(self, *args, **o):
        try:
            self._handle(**o)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not allowed") from None

    def _handle(self, **o):
        as_of = clamp_date(_day(o["as_of"])) if o["as_of"] else timezone.localdate()
        # The console's operator: the first person who may set the rhythm (a director or an
        # administrator), who sees every client.
        user = console_operator(
            o["user"],
            action=Action.ACTIVITY_SETTINGS_EDIT,
            nobody="no director or administrator yet: pass --user",
        )
        rows = gone_quiet(user=user, as_of=as_of)
        if o["format"] == "json":
            data = {"as_of": as_of.isoformat(), "clients": [row_dict(r) for r in rows]}
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self._table(rows, as_of)

    def _table(self, rows: list[QuietRow], as_of: date) -> None:
        self.stdout.write(f"Key clients gone quiet as of {as_of.isoformat()}: {len(rows)}")
        if not rows:
            return
        header = ("Reg. number", "Client", "KAM", "Status", "Rhythm", "Last contact", "Days")
        lines = [
            (
                r.registration_number,
                r.account_name,
                r.owner_name or "-",
                r.status,
                str(r.rhythm_days),
                r.last_contact.isoformat() if r.last_contact else "never",
                "-" if r.days_since is None else str(r.days_since),
            )
            for r in rows
        ]
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        for line in (header, *lines):
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
