"""``kam demo``: build the deterministic demo company and print who can sign in."""

import secrets
import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kam.clients.models import Account
from kam.demo.generator.build import DemoResult, build_demo
from kam.demo.generator.plan import ANCHOR_NAME, PEOPLE, SECOND_NAME
from kam.org.models import Role, User

LOGINS_FILE = "demo-logins.txt"


def logins_path() -> Path:
    return Path(settings.DATA_DIR) / LOGINS_FILE


def logins_text(result: DemoResult) -> str:
    first, last = result.months[0], result.months[-1]
    lines = [
        f"{result.company}: demo company as of {result.today.isoformat()}",
        f"{result.accounts} clients, {result.lines} ledger lines, "
        f"sales {first:%Y-%m} to {last:%Y-%m}.",
        "",
        f"Look for {ANCHOR_NAME} (about 22 % of income: a critical dependency, kam.vitols),",
        f"{SECOND_NAME} (about 11 %, kam.liepa), potential clients that buy nothing yet,",
        "a few loss-making clients, returns, and clients who pay in RUB.",
        "",
        "Serve it with `kam serve` (or ./dev start) and open http://127.0.0.1:8000/",
        "Sign in as any of these; every demo user has the same password.",
        "",
        f"{'username':<20} {'role':<22} {'department':<22} password",
    ]
    for plan in PEOPLE:
        user = result.people[plan.username]
        department = user.department.name if user.department else ""
        role = str(Role(user.role).label)
        lines.append(f"{user.username:<20} {role:<22} {department:<22} {result.password}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Build the deterministic demo company (Baltic Medical Supply) and print its logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1 = 600 clients and about 220 000 ledger lines (the default); "
            "180 = 108 000 clients and 10.4 million lines (benchmarks); 0.05 for tests",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="as-of date YYYY-MM-DD (default: today); sales end the month before",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but reprint the saved logins) if the database has clients",
        )
        parser.add_argument(
            "--password", help="password of every demo user (default: a random one)"
        )

    def handle(self, *args, **o):
        if o["scale"] <= 0:
            raise CommandError("--scale must be positive")
        saved = logins_path()
        taken = list(
            User.objects.filter(username__in=[p.username for p in PEOPLE]).values_list(
                "username", flat=True
            )
        )
        if Account.objects.exists() or taken:
            if not o["if_empty"]:
                reason = (
                    "the database already has clients"
                    if Account.objects.exists()
                    else f"demo usernames already exist: {', '.join(taken)}"
                )
                raise CommandError(
                    f"{reason}; the demo loads into an empty database only "
                    "(--if-empty skips quietly)"
                )
            if saved.exists():
                self.stdout.write(saved.read_text(encoding="utf-8"))
            else:
                self.stdout.write("The database is not empty; the demo company was not loaded.")
            return
        password = o["password"] or secrets.token_urlsafe(9)
        result = build_demo(
            scale=o["scale"],
            seed=o["seed"],
            today=o["today"] or timezone.localdate(),
            password=password,
            progress=self._progress_printer(),
        )
        text = logins_text(result)
        try:
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(text, encoding="utf-8")
            saved.chmod(0o600)  # it holds a password
        except OSError as exc:
            self.stderr.write(f"could not save the logins to {saved}: {exc}")
        self.stdout.write(text)
        self.stdout.write(f"(saved to {saved})")

    def _progress_printer(self):
        shown: dict[str, int] = {}
        tty = sys.stderr.isatty()

        def progress(stage: str, fraction: float) -> None:
            step = int(fraction * 100) // 10 * 10
            if shown.get(stage) == step:
                return
            shown[stage] = step
            if tty:
                self.stderr.write(f"\r{stage:<8} {step:3d}%", ending="\n" if step == 100 else "")
            else:
                self.stderr.write(f"{stage} {step}%")

        return progress
