"""``kam serve [ADDR:PORT]``: serve KAM.

With DEBUG off this is the production server, gunicorn with threaded workers (gthread):
KAM_WORKERS processes (default 2) x KAM_THREADS threads (default 4), KAM_TIMEOUT seconds
(default 60) before a silent worker is restarted, the access log on stdout. Each thread keeps at
most one database connection, so a server holds at most workers x threads of them.

With DEBUG=1 (``./dev start`` sets it) it is Django's development server, which opens a thread
and a database connection per request; it closes them after each request here.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication

DEFAULT_ADDRPORT = "127.0.0.1:8000"
_ADDRPORT = re.compile(r"^(?:(?P<host>\[[0-9a-fA-F:.]+\]|[\w.-]+):)?(?P<port>\d{1,5})$")


def bind_address(addrport: str) -> str:
    """ADDR:PORT, [IPv6]:PORT or PORT (on 127.0.0.1) as gunicorn's ``host:port``."""
    match = _ADDRPORT.match(addrport.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        raise CommandError(f"{addrport!r} is not ADDR:PORT (e.g. 127.0.0.1:8000) or a port.")
    return f"{match['host'] or '127.0.0.1'}:{int(match['port'])}"


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Serve KAM on ADDR:PORT (default 127.0.0.1:8000): gunicorn when DEBUG is off, "
        "Django's development server with DEBUG=1."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT)
        parser.add_argument(
            "--workers", type=positive, help="worker processes (default KAM_WORKERS, 2)"
        )
        parser.add_argument(
            "--threads", type=positive, help="threads per worker (default KAM_THREADS, 4)"
        )

    def handle(self, *args, addrport: str, workers=None, threads=None, **options):
        bind = bind_address(addrport)
        # The master process forks the workers: no connection of its own may be inherited.
        connections.close_all()
        if settings.DEBUG:
            self._development(bind)
        else:
            self._production(bind, workers or settings.KAM_WORKERS, threads or settings.KAM_THREADS)

    def _development(self, bind: str) -> None:
        self.stdout.write(f"KAM (development server) is at http://{bind}/  (Ctrl+C stops it)")
        self.stdout.flush()
        # runserver starts a new thread per request; a connection kept for CONN_MAX_AGE in a
        # thread that is gone is never reused, so under load they pile up to the database's
        # limit. Close each one after its request.
        for alias in connections:
            connections.settings[alias]["CONN_MAX_AGE"] = 0
        call_command("runserver", bind, use_reloader=False, use_threading=True, skip_checks=False)

    def _production(self, bind: str, workers: int, threads: int) -> None:
        storage = settings.STORAGES["staticfiles"]["BACKEND"]
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if "Manifest" in storage and not manifest.exists():
            # Without it every page that names a static file answers 500.
            raise CommandError(
                f"No collected static files in {settings.STATIC_ROOT}: "
                "run `kam collectstatic --noinput` first (STATIC_ROOT sets the folder)."
            )
        self.stdout.write(
            f"KAM is at http://{bind}/  (gunicorn: {workers} workers x {threads} threads; "
            "Ctrl+C stops it)"
        )
        self.stdout.flush()
        ProductionServer(bind=bind, workers=workers, threads=threads).run()


class ProductionServer(BaseApplication):
    """gunicorn, configured here rather than by its own command line or a config file."""

    def __init__(self, *, bind: str, workers: int, threads: int):
        self.options = {
            "bind": [bind],
            "worker_class": "gthread",
            "workers": workers,
            "threads": threads,
            "timeout": settings.KAM_TIMEOUT,
            "graceful_timeout": 30,
            "accesslog": "-",
            "errorlog": "-",
            "proc_name": "kam",
            # gunicorn's control socket is one path per user: two servers on a host would
            # fight over it, and KAM does not use it.
            "control_socket_disable": True,
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from kam.wsgi import application

        return application
