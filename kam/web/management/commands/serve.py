"""``kam serve [ADDR:PORT]``: serve KAM (Django's server; put a WSGI server in front in production)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve KAM on ADDR:PORT (default 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        self.stdout.write(f"KAM is at http://{addrport}/  (Ctrl+C stops it)")
        self.stdout.flush()
        call_command(
            "runserver",
            addrport,
            use_reloader=False,
            use_threading=True,
            skip_checks=not settings.DEBUG,
        )
