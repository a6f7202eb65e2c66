"""``kam import clients|products|sales FILE.csv|FILE.xlsx``: bring ERP history in, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kam.imports.services import IMPORTERS
from kam.org.models import User


class Command(BaseCommand):
    help = (
        "Import clients, products or sales from a CSV or XLSX file whose first row is the "
        "header. The whole file is checked first; if any row is wrong, every error is printed "
        "and nothing is imported. Columns: see docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", help="a .csv (UTF-8, comma or semicolon) or .xlsx file")
        parser.add_argument("--user", help="username recorded as the actor in the audit log")
        parser.add_argument(
            "--max-errors",
            type=int,
            default=0,
            help="print at most this many errors (default 0: all)",
        )

    def handle(self, *args, kind: str, file: str, user: str | None, max_errors: int, **o):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("no active user named %r") % user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("no such file: %s") % file)
        result = IMPORTERS[kind](
            source=path,
            actor=actor,
            progress=self._progress(kind, o["verbosity"]),
            max_errors=max_errors or None,
        )
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
