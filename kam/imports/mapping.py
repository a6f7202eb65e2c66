"""Column mappings (issue 8 §1): an export's own column names read as KAM's fields.

A mapping says which column of the file is which KAM field (``"StockCode": "sku"``), computes
the fields exports commonly split or leave out (revenue = quantity times unit price; line number =
the row's position within its document), and carries the file's date format and, for sales,
the import's options. ``Mapping.apply(table)`` gives a ``MappedTable`` whose header is KAM's
field names, so every importer reads a mapped file exactly as a file in KAM's own columns;
``MappedTable.labels`` keeps what the user calls each field, so errors name the file's column.

A mapping is refused as a whole, with the entry at fault (``columns.Price``,
``computed.revenue``, ``date_format``, ``options.service_lines``): when it is read
(``Mapping.from_dict``) for what it says on its own, when it meets the file's header for the
columns it names.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.imports.options import OptionError, SalesOptions
from kam.imports.readers import ReadError, Table
from kam.imports.validators import CellError, parse_decimal, text


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: Any  # a lazy translation
    required: bool = False


FIELDS: dict[str, tuple[FieldInfo, ...]] = {
    "clients": (
        FieldInfo("registration_number", _("registration number"), True),
        FieldInfo("legal_name", _("legal name"), True),
        FieldInfo("vat_number", _("VAT number")),
        FieldInfo("industry", _("industry")),
        FieldInfo("segment", _("segment")),
        FieldInfo("territory", _("territory")),
        FieldInfo("owner", _("owner (username of the KAM)")),
        FieldInfo("department", _("department")),
        FieldInfo("status", _("status")),
        FieldInfo("city", _("city")),
        FieldInfo("country", _("country")),
    ),
    "products": (
        FieldInfo("sku", _("SKU"), True),
        FieldInfo("name", _("name"), True),
        FieldInfo("category", _("category")),
        FieldInfo("unit", _("unit")),
        FieldInfo("standard_cost", _("standard cost")),
        FieldInfo("currency", _("currency")),
        FieldInfo("launched_on", _("launched on")),
    ),
    "sales": (
        FieldInfo("document_number", _("document number"), True),
        FieldInfo("line_number", _("line number"), True),
        FieldInfo("date", _("date"), True),
        FieldInfo("client", _("client (registration number)"), True),
        FieldInfo("sku", _("SKU"), True),
        FieldInfo("quantity", _("quantity"), True),
        FieldInfo("revenue", _("revenue"), True),
        FieldInfo("cost", _("cost")),
        FieldInfo("currency", _("currency")),
        FieldInfo("client_name", _("client name")),
        FieldInfo("client_country", _("client country")),
        FieldInfo("client_city", _("client city")),
        FieldInfo("product_name", _("product name")),
        FieldInfo("product_category", _("product category")),
        FieldInfo("product_unit", _("product unit")),
    ),
    "invoices": (
        FieldInfo("client", _("client (registration number)"), True),
        FieldInfo("document_number", _("document number"), True),
        FieldInfo("date", _("invoice date"), True),
        FieldInfo("amount", _("amount"), True),
        FieldInfo("due_date", _("due date")),
        FieldInfo("payment_days", _("payment days")),
        FieldInfo("currency", _("currency")),
        FieldInfo("open_amount", _("open amount")),
        FieldInfo("reference", _("reference (shipment or sales document)")),
    ),
    "payments": (
        FieldInfo("client", _("client (registration number)"), True),
        FieldInfo("document_number", _("document number"), True),
        FieldInfo("date", _("payment date"), True),
        FieldInfo("amount", _("amount"), True),
        FieldInfo("currency", _("currency")),
        FieldInfo("invoice", _("invoice it pays (document number)")),
    ),
}

DATE_FORMATS = ("auto", "iso", "day-first", "month-first")

# Fields a product of two columns may fill, and the decimal places the product is rounded to
# (half-up): revenue = quantity times unit price is money, kept in cents.
MULTIPLY_PLACES = {"revenue": 2, "cost": 2, "quantity": 3, "standard_cost": 4}
# Fields numbered by their row's position within a document, and the documents' field.
POSITION_FIELDS = {"line_number": ("document_number",)}
# Inputs of a product are read leniently (a unit price of 2.955); the importer then checks the
# result against the field's own places and bounds.
_INPUT_DIGITS = {"places": 6, "max_digits": 28}

# The sign between the two columns of a product in messages ("Quantity x Price").
TIMES = "\u00d7"

_KEYS = ("kind", "columns", "computed", "date_format", "options")


class MappingError(ValueError):
    """A mapping cannot be used; ``entry`` is the part at fault (``columns.Price``)."""

    def __init__(self, entry: str, message: str):
        super().__init__(f"{entry}: {message}")
        self.entry = entry
        self.message = message


class HeaderMismatch(ReadError):
    """The file's header does not have what the mapping names: every problem, line 1."""

    def __init__(self, problems: list[MappingError], line: int):
        first = problems[0]
        super().__init__(first.message, line, column=f"mapping: {first.entry}")
        self.problems = problems


