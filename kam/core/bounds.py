"""The bounds every input keeps (issue 7 §2), in one place: services call these, so the web,
the API, the CLI and the importer refuse the same things with the same message.

Forms and API schemas only *parse* (a date is a date, a number a number); whether the value is
acceptable for the business is decided here, once.

- Dates lie within the business's range: not before the company's history start
  (``CompanySettings.history_starts_on``), not after today plus a margin (the ledger) or a
  planning horizon (review dates, plans).
- Amounts stay within what the arithmetic holds: ``MAX_AMOUNT`` per amount keeps every sum of
  up to 10^8 ledger lines in a signed 64-bit count of cents (the radar's integer arithmetic).
- Text holds no NUL or other control characters (tab, newline and carriage return excepted).
- Page numbers are capped; a page past the last answers the last page, never an error.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# 999 999 999.99 per amount is 10^11 cents: the radar's running totals and company sums are
# signed 64-bit counts of cents (2^63 = 9.2 * 10^18), so even 90 million lines all at the
# maximum still add up without overflow. Far above any real invoice line.
MAX_AMOUNT = Decimal("999999999.99")
MAX_PAGE = 10_000
# The largest key a database row can have (a signed 64-bit integer): a larger id names nothing.
MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 200
# How far ahead a ledger line may be dated (a delivery invoiced ahead of the month's close).
LEDGER_FUTURE_DAYS = int(getattr(settings, "KAM_LEDGER_FUTURE_DAYS", 31))
# How far ahead a planning date (a review, a plan's end) may lie.
PLANNING_YEARS = 10

_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# The characters control_character finds, as one expression: a million cells checked in C.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _error(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: message} if field else message)


def history_start() -> date:
    """The first day the company's records may carry (a company setting)."""
    from kam.core.selectors import company_settings

    return company_settings().history_starts_on


def ledger_latest() -> date:
    return timezone.localdate() + timedelta(days=LEDGER_FUTURE_DAYS)


def planning_latest() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + PLANNING_YEARS)


def check_date(
    value: date | None,
    *,
    field: str | None = None,
    earliest: date | None = None,
    latest: date | None = None,
) -> date | None:
    """``value`` if it lies in [earliest, latest] (default: history start .. planning horizon)."""
    if value is None:
        return None
    earliest = earliest or history_start()
    latest = latest or planning_latest()
    if value < earliest or value > latest:
        raise _error(
            field,
            _("%(value)s is outside the allowed dates %(earliest)s to %(latest)s.")
            % {
                "value": value.isoformat(),
                "earliest": earliest.isoformat(),
                "latest": latest.isoformat(),
            },
        )
    return value


def bounded_date(
    value, field: str, *, earliest: date | None = None, latest: date | None = None
) -> date:
    """A service's date input: a date (not a datetime, not missing: "Enter a date.") within
    ``check_date``'s range, refused naming ``field``."""
    if value is None or not isinstance(value, date) or isinstance(value, datetime):
        raise _error(field, _("Enter a date."))
    return check_date(value, field=field, earliest=earliest, latest=latest)


def check_ledger_date(value: date, *, field: str | None = None) -> date:
    """A sales line's date: from the history start to today plus ``LEDGER_FUTURE_DAYS``."""
    return check_date(value, field=field, earliest=history_start(), latest=ledger_latest())


def clamp_date(value: date | None) -> date | None:
    """A date asked for in a *read* (``as_of``, ``until``, a month), pulled into the range.

    Reads answer for the nearest date that makes sense instead of failing."""
    if value is None:
        return None
    return min(max(value, history_start()), planning_latest())


def as_of_or_today(value: date | None) -> date:
    """The day a read is asked for (``as_of``), pulled into the range; none given: today."""
    return clamp_date(value) if value else timezone.localdate()


def check_amount(
    value,
    *,
    field: str | None = None,
    minimum: Decimal | None = None,
    maximum: Decimal = MAX_AMOUNT,
    places: int = 2,
) -> Decimal | None:
    """A finite decimal within [minimum, maximum] (default ±MAX_AMOUNT) with at most ``places``."""
    if value is None:
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _error(field, _("%(value)s is not a number.") % {"value": value}) from None
    if not amount.is_finite():
        raise _error(field, _("The amount must be a finite number."))
    minimum = -maximum if minimum is None else minimum
    if amount < minimum or amount > maximum:
        raise _error(
            field,
            _("%(value)s is outside the allowed amounts %(minimum)s to %(maximum)s.")
            % {"value": amount, "minimum": minimum, "maximum": maximum},
        )
    if amount.as_tuple().exponent < -places:
        raise _error(field, _("Use at most %(places)d decimal places.") % {"places": places})
    return amount


def control_character(value: str) -> str | None:
    """The first NUL or other control character in ``value`` (tab/newlines allowed), or None."""
    for ch in value:
        if (ord(ch) < 32 and ch not in _ALLOWED_CONTROLS) or ord(ch) == 127:
            return ch
    return None


def check_text(value: str | None, *, field: str | None = None) -> str | None:
    """``value`` if it holds no NUL or control character."""
    if value is None:
        return None
    ch = control_character(value)
    if ch is not None:
        raise _error(
            field,
            _("Control characters are not allowed (found U+%(code)04X).") % {"code": ord(ch)},
        )
    return value


def bounded_text(value, field: str, length: int, *, required: bool = False) -> str:
    """A service's text input: stripped, without control characters, at most ``length``
    characters and, if ``required``, not empty; each refusal names ``field``."""
    value = "" if value is None else str(value)
    check_text(value, field=field)
    value = value.strip()
    if required and not value:
        raise _error(field, _("This field is required."))
    if len(value) > length:
        raise _error(field, _("At most %(length)d characters.") % {"length": length})
    return value


def no_control_characters(value) -> None:
    """A model-field validator: ``full_clean()`` then refuses NUL and control characters."""
    if isinstance(value, str):
        check_text(value)


def clamp_page(page: int | None, *, last_page: int | None = None) -> int:
    """A page number in 1..MAX_PAGE (and ..last_page when known): never an error, never a
    number the database cannot take as an offset."""
    page = 1 if page is None or page < 1 else min(page, MAX_PAGE)
    if last_page is not None:
        page = min(page, max(last_page, 1))
    return page


def clamp_page_size(size: int | None, *, default: int = 50) -> int:
    if size is None or size < 1:
        return default
    return min(size, MAX_PAGE_SIZE)
