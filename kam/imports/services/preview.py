"""The first rows of a file as KAM will read them (issue 8 §1, §4): the import page shows them
beside the mapping's drop-downs before anything is checked in full or written.

The preview runs the importer itself, in check-only mode, on the file cut to its first rows: a
cell is wrong in the preview exactly when the import would refuse it, for the same reason.
"""

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.utils.translation import gettext

from kam.imports.mapping import BadCell, HeaderMismatch, Mapping
from kam.imports.readers import ReadError, Source, Table, open_table
from kam.imports.services import IMPORTERS
from kam.imports.services.common import check_size, require_import
from kam.imports.validators import column_name, escape_controls, text

PREVIEW_ROWS = 20


class HeadTable(Table):
    """The header and the first ``limit`` data rows of ``table``; the file is not read further."""

    partial = True

    def __init__(self, table: Table, limit: int):
        super().__init__(table.source, table.name)
        self.table = table
        self.limit = limit

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        rows = self.table.rows()
        try:
            yield from islice(rows, self.limit + 1)
        finally:
            rows.close()  # closes the file now, not when the generator is collected

    def estimate_rows(self) -> int:
        return min(self.limit, self.table.estimate_rows())

    def _binary(self):
        return self.table._binary()


@dataclass
class Preview:
    kind: str
    # The file's header as written; KAM's fields the mapping gives, in the order shown.
    columns: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    # [{"line": 2, "cells": {field: text}, "errors": [{"column": ..., "message": ...}]}]
    rows: list[dict[str, Any]] = field(default_factory=list)
    # A problem of the whole file or of the mapping against its header; "" when none.
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not any(row["errors"] for row in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "fields": list(self.fields),
            "rows": [
                {"line": r["line"], "cells": dict(r["cells"]), "errors": list(r["errors"])}
                for r in self.rows
            ],
            "error": self.error,
            "ok": self.ok,
        }


def _shown(cell: Any) -> str:
    if type(cell) is BadCell:
        return ""
    return escape_controls(text(cell))


def _accepts(importer, *names: str) -> bool:
    parameters = inspect.signature(importer).parameters
    return all(name in parameters for name in names)


def preview(
    kind: str,
    source: Source | Table,
    *,
    name: str | None = None,
    mapping: Mapping | None,
    actor,
    rows: int = PREVIEW_ROWS,
) -> Preview:
    """The file's first ``rows`` data rows through ``mapping`` (None: KAM's own columns), each
    with the errors the import would report for it. Raises PermissionDenied like the import."""
    require_import(actor)
    result = Preview(kind=kind)
    try:
        table = source if isinstance(source, Table) else open_table(source, name=name)
        if (too_large := check_size(table.source)) is not None:
            raise ReadError(too_large)
        head = HeadTable(table, max(1, rows))
        # The file's own header first: the page offers its columns even when the mapping
        # does not fit them yet.
        raw = head.rows()
        first = next(raw, None)
        raw.close()
        if first is None:
            result.error = gettext("the file is empty; its first row must be the header")
            return result
        result.columns = [text(c).lstrip("\ufeff").strip() for c in first[1]]
        shown: Table = mapping.apply(head) if mapping is not None else head
        lines = shown.rows()
        header_line, header = next(lines)
        if mapping is None:
            result.fields = [column_name(c) for c in header]
        else:
            result.fields = list(header)
        by_line: dict[int, dict[str, Any]] = {}
        for line, cells in lines:
            row = {
                "line": line,
                "cells": {f: _shown(c) for f, c in zip(result.fields, cells, strict=False) if f},
                "errors": [],
            }
            by_line[line] = row
            result.rows.append(row)
    except HeaderMismatch as exc:
        result.error = "; ".join(f"{p.entry}: {p.message}" for p in exc.problems)
        return result
    except ReadError as exc:
        where = gettext("line %s") % exc.line if exc.line is not None else ""
        result.error = f"{where}: {exc.message}" if where else exc.message
        return result

    importer = IMPORTERS[kind]
    if not _accepts(importer, "mapping", "check_only"):
        return result  # an importer that cannot check without writing is not run
    checked = importer(source=head, actor=actor, mapping=mapping, check_only=True)
    whole = []
    for error in checked.errors:
        row = by_line.get(error.line) if error.line is not None else None
        if row is None or error.line == header_line:
            whole.append(str(error))
        else:
            row["errors"].append({"column": error.column, "message": error.message})
    result.error = "; ".join(whole)
    return result
