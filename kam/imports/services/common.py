"""What the three importers share: the result, progress, rows by column, the write transaction."""

import hashlib
import inspect
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils.translation import gettext

from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.imports.mapping import BadCell, HeaderMismatch, Mapping
from kam.imports.readers import ReadError, Source, Table, open_table
from kam.imports.validators import (
    CellError,
    ErrorList,
    RowError,
    check_cell_text,
    check_header,
    parse_date,
    text,
)
from kam.org.policy import Action, require

# Values per IN (...) list, under every SQLite build's parameter limit.
IN_LIST = 900

Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (``errors``), for the CLI, a page or the API."""

    kind: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Can exceed len(errors) when the caller capped the list with max_errors.
    error_count: int = 0
    # Sales files (issue 8): clients and products created from the file (--create-missing),
    # returns linked to their original document, service lines, lines left out
    # (service_lines=exclude) and lines without a cost (income unknown).
    clients_created: int = 0
    products_created: int = 0
    returns_linked: int = 0
    service_lines: int = 0
    skipped: int = 0
    without_cost: int = 0
    # True: the file was only checked (nothing written; created/updated say what would be).
    checked_only: bool = False
    # SHA-256 of the file (hex), for the audit and the list of runs.
    checksum: str = ""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        text = gettext(
            "%(kind)s: %(rows)s rows, %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged"
        ) % {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.clients_created or self.products_created:
            text += "; " + gettext("%(clients)s clients and %(products)s products created") % {
                "clients": self.clients_created,
                "products": self.products_created,
            }
        if self.returns_linked:
            text += "; " + gettext("%s returns linked to their document") % self.returns_linked
        if self.service_lines:
            text += "; " + gettext("%s service lines") % self.service_lines
        if self.skipped:
            text += "; " + gettext("%s lines left out") % self.skipped
        if self.without_cost:
            text += "; " + gettext("%s lines without cost (income unknown)") % self.without_cost
        if self.checked_only:
            text += " " + gettext("(checked only: nothing was written)")
        return text

    def to_dict(self) -> dict:
        """The JSON answer of the API, ``kam import --format json`` and a stored run."""
        return {
            "kind": self.kind,
            "source": self.source,
            "ok": self.ok,
            "checked_only": self.checked_only,
            "checksum": self.checksum,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "clients_created": self.clients_created,
            "products_created": self.products_created,
            "returns_linked": self.returns_linked,
            "service_lines": self.service_lines,
            "skipped": self.skipped,
            "without_cost": self.without_cost,
            "error_count": self.error_count,
            "errors": [
                {"line": e.line, "column": e.column, "message": e.message} for e in self.errors
            ],
            "summary": self.summary(),
        }


class Tracker:
    """Progress in work units: every row is checked once and written once, so the total is
    twice the rows. The total starts as an estimate and is exact once the file was checked."""

    def __init__(self, callback: Progress | None, rows: int):
        self.callback = callback
        self.set_rows(rows)

    def set_rows(self, rows: int) -> None:
        self.rows = rows
        self.total = 2 * rows
        self.step = max(1, self.total // 200)
        self.next_at = 0

    def checked(self, done: int) -> None:
        self._report(done)

    def written(self, done: int) -> None:
        self._report(self.rows + done)

    def _report(self, done: int) -> None:
        if self.callback is not None and done >= self.next_at:
            self.callback(min(done, self.total), self.total)
            self.next_at = done + self.step

    def finish(self) -> None:
        if self.callback is not None:
            self.callback(self.total, self.total)


class Row:
    """One data row: cells by column name, each parsed with its reasons kept in ``errors``.

    ``labels`` (a mapped file's, issue 8 §1) turns a KAM field into what the user calls it, so
    an error names the file's column ("Customer ID") rather than the field ("client")."""

    __slots__ = ("cells", "columns", "errors", "labels", "line", "ok")

    def __init__(
        self,
        line: int,
        cells: tuple,
        columns: dict[str, int],
        errors: ErrorList,
        labels: dict[str, str] | None = None,
    ):
        self.line = line
        self.cells = cells
        self.columns = columns
        self.errors = errors
        self.labels = labels
        self.ok = True

    def get(
        self, column: str, parse: Callable[..., T], *, required: bool = False, **kw
    ) -> T | None:
        """The parsed cell, or None when empty (an error if required) or invalid."""
        index = self.columns.get(column)
        raw = self.cells[index] if index is not None and index < len(self.cells) else None
        if type(raw) is str:
            raw = raw.strip()
        if raw is None or raw == "":
            if required:
                self.fail(column, gettext("a value is required"))
            return None
        if type(raw) is BadCell:
            # A computed cell whose inputs are not numbers (issue 8 §1).
            self.fail(column, raw.message)
            return None
        try:
            if type(raw) is str:
                # Every text cell of every importer: a NUL or another control character is an
                # error of its cell, never a crash in the database further on.
                check_cell_text(raw)
            return parse(raw, **kw)
        except CellError as exc:
            self.fail(column, str(exc))
            return None

    def fail(self, column: str | None, message: str) -> None:
        if self.labels and column is not None:
            column = self.labels.get(column, column)
        self.errors.add(self.line, column, message)
        self.ok = False


def data_rows(
    table: Table,
    *,
    required: Iterable[str],
    optional: Iterable[str],
    errors: ErrorList,
) -> Iterator[Row]:
    """The data rows after a header that passed ``check_header``; nothing if it did not."""
    rows = table.rows()
    try:
        first = next(rows, None)
    except HeaderMismatch as exc:
        # The mapping names columns the file lacks (issue 8 §1): every one, on the header line.
        for problem in exc.problems:
            errors.add(exc.line, f"mapping: {problem.entry}", problem.message)
        return
    if first is None:
        errors.add(None, None, gettext("the file is empty; its first row must be the header"))
        return
    header_line, header = first
    columns = check_header(
        header, line=header_line, required=required, optional=optional, errors=errors
    )
    if errors:
        return
    width = max(columns.values()) + 1
    names = {index: name for name, index in columns.items()}
    labels = getattr(table, "labels", None) or None
    try:
        for line, cells in rows:
            row = Row(line, cells, columns, errors, labels)
            if any(text(c) for c in cells[width:]):
                row.fail(None, gettext("the row has more cells than the header has columns"))
            yield row
    except ReadError as exc:
        # The reader knows the cell's position; the user knows the column by its header.
        if exc.column_index is not None and exc.column is None:
            exc.column = names.get(exc.column_index)
        raise


def check_rows(
    table: Table,
    check: Callable[[Row], None],
    *,
    required: Iterable[str],
    optional: Iterable[str],
    errors: ErrorList,
    result: "ImportResult",
    tracker: "Tracker",
) -> None:
    """The validation pass every importer makes: ``check`` each data row, count and report
    progress; a file that cannot be read further becomes an error on the line it broke at."""
    try:
        for count, row in enumerate(
            data_rows(table, required=required, optional=optional, errors=errors), start=1
        ):
            check(row)
            result.rows = count
            tracker.checked(count)
    except ReadError as exc:
        errors.add(exc.line, exc.column, exc.message)


def max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def differences(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    """The part of ``data`` that differs from ``instance`` (relations compared by key)."""
    changed = {}
    for name, value in data.items():
        model_field = instance._meta.get_field(name)
        old = getattr(instance, model_field.attname)
        new = value.pk if model_field.is_relation and value is not None else value
        if old != new:
            changed[name] = value
    return changed


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def source_name(table: Table) -> str:
    # The audit entity id holds 64 characters.
    return Path(table.name).name[:64]


def finish(result: ImportResult, errors: ErrorList) -> ImportResult:
    result.errors = errors.items
    result.error_count = errors.count
    if errors:
        result.created = result.updated = result.unchanged = 0
        result.clients_created = result.products_created = result.returns_linked = 0
        result.service_lines = result.skipped = result.without_cost = 0
    return result


class Writing:
    """Runs the write phase in one transaction; a refusal by a service or the database becomes
    an error of the row being written, and the transaction rolls everything back.

    ``check_only`` (issue 8 §4, "run a check"): the writes run as for real, so the database's
    own refusals are found and the counts are what an import would do, and are then rolled
    back. ``labels`` names a mapped file's columns in the errors, as ``Row`` does."""

    def __init__(
        self,
        errors: ErrorList,
        *,
        check_only: bool = False,
        labels: dict[str, str] | None = None,
    ):
        self.errors = errors
        self.line: int | None = None
        self.check_only = check_only
        self.labels = labels or {}

    def __enter__(self):
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None and self.check_only:
            transaction.set_rollback(True)
        self._atomic.__exit__(exc_type, exc, tb)
        if isinstance(exc, ValidationError):
            if hasattr(exc, "error_dict"):
                for name, messages in exc.message_dict.items():
                    column = None if name == NON_FIELD_ERRORS else self.labels.get(name, name)
                    self.errors.add(self.line, column, "; ".join(messages))
            else:
                self.errors.add(self.line, None, "; ".join(exc.messages))
            return True
        if isinstance(exc, IntegrityError | FileChanged | PermissionDenied):
            # PermissionDenied: a service refused the actor this one row (a client outside
            # their rights); the import stops like for any other refused row.
            self.errors.add(self.line, None, str(exc))
            return True
        if isinstance(exc, Http404):
            self.errors.add(self.line, None, gettext("the record is outside what you may see"))
            return True
        return False


class FileChanged(Exception):
    """The second reading of a sales file found a row the first reading had accepted."""


def checksum(table: Table) -> str:
    """SHA-256 (hex) of the file's bytes, streamed: the audit and the list of runs name it."""
    if getattr(table, "partial", False):
        return ""  # the preview's first rows: the checksum is of a whole file
    digest = hashlib.sha256()
    try:
        with table._binary() as f:
            while block := f.read(1 << 20):
                digest.update(block)
    except ReadError:
        return ""
    return digest.hexdigest()


def audit_import(*, actor, entity: str, table: Table, result: ImportResult) -> None:
    if not result.checksum:
        result.checksum = checksum(table)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.IMPORT,
        entity=entity,
        entity_id=source_name(table),
        summary=result.summary(),
        changes={
            "file": Path(table.name).name,
            "sha256": result.checksum,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "clients_created": result.clients_created,
            "products_created": result.products_created,
        },
    )


def require_import(actor) -> None:
    """The acting user may import (director, administrator, sales support; docs/import.md).

    ``actor=None`` is the system (``kam import --system``, the demo builder): no role to
    check. IMPORT_RUN is company-wide: who may import may import any client's rows."""
    if actor is not None:
        require(actor, Action.IMPORT_RUN)


def file_size(source: Source) -> int | None:
    """The file's size in bytes, or None when it cannot be told (missing: the reader says so)."""
    size = getattr(source, "size", None)  # an uploaded file knows it
    if isinstance(size, int):
        return size
    if isinstance(source, str | Path):
        try:
            return os.stat(source).st_size
        except OSError:
            return None
    try:
        position = source.tell()
        source.seek(0, os.SEEK_END)
        size = source.tell()
        source.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def check_size(source: Source) -> str | None:
    """Why the file is too large for ``settings.KAM_IMPORT_MAX_MB`` (issue 8), or None."""
    limit = settings.KAM_IMPORT_MAX_MB
    size = file_size(source)
    if size is None or size <= limit * 1024 * 1024:
        return None
    return gettext(
        "the file is %(size)s MB, larger than the limit of %(limit)s MB "
        "(the setting KAM_IMPORT_MAX_MB); split it, by period for instance"
    ) % {"size": f"{size / (1024 * 1024):.1f}", "limit": limit}


def open_file(
    kind: str,
    source: Source | Table,
    name: str | None,
    errors: ErrorList,
    mapping: Mapping | None = None,
) -> tuple[Table | None, ImportResult, int]:
    """The table, the result to fill and the estimated number of rows; no table (and an
    error) when the file cannot be opened: missing, of an unknown type, not a workbook, larger
    than KAM_IMPORT_MAX_MB. ``source`` may be a table already (the preview's first rows, a
    file whose date format the caller set); ``mapping`` reads it through a column mapping."""
    try:
        table = source if isinstance(source, Table) else open_table(source, name=name)
        if (too_large := check_size(table.source)) is not None:
            raise ReadError(too_large)
        if mapping is not None:
            if mapping.kind != kind:
                raise ReadError(
                    gettext("the mapping is for %(mapping)s, not for %(kind)s")
                    % {"mapping": mapping.kind, "kind": kind},
                    column="mapping: kind",
                )
            table = mapping.apply(table)
        # Opening an XLSX happens here, so a file that is no workbook is an error, not a crash.
        estimate = table.estimate_rows()
    except ReadError as exc:
        errors.add(exc.line, exc.column, exc.message)
        shown = source.name if isinstance(source, Table) else str(name or source)
        return None, ImportResult(kind=kind, source=shown), 0
    return table, ImportResult(kind=kind, source=table.name), estimate


_DATE_FORMAT_KNOWN = "date_format" in inspect.signature(parse_date).parameters


def date_parser(table: Table) -> Callable[[Any], Any]:
    """``parse_date`` for the file's date format (a mapping's ``date_format``, issue 8 §3)."""
    date_format = getattr(table, "date_format", "auto")
    if date_format == "auto" or not _DATE_FORMAT_KNOWN:
        return parse_date
    return lambda raw: parse_date(raw, date_format=date_format)


def parse_date_cell(raw: Any, table: Table):
    """One date cell of ``table``, in its date format."""
    return date_parser(table)(raw)
