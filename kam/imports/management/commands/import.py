"""``kam import clients|products|sales|invoices|payments FILE.csv|FILE.xlsx --user NAME``:
bring ERP history and settlements (the open items and payments, issue 9 §7) in, all or nothing.

Who imports is said every time (issue 7 §4): ``--user USERNAME`` imports as that person, who
needs the right to import (a director, an administrator or sales support); ``--system``
imports as the system, for an operator's scripted load (the audit log then names no one).
Every failure, a file that is no workbook as much as a refused row, is a line on stderr and
exit status 1, never a traceback.

An export in its own column names is read through a mapping (issue 8 §1): ``--mapping
MAPPING.json`` or a saved one, ``--mapping-name NAME``; ``--save-mapping NAME`` keeps the
given file under a name. ``--check`` checks everything and writes nothing; ``--format json``
prints the result as the API answers it."""

import hashlib
import inspect
import json
from dataclasses import replace
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from kam.imports.mapping import DATE_FORMATS, Mapping, MappingError
from kam.imports.options import OptionError, SalesOptions
from kam.imports.readers import ReadError, open_table
from kam.imports.selectors.mappings import mapping_get, mapping_load
from kam.imports.services import IMPORTERS
from kam.imports.services.mappings import mapping_save
from kam.imports.services.runs import run_record
from kam.org.models import User


