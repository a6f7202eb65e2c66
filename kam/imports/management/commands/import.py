"""``kam import clients|products|sales FILE.csv|FILE.xlsx --user NAME``: bring ERP history in,
all or nothing.

Who imports is said every time (issue 7 §4): ``--user USERNAME`` imports as that person, who
needs the right to import (a director, an administrator or sales support); ``--system``
imports as the system, for an operator's scripted load (the audit log then names no one).
Every failure, a file that is no workbook as much as a refused row, is a line on stderr and
exit status 1, never a traceback."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kam.imports.services import IMPORTERS
from kam.org.models import User


class Command(BaseCommand):
    help = (
        "Import clients, products or sales from a CSV or XLSX file whose first row is the "
        "header. The whole file is checked first; if any row is wrong, every error is printed "
        "and nothing is imported. Say who imports: --user USERNAME (a director, an "
        "administrator or sales support) or --system. Columns: see docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", help="a .csv (UTF-8, comma or semicolon) or .xlsx file")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument(
            "--user",
            help="import as this user (needs the right to import; recorded in the audit log)",
        )
        who.add_argument(
            "--system",
            action="store_true",
            help="import as the system, with no user (an operator's scripted load)",
        )
        parser.add_argument(
            "--max-errors",
            type=int,
            default=0,
            help="print at most this many errors (default 0: all)",
        )

    def handle(
        self, *args, kind: str, file: str, user: str | None, system: bool, max_errors: int, **o
    ):
        actor = None
        if not system:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("no active user named %r") % user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("no such file: %s") % file)
        try:
            result = IMPORTERS[kind](
                source=path,
                actor=actor,
                progress=self._progress(kind, o["verbosity"]),
                max_errors=max_errors or None,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or _("You may not import.")) from exc
        if not result.ok and result.error_count == 1 and result.errors[0].line is None:
            # The file as a whole (not a workbook, empty, of an unknown type): one line.
            raise CommandError(f"{file}: {result.errors[0]}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            hidden = result.error_count - len(result.errors)
            if hidden:
                self.stderr.write(_("… and %s more errors") % hidden)
            raise CommandError(
                _("%(count)s error(s) in %(file)s; nothing was imported")
                % {"count": result.error_count, "file": file}
            )
        self.stdout.write(result.summary())

    def _progress(self, kind: str, verbosity: int):
        """A callback printing a line on stderr at every 5 % (stdout stays the result)."""
        if verbosity < 1:
            return None
        last = -1

        def report(done: int, total: int) -> None:
            nonlocal last
            if not total:
                return
            step = done * 20 // total  # 20 steps of 5 %
            if step > last:
                last = step
                self.stderr.write(f"{kind}: {step * 5} %")

        return report
