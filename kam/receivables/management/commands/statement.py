"""``kam statement``: a client's reconciliation statement for a period (AR-1) as JSON, PDF or
XLSX; the client named by its registration number."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from kam.receivables import documents, selectors
from kam.receivables.management.commands._common import dumps, iso_date, operator


class Command(BaseCommand):
    help = "A client's reconciliation statement: opening balance, movements, closing balance."

    def add_arguments(self, parser):
        parser.add_argument("registration_number", help="the client's registration number")
        parser.add_argument("--from", dest="date_from", type=iso_date, required=True)
        parser.add_argument("--to", dest="date_to", type=iso_date, required=True)
        parser.add_argument("--format", choices=["json", "pdf", "xlsx"], default="json")
        parser.add_argument(
            "--output",
            help="write to this file (pdf and xlsx: required unless standard output is redirected)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="the document's language (default: the company's, LANGUAGE_CODE)",
        )
        parser.add_argument("--user", help="as this person (default: the first director)")

    def handle(self, *args, **o):
        try:
            self._handle(**o)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not allowed") from None

    def _handle(self, **o):
        user = operator(o["user"])
        if o["date_to"] < o["date_from"]:
            raise CommandError(f"--to {o['date_to']} is before --from {o['date_from']}")
        try:
            account = selectors.account_by_registration(
                user=user, registration_number=o["registration_number"]
            )
        except Http404:
            raise CommandError(
                f"no client with registration number {o['registration_number']!r}"
                f" that {user.username} may see"
            ) from None
        s = selectors.statement(
            user=user, account=account, date_from=o["date_from"], date_to=o["date_to"]
        )
        fmt = o["format"]
        if fmt == "json":
            text = dumps(documents.statement_dict(s))
            if o["output"]:
                self._write(o["output"], (text + "\n").encode())
            else:
                self.stdout.write(text)
            return
        body = (
            documents.statement_pdf(s, language=o["language"])
            if fmt == "pdf"
            else documents.statement_xlsx(s, language=o["language"])
        )
        if o["output"]:
            self._write(o["output"], body)
            self.stdout.write(f"{o['output']}: {fmt}, {len(body)} bytes")
        elif not sys.stdout.isatty():
            sys.stdout.buffer.write(body)
        else:
            raise CommandError(f"--format {fmt} needs --output FILE (or redirect the output)")

    def _write(self, path: str, body: bytes) -> None:
        try:
            Path(path).write_bytes(body)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
