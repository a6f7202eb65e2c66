"""Cell parsers and the error record of imports: every problem names its line and its column.

The parsers take a raw cell as a reader gives it (a string from CSV; a string, number, date or
None from XLSX) and return a clean Python value or raise ``CellError`` with a reason the user
can act on. Numbers accept a decimal point or a decimal comma and grouping spaces
("1234.56", "1 234,56", "1.234,56", "1,234.56"); money is Decimal, never float.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from kam.core.bounds import CONTROL_CHARACTER, check_text
from kam.imports import formats


class CellError(ValueError):
    """A cell's value cannot be used; the message says why (without line and column)."""


@dataclass(frozen=True)
class RowError:
    """One problem in an import file. ``line`` counts as the user sees it: the header is line 1."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(gettext("line %(line)s") % {"line": self.line})
        if self.column:
            where.append(gettext('column "%(column)s"') % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ErrorList:
    """Collects errors; keeps at most ``limit`` of them but counts them all."""

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self.items: list[RowError] = []
        self.count = 0

    def add(self, line: int | None, column: str | None, message: str) -> None:
        self.count += 1
        if self.limit is None or len(self.items) < self.limit:
            # A control character quoted from the file is shown as an escape: a NUL would cut
            # the message short in a terminal and cannot be stored or shown on a page.
            if column is not None:
                column = escape_controls(column)
            self.items.append(RowError(line, column, escape_controls(str(message))))

    def __bool__(self) -> bool:
        return self.count > 0


CONTROL = CONTROL_CHARACTER  # what kam.core.bounds refuses; tab, CR and LF are allowed


def escape_controls(value: str) -> str:
    """``value`` with each control character written as ``\\xNN``."""
    if CONTROL.search(value) is None:
        return value
    return CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", value)


def check_cell_text(value: str) -> None:
    """Raise ``CellError`` if a text cell holds a NUL or another control character."""
    if CONTROL.search(value) is not None:
        try:
            check_text(value)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None


def text(raw: Any) -> str:
    """The cell as text, trimmed. An XLSX whole number (``4.0``) reads as ``"4"``."""
    if type(raw) is str:  # every CSV cell: the fast path for a million rows
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def shown(raw: Any) -> str:
    """The value quoted in a message, cut so a runaway cell does not flood the output."""
    value = text(raw)
    return value if len(value) <= 40 else value[:40] + "…"


def parse_text(raw: Any, *, max_length: int) -> str:
    value = text(raw)
    if len(value) > max_length:
        raise CellError(
            gettext('"%(value)s" is longer than %(max)s characters')
            % {"value": shown(raw), "max": max_length}
        )
    return value


# Spaces of every kind and apostrophes group thousands ("1 234,56", "1'234.56").
_GROUPING = re.compile(r"[\s\u00a0\u202f']")
_PLAIN = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _decimal_from_text(value: str) -> Decimal | None:
    if _PLAIN.fullmatch(value):  # the common case, without the substitution below
        return Decimal(value.replace(",", "."))
    compact = _GROUPING.sub("", value)
    # A single separator is the decimal one: "1,234" is 1.234 (decimal comma, as ERPs in
    # Latvia and Russia write it), not one thousand two hundred thirty-four.
    if _PLAIN.fullmatch(compact):
        return Decimal(compact.replace(",", "."))
    if _COMMA_GROUPS.fullmatch(compact):
        return Decimal(compact.replace(",", ""))
    if _DOT_GROUPS.fullmatch(compact):
        return Decimal(compact.replace(".", "").replace(",", "."))
    return None


def parse_decimal(
    raw: Any, *, places: int, max_digits: int, minimum: Decimal | None = None
) -> Decimal:
    """An exact decimal that fits a ``DecimalField(max_digits, places)``."""
    value: Decimal | None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        # repr is the shortest text that round-trips: 0.1 stays 0.1, not 0.1000000000000000055.
        value = Decimal(repr(raw))
    else:
        value = _decimal_from_text(text(raw))
    if value is None or not value.is_finite():
        raise CellError(gettext('"%(value)s" is not a number') % {"value": shown(raw)})
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise CellError(
            gettext('"%(value)s" has more than %(places)s decimal places')
            % {"value": shown(raw), "places": places}
        )
    if value != 0 and value.adjusted() + 1 > max_digits - places:
        raise CellError(gettext('"%(value)s" is too large') % {"value": shown(raw)})
    if minimum is not None and value < minimum:
        raise CellError(
            gettext('"%(value)s" is less than %(minimum)s')
            % {"value": shown(raw), "minimum": minimum}
        )
    return value


def parse_int(raw: Any, *, minimum: int = 0, maximum: int = 2_147_483_647) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        s = text(raw)
        if not re.fullmatch(r"[+-]?\d+", s):
            raise CellError(gettext('"%(value)s" is not a whole number') % {"value": shown(raw)})
        value = int(s)
    if not minimum <= value <= maximum:
        raise CellError(
            gettext('"%(value)s" must be between %(minimum)s and %(maximum)s')
            % {"value": shown(raw), "minimum": minimum, "maximum": maximum}
        )
    return value


_FLOAT_ID = re.compile(r"([+-]?\d+)\.0+")


def parse_id(raw: Any, *, max_length: int) -> str:
    """An identifier (registration number, client number, SKU) as text. Exports that went
    through a spreadsheet write whole numbers as floats: ``13085.0`` (or the XLSX number
    13085.0) is ``13085`` (issue 8 §3). Other text is kept as it is."""
    if isinstance(raw, float) and raw.is_integer():
        value = str(int(raw))
    else:
        value = text(raw)
        if m := _FLOAT_ID.fullmatch(value):
            value = m[1]
    if len(value) > max_length:
        raise CellError(
            gettext('"%(value)s" is longer than %(max)s characters')
            % {"value": shown(raw), "max": max_length}
        )
    return value


def parse_date(raw: Any, date_format: str = formats.AUTO) -> date:
    """A date written in the file's ``date_format`` (``kam.imports.formats.DATE_FORMATS``), or
    a real date cell in XLSX. A time of day is allowed and dropped: a naive one is the
    company's time, one with an offset is converted to the company's zone first (issue 8 §3).
    "auto" reads YYYY-MM-DD and DD.MM.YYYY and refuses 03/04/2024, which a file must declare
    day-first or month-first."""
    if isinstance(raw, datetime):
        return formats.local_date(raw)
    if isinstance(raw, date):
        return raw
    try:
        found = formats.date_from_text(text(raw), date_format)
    except formats.AmbiguousDate:
        raise CellError(
            gettext(
                '"%(value)s" is not a date in YYYY-MM-DD or DD.MM.YYYY: a date with slashes '
                "is read only when the file's date format is chosen, day-first "
                "(DD/MM/YYYY) or month-first (MM/DD/YYYY)"
            )
            % {"value": shown(raw)}
        ) from None
    if found is None:
        raise CellError(
            gettext('"%(value)s" is not a date (%(format)s)')
            % {"value": shown(raw), "format": formats.DATE_FORMAT_LABELS[date_format]}
        )
    return found


def parse_currency(raw: Any) -> str:
    s = text(raw).upper()
    if not re.fullmatch(r"[A-Z]{3}", s):
        raise CellError(
            gettext('"%(value)s" is not a currency code (three letters, e.g. EUR)')
            % {"value": shown(raw)}
        )
    return s


def parse_country(raw: Any) -> str:
    """A country as its ISO alpha-2 code: from a code (LV, LVA) or a name in English, Latvian
    or Russian (Latvia, Latvija, Латвия; issue 8 §3). "" for a word that says it is unknown
    ("Unspecified"), which leaves the country empty."""
    code = formats.country_code(text(raw))
    if code is None:
        raise CellError(
            gettext(
                '"%(value)s" is not a country: write its two-letter code (e.g. LV) or its name '
                "in English, Latvian or Russian"
            )
            % {"value": shown(raw)}
        )
    return code


def parse_choice(raw: Any, *, choices: Sequence[str]) -> str:
    s = text(raw).lower()
    if s not in choices:
        raise CellError(
            gettext('"%(value)s" is not one of: %(choices)s')
            % {"value": shown(raw), "choices": ", ".join(choices)}
        )
    return s


def column_name(raw: Any) -> str:
    """A header cell as a column name: "Legal name" and "legal_name" are the same column."""
    return re.sub(r"[\s-]+", "_", text(raw).lstrip("\ufeff").strip().lower())


def check_header(
    cells: Sequence[Any],
    *,
    line: int,
    required: Iterable[str],
    optional: Iterable[str],
    errors: ErrorList,
) -> dict[str, int]:
    """Map column name -> cell index; report missing required, unknown and repeated columns.

    An unknown column is an error rather than ignored: a typo ("revnue") would otherwise drop
    a column of money without a word.
    """
    required = list(required)
    known = [*required, *optional]
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = column_name(cell)
        if not name:
            continue
        if name in columns:
            errors.add(line, name, gettext("the column appears more than once"))
        elif name not in known:
            errors.add(
                line,
                name,
                gettext(
                    "unknown column; the required columns are %(required)s, the optional %(optional)s"
                )
                % {
                    "required": ", ".join(required),
                    "optional": ", ".join(c for c in known if c not in required),
                },
            )
        else:
            columns[name] = index
    for name in required:
        if name not in columns:
            errors.add(line, name, gettext("required column is missing"))
    return columns
