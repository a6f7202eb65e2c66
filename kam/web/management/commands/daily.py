"""``kam daily [--as-of DATE] [--force] [--format table|json]``: the periodic work of one day,
for cron or a systemd timer (docs/operations.md). Idempotent per day: a second run the same day
reports "already done" and does nothing; ``--force`` runs the steps again, which still create
no duplicates. The steps come from each app's ``daily.py`` (kam/core/daily.py)."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kam.core.bounds import check_date
from kam.core.services import daily_run_perform


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class Command(BaseCommand):
    help = "Run the day's periodic work (radar snapshot, review-due alerts) once per day."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day to run for, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--force", action="store_true", help="run again even if the day is done"
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, as_of: str | None, force: bool, format: str, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
            check_date(day, field="as_of", latest=timezone.localdate())
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD).") from None
        except ValidationError as exc:
            raise CommandError(f"--as-of: {_one_line(exc)}") from None
        try:
            run, already = daily_run_perform(as_of=day, force=force)
        except Exception as exc:  # the database is away, a migration is missing: one line
            raise CommandError(f"kam daily {day}: {_one_line(exc)}") from None
        failed = {n: s["error"] for n, s in run.summary.items() if "error" in s}
        if format == "json":
            out = {"day": str(day), "already_done": already, "steps": run.summary}
            self.stdout.write(json.dumps(out, sort_keys=True))
        elif already:
            self.stdout.write(
                f"{day}: already done at {timezone.localtime(run.finished_at):%Y-%m-%d %H:%M} (--force runs it again)"
            )
        else:
            for name, summary in run.summary.items():
                text = ", ".join(f"{k}={v}" for k, v in summary.items())
                self.stdout.write(f"{day}  {name:<20} {text}")
        if failed:
            raise CommandError(
                "; ".join(f"step {name} failed: {error}" for name, error in failed.items())
            )