def read_mapping(path: str, kind: str | None) -> Mapping:
    """The mapping in the JSON file ``path``; CommandError (one line) when it is not one."""
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not UTF-8 text")
        raise CommandError(
            _("%(file)s: cannot read the mapping: %(reason)s") % {"file": path, "reason": reason}
        ) from None
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise CommandError(
            _("%(file)s: the mapping is not JSON (%(reason)s)") % {"file": path, "reason": exc}
        ) from None
    try:
        return Mapping.from_dict(data, kind=kind)
    except MappingError as exc:
        raise CommandError(
            _('%(file)s: mapping entry "%(entry)s": %(message)s')
            % {"file": path, "entry": exc.entry, "message": exc.message}
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Import clients, products, sales, invoices (the ERP's open items) or payments from a "
        "CSV or XLSX file whose first row is the header. The whole file is checked first; if any row is wrong, every error is printed "
        "and nothing is imported. Say who imports: --user USERNAME (a director, an "
        "administrator or sales support) or --system. Columns and mappings: see docs/import.md."
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
        mapping = parser.add_mutually_exclusive_group()
        mapping.add_argument(
            "--mapping", metavar="MAPPING.json", help="read the file's columns through a mapping"
        )
        mapping.add_argument("--mapping-name", metavar="NAME", help="use a saved mapping")
        parser.add_argument(
            "--save-mapping",
            metavar="NAME",
            help="save the --mapping file under this name (replacing one of that name)",
        )
        parser.add_argument(
            "--date-format",
            choices=DATE_FORMATS,
            help="how the file writes dates (default: the mapping's, else auto)",
        )
        parser.add_argument(
            "--check", action="store_true", help="check the whole file and write nothing"
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="json: print the result (errors included) as the API answers it",
        )
        sales = parser.add_argument_group("sales options")
        sales.add_argument(
            "--create-missing",
            action="store_true",
            help="create the clients and products the file names but KAM does not know",
        )
        sales.add_argument(
            "--cancellation-prefix",
            metavar="PREFIX",
            help="documents starting with PREFIX (e.g. C) are returns of the document without it",
        )
        sales.add_argument(
            "--service-sku",
            action="append",
            metavar="SKU",
            help="a SKU that is a service (postage, freight); repeat for more",
        )
        sales.add_argument(
            "--exclude-service-lines",
            action="store_true",
            help="leave service lines out (default: kept in revenue, out of product statistics)",
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
        importer = IMPORTERS[kind]
        mapping = self._mapping(kind, actor, o)
        options = self._options(kind, mapping, o)
        kwargs = {}
        source = path
        if mapping is not None:
            if o["date_format"]:
                mapping = replace(mapping, date_format=o["date_format"])
            kwargs["mapping"] = mapping
        elif o["date_format"]:
            try:
                source = open_table(path)
            except ReadError as exc:
                raise CommandError(f"{file}: {exc.message}") from None
            source.date_format = o["date_format"]
        if o["check"]:
            kwargs["check_only"] = True
        if options is not None:
            kwargs["options"] = options
        accepted = inspect.signature(importer).parameters
        for name in kwargs:
            if name not in accepted:
                raise CommandError(
                    _("the %(kind)s import does not take %(option)s yet")
                    % {"kind": kind, "option": name}
                )
        try:
            result = importer(
                source=source,
                actor=actor,
                progress=self._progress(kind, o["verbosity"]),
                max_errors=max_errors or None,
                **kwargs,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc) or _("You may not import.")) from exc
        if not result.checksum:
            result.checksum = _sha256(path)
        run_record(
            actor=actor,
            kind=kind,
            file_name=path.name,
            size=path.stat().st_size,
            result=result,
            mapping=mapping,
            mapping_obj=self._saved,
            options=options,
            check_only=bool(o["check"]),
        )
        if o["format"] == "json":
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            if not result.ok:
                raise CommandError(
                    _("%(count)s error(s) in %(file)s; nothing was imported")
                    % {"count": result.error_count, "file": file}
                )
            return
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

    _saved = None  # the saved mapping used (--mapping-name, --save-mapping), for the run

    def _mapping(self, kind: str, actor: User | None, o) -> Mapping | None:
        if o["save_mapping"] and not o["mapping"]:
            raise CommandError(_("--save-mapping saves the file given with --mapping"))
        if o["mapping"]:
            mapping = read_mapping(o["mapping"], kind)
            if o["save_mapping"]:
                try:
                    saved = mapping_save(actor=actor, name=o["save_mapping"], mapping=mapping)
                except PermissionDenied as exc:
                    raise CommandError(str(exc)) from exc
                except ValidationError as exc:
                    raise CommandError("; ".join(exc.messages)) from None
                self.stderr.write(_("mapping saved as %s") % saved.name)
                self._saved = saved
            return mapping
        if o["mapping_name"]:
            try:
                mapping = mapping_load(actor, o["mapping_name"])
            except Http404:
                raise CommandError(_('no saved mapping named "%s"') % o["mapping_name"]) from None
            except MappingError as exc:
                raise CommandError(
                    _('saved mapping "%(name)s", entry "%(entry)s": %(message)s')
                    % {"name": o["mapping_name"], "entry": exc.entry, "message": exc.message}
                ) from None
            if mapping.kind != kind:
                raise CommandError(
                    _('the saved mapping "%(name)s" is for %(mapping)s, not for %(kind)s')
                    % {"name": o["mapping_name"], "mapping": mapping.kind, "kind": kind}
                )
            self._saved = mapping_get(actor, o["mapping_name"])
            return mapping
        return None

    def _options(self, kind: str, mapping: Mapping | None, o) -> dict | None:
        """The sales options given on the command line over the mapping's; None if none given."""
        given = {}
        if o["create_missing"]:
            given["create_missing"] = True
        if o["cancellation_prefix"] is not None:
            given["cancellation_prefix"] = o["cancellation_prefix"]
        if o["service_sku"]:
            given["service_skus"] = list(o["service_sku"])
        if o["exclude_service_lines"]:
            given["service_lines"] = "exclude"
        if not given:
            return None
        if kind != "sales":
            raise CommandError(_("--create-missing and the other sales options are for sales"))
        try:
            SalesOptions.from_dict({**(mapping.options if mapping else {}), **given})
        except OptionError as exc:
            option = "--" + exc.name.replace("_", "-")
            raise CommandError(f"{option}: {exc.message}") from None
        # Only what was given: the importer lays it over the mapping's options.
        return given

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