class BadCell:
    """A computed cell that could not be computed; ``Row.get`` reports ``message`` at it."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"BadCell({self.message!r})"


def _column_key(value: Any, entry: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MappingError(entry, gettext("a column name must be a non-empty text"))
    name = value.strip()
    if len(name) > 200 or not name.isprintable():
        raise MappingError(entry, gettext("a column name is at most 200 printable characters"))
    return name


@dataclass
class Mapping:
    kind: str
    columns: dict[str, str]
    computed: dict[str, dict[str, Any]] = field(default_factory=dict)
    date_format: str = "auto"
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any, kind: str | None = None) -> "Mapping":
        """The mapping ``data`` (parsed JSON) describes, for ``kind`` if given; MappingError
        naming the entry at fault otherwise."""
        if not isinstance(data, dict):
            raise MappingError("mapping", gettext("a mapping must be a JSON object"))
        for key in data:
            if key not in _KEYS:
                raise MappingError(
                    str(key),
                    gettext("unknown entry; a mapping has %s") % ", ".join(_KEYS),
                )
        stated = data.get("kind")
        if stated is not None and stated not in FIELDS:
            raise MappingError("kind", gettext("must be one of: %s") % ", ".join(FIELDS))
        if kind is not None and stated is not None and stated != kind:
            raise MappingError(
                "kind",
                gettext("this is a mapping for %(stated)s, not for %(kind)s")
                % {"stated": stated, "kind": kind},
            )
        kind = kind or stated
        if kind not in FIELDS:
            raise MappingError("kind", gettext("must be one of: %s") % ", ".join(FIELDS))
        fields = {f.name: f for f in FIELDS[kind]}

        raw_columns = data.get("columns", {})
        if not isinstance(raw_columns, dict):
            raise MappingError("columns", gettext("must be an object: file column -> KAM field"))
        columns: dict[str, str] = {}
        source_of: dict[str, str] = {}
        for raw_name, target in raw_columns.items():
            name = _column_key(raw_name, f"columns.{raw_name}")
            entry = f"columns.{name}"
            if name in columns:
                raise MappingError(entry, gettext("the column is named twice"))
            if target is None:
                target = ""
            if not isinstance(target, str):
                raise MappingError(entry, gettext("must be the name of a KAM field, or empty"))
            target = target.strip()
            if target and target not in fields:
                raise MappingError(
                    entry,
                    gettext('"%(field)s" is not a KAM field of %(kind)s; the fields are %(all)s')
                    % {"field": target, "kind": kind, "all": ", ".join(fields)},
                )
            if target in source_of:
                raise MappingError(
                    entry,
                    gettext('"%(field)s" is already mapped from column "%(other)s"')
                    % {"field": target, "other": source_of[target]},
                )
            if target:
                source_of[target] = name
            columns[name] = target

        raw_computed = data.get("computed", {})
        if not isinstance(raw_computed, dict):
            raise MappingError("computed", gettext("must be an object: KAM field -> how"))
        computed: dict[str, dict[str, Any]] = {}
        for target, spec in raw_computed.items():
            entry = f"computed.{target}"
            if target not in fields:
                raise MappingError(
                    entry,
                    gettext('"%(field)s" is not a KAM field of %(kind)s')
                    % {"field": target, "kind": kind},
                )
            if target in source_of:
                raise MappingError(
                    entry,
                    gettext('"%(field)s" is already mapped from column "%(other)s"')
                    % {"field": target, "other": source_of[target]},
                )
            computed[target] = _computed_spec(target, spec, entry, source_of)

        for info in FIELDS[kind]:
            if info.required and info.name not in source_of and info.name not in computed:
                raise MappingError(
                    "columns",
                    gettext(
                        'the required field "%(field)s" is neither mapped from a column nor '
                        "computed"
                    )
                    % {"field": info.name},
                )

        date_format = data.get("date_format", "auto")
        if date_format not in DATE_FORMATS:
            raise MappingError(
                "date_format", gettext("must be one of: %s") % ", ".join(DATE_FORMATS)
            )

        options = data.get("options", {}) or {}
        if not isinstance(options, dict):
            raise MappingError("options", gettext("must be an object"))
        if options and kind != "sales":
            raise MappingError("options", gettext("only a sales mapping takes options"))
        if kind == "sales":
            try:
                options = SalesOptions.from_dict(options).to_dict()
            except OptionError as exc:
                raise MappingError(f"options.{exc.name}", exc.message) from None
        return cls(kind, columns, computed, date_format, options)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": dict(self.columns),
            "computed": {k: dict(v) for k, v in self.computed.items()},
            "date_format": self.date_format,
            "options": dict(self.options),
        }

    def sales_options(self) -> SalesOptions:
        return SalesOptions.from_dict(self.options)

    def apply(self, table: Table) -> "MappedTable":
        return MappedTable(table, self)


def _computed_spec(target: str, spec: Any, entry: str, source_of: dict[str, str]) -> dict:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise MappingError(
            entry,
            gettext('must be {"multiply": [column, column]} or {"position_in": field}'),
        )
    ((operation, argument),) = spec.items()
    if operation == "multiply":
        if target not in MULTIPLY_PLACES:
            raise MappingError(
                entry,
                gettext("only %s can be a product of two columns") % ", ".join(MULTIPLY_PLACES),
            )
        if not isinstance(argument, list) or len(argument) != 2:
            raise MappingError(entry, gettext("multiply takes a list of two file columns"))
        return {"multiply": [_column_key(c, entry) for c in argument]}
    if operation == "position_in":
        allowed = POSITION_FIELDS.get(target)
        if allowed is None:
            raise MappingError(
                entry,
                gettext("only %s can be numbered by position") % ", ".join(POSITION_FIELDS),
            )
        if argument not in allowed:
            raise MappingError(entry, gettext("position_in takes %s") % ", ".join(allowed))
        if argument not in source_of:
            raise MappingError(
                entry,
                gettext('"%(field)s" must be mapped from a column to number rows within it')
                % {"field": argument},
            )
        return {"position_in": argument}
    raise MappingError(
        entry,
        gettext('unknown computation "%(operation)s"; use multiply or position_in')
        % {"operation": operation},
    )


def _find(header: tuple[str, ...], name: str) -> int | list[int] | None:
    """The index of column ``name``: exact after trimming, then case-insensitive; a list
    when the header has it more than once (ambiguous)."""
    exact = [i for i, h in enumerate(header) if h == name]
    if not exact:
        folded = name.casefold()
        exact = [i for i, h in enumerate(header) if h.casefold() == folded]
    if not exact:
        return None
    return exact[0] if len(exact) == 1 else exact


def _listed(header: tuple[str, ...]) -> str:
    names = [h for h in header if h]
    shown = ", ".join(names[:30])
    return shown + (", …" if len(names) > 30 else "")


class MappedTable(Table):
    """The file read through a mapping: the header is KAM's field names, each row the cells
    in that order, computed ones computed. Unmapped file columns are left out."""

    def __init__(self, table: Table, mapping: Mapping):
        super().__init__(table.source, table.name)
        self.table = table
        self.mapping = mapping
        self.date_format = mapping.date_format
        self.partial = getattr(table, "partial", False)
        self.labels: dict[str, str] = {}
        self.file_columns: tuple[str, ...] = ()

    def estimate_rows(self) -> int:
        return self.table.estimate_rows()

    def _binary(self):
        return self.table._binary()

    def _plan(self, header: tuple[str, ...], line: int) -> list[tuple[str, Any]]:
        """(field, how) per output column; HeaderMismatch with every problem of the header."""
        problems: list[MappingError] = []
        labels: dict[str, str] = {}

        def index_of(name: str, entry: str) -> int | None:
            found = _find(header, name)
            if found is None:
                problems.append(
                    MappingError(
                        entry,
                        gettext('the file has no column "%(column)s"; its columns are %(all)s')
                        % {"column": name, "all": _listed(header)},
                    )
                )
                return None
            if isinstance(found, list):
                problems.append(
                    MappingError(
                        entry,
                        gettext('the file has %(count)s columns named "%(column)s"')
                        % {"count": len(found), "column": name},
                    )
                )
                return None
            return found

        by_field: dict[str, Any] = {}
        for name, target in self.mapping.columns.items():
            if not target:
                continue
            index = index_of(name, f"columns.{name}")
            if index is not None:
                by_field[target] = ("column", index)
                labels[target] = header[index]
        for target, spec in self.mapping.computed.items():
            entry = f"computed.{target}"
            if "multiply" in spec:
                indexes = [index_of(c, entry) for c in spec["multiply"]]
                if None not in indexes:
                    a, b = indexes
                    by_field[target] = ("multiply", a, b, MULTIPLY_PLACES[target])
                    labels[target] = f"{header[a]} {TIMES} {header[b]}"
        for target, spec in self.mapping.computed.items():
            if "position_in" in spec:
                source = by_field.get(spec["position_in"])
                if source is not None and source[0] == "column":
                    by_field[target] = ("position", source[1])
                    labels[target] = gettext("%(field)s (position in %(column)s)") % {
                        "field": target,
                        "column": header[source[1]],
                    }
        if problems:
            raise HeaderMismatch(problems, line)
        self.labels = labels
        order = [f.name for f in FIELDS[self.mapping.kind] if f.name in by_field]
        return [(name, by_field[name]) for name in order]

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        rows = self.table.rows()
        file_header: tuple[str, ...] = ()
        try:
            first = next(rows, None)
            if first is None:
                return
            line, cells = first
            file_header = tuple(text(c).lstrip("\ufeff").strip() for c in cells)
            self.file_columns = file_header
            plan = self._plan(file_header, line)
            yield line, tuple(name for name, _how in plan)
            how = [h for _name, h in plan]
            positions: dict[str, int] = {}
            columns = len(file_header)
            for line, cells in rows:
                width = len(cells)
                out = []
                for h in how:
                    kind = h[0]
                    if kind == "column":
                        out.append(cells[h[1]] if h[1] < width else None)
                    elif kind == "multiply":
                        out.append(
                            _product(
                                cells[h[1]] if h[1] < width else None,
                                cells[h[2]] if h[2] < width else None,
                                file_header[h[1]],
                                file_header[h[2]],
                                h[3],
                            )
                        )
                    else:
                        document = text(cells[h[1]]) if h[1] < width else ""
                        if document:
                            positions[document] = number = positions.get(document, 0) + 1
                            out.append(number)
                        else:
                            out.append(None)
                if width > columns and any(text(c) for c in cells[columns:]):
                    # Cells beyond the file's header: one more cell than the mapped header
                    # has, which the importer reports as for a file in KAM's own columns.
                    out.append("\u2026")
                yield line, tuple(out)
        except HeaderMismatch:
            raise
        except ReadError as exc:
            # The reader knows the cell's position in the file; the user knows its header.
            if exc.column is None and exc.column_index is not None:
                if exc.column_index < len(file_header):
                    exc.column = file_header[exc.column_index] or None
                exc.column_index = None
            raise


def _product(a: Any, b: Any, name_a: str, name_b: str, places: int) -> Decimal | BadCell | None:
    """a times b exactly, rounded half-up to ``places`` when it has more; empty when an input is."""
    if _empty(a) or _empty(b):
        return None
    values = []
    for raw, name in ((a, name_a), (b, name_b)):
        try:
            values.append(parse_decimal(raw, **_INPUT_DIGITS))
        except CellError as exc:
            return BadCell(
                gettext('column "%(column)s": %(reason)s') % {"column": name, "reason": exc}
            )
    with localcontext(prec=80):  # exact: the inputs have at most 28 digits each
        value = values[0] * values[1]
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return value


def _empty(raw: Any) -> bool:
    return raw is None or (type(raw) is str and not raw.strip())
