"""``kam pay statement USERNAME --period 2026-11``: a person's pay statement as JSON, PDF or
XLSX (SP-3), for scripts and checks.

The stored statement is printed as it is. Without one, or with ``--as-of``, the statement is
computed by the same service as the page's Prepare button and printed as a preview (nothing is
kept unless ``--save``); a locked statement is always printed as locked, never recomputed."""

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404

from kam.core.selectors import company_settings
from kam.org.cli import console_operator
from kam.org.models import User
from kam.org.policy import Action
from kam.pay import documents, selectors, services
from kam.pay.models import PayStatement
from kam.plans.rules import PeriodError, period_parse


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def iso_date(value: str) -> date:
    return date.fromisoformat(value)


iso_date.__name__ = "date (YYYY-MM-DD)"


class _Preview(Exception):
    """Raised to roll back a preview's transaction, carrying what was rendered."""

    def __init__(self, body):
        self.body = body


class Command(BaseCommand):
    help = "Pay: a person's pay statement for a period (json, pdf or xlsx)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        st = sub.add_parser("statement", help="a person's pay statement for a period")
        st.add_argument("username")
        st.add_argument("--period", required=True, help="2026-11, 2026-Q1 or 2026")
        st.add_argument("--as-of", type=iso_date, help="compute with the figures of this day")
        st.add_argument("--user", help="as this person (default: the first director)")
        st.add_argument("--format", choices=["json", "pdf", "xlsx"], default="json")
        st.add_argument("--output", help="write to this file (pdf, xlsx: or redirect stdout)")
        st.add_argument("--save", action="store_true", help="keep the computed draft")
        st.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default=None
        )

    def handle(self, *args, **o):
        try:
            self._statement(**o)
        except (PermissionDenied, PeriodError) as exc:
            raise CommandError(str(exc) or "not allowed") from None
        except ValidationError as exc:
            raise CommandError("; ".join(_messages(exc))) from None

    def _statement(self, **o):
        operator = console_operator(
            o["user"],
            action=Action.PAY_STATEMENT_PREPARE,
            nobody="no director, administrator or head of department yet: pass --user",
        )
        period = period_parse(o["period"], company_settings().fiscal_year_start_month)
        person = (
            selectors.pay_people(operator).filter(username=o["username"]).first()
            if User.objects.filter(username=o["username"]).exists()
            else None
        )
        if person is None:
            raise CommandError(
                f"no person named {o['username']!r} whose pay {operator.username} may see"
            )
        stored = (
            selectors.statement_list(user=operator, person_id=person.pk)
            .filter(period_kind=period.kind, starts_on=period.starts_on)
            .first()
        )
        fmt = o["format"]
        if stored is not None and (stored.status == PayStatement.Status.LOCKED or not o["as_of"]):
            body = self._render(stored, fmt, o["language"], preview=False)
        else:
            try:
                with transaction.atomic():
                    try:
                        s = services.statement_prepare(
                            actor=operator, person=person, period=period, as_of=o["as_of"]
                        )
                    except Http404:
                        raise CommandError(
                            f"{operator.username} may not prepare the pay of {person.username}"
                        ) from None
                    body = self._render(s, fmt, o["language"], preview=not o["save"])
                    if not o["save"]:
                        raise _Preview(body)
            except _Preview as p:
                body = p.body
        self._out(body, fmt, o["output"])

    def _render(self, s, fmt, language, *, preview: bool):
        if fmt == "json":
            data = documents.statement_dict(s)
            if preview:
                data = {**data, "id": None, "preview": True}
            return json.dumps(data, default=_default, indent=2, ensure_ascii=False)
        if fmt == "pdf":
            return documents.statement_pdf(s, language=language)
        return documents.statement_xlsx(s, language=language)

    def _out(self, body, fmt, output):
        if fmt == "json":
            if output:
                self._write(output, (body + "\n").encode())
            else:
                self.stdout.write(body)
            return
        if output:
            self._write(output, body)
            self.stdout.write(f"{output}: {fmt}, {len(body)} bytes")
        elif not sys.stdout.isatty():
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
        else:
            raise CommandError(f"--format {fmt} needs --output FILE (or redirect the output)")

    def _write(self, path: str, body: bytes) -> None:
        try:
            Path(path).write_bytes(body)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, errs in exc.message_dict.items() for m in errs]
    return exc.messages
