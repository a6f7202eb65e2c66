"""``kam import_run UUID``: run one queued import run (issue 8 §4).

The import page and the API start it as a detached process (``KAM_IMPORT_RUNNER=process``) so
that a large file is checked and written outside the web request; the run's row shows the
progress and keeps the result. An operator may also run a queued run by hand, on the server
that holds its upload (``KAM_IMPORT_DIR``). Exit status 1 when the run failed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from kam.imports.models import ImportRun
from kam.imports.selectors.runs import run_get
from kam.imports.services.runs import run_execute


class Command(BaseCommand):
    help = "Run a queued import run (started by the import page or the API) by its uuid."

    def add_arguments(self, parser):
        parser.add_argument("uuid", help="the run's uuid, as in /imports/runs/<uuid>/")

    def handle(self, *args, uuid: str, **options):
        try:
            run = run_get(None, uuid)
        except Http404 as exc:
            raise CommandError(_("no import run %s") % uuid) from exc
        if run.status != ImportRun.Status.QUEUED:
            raise CommandError(
                _("import run %(uuid)s is %(status)s, not queued")
                % {"uuid": run.uuid, "status": run.get_status_display()}
            )
        run = run_execute(run)
        summary = run.result.get("summary") or run.result.get("message") or ""
        line = f"{run.uuid} {run.status}: {summary}"
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(line)
        self.stdout.write(line)
