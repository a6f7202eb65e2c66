"""Real-world cell formats of ERP exports (issue 8 §3): dates in a format chosen once per file,
with or without a time of day, and countries by ISO code or by name in English, Latvian or
Russian. Pure functions without the database; ``kam.imports.validators`` turns their answers
into cell errors.
"""

import gettext as gettext_module
import re
import unicodedata
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache

from django.conf import settings
from django.utils.translation import gettext_lazy

# How the dates of a file are written, chosen once per file (a mapping's ``date_format``,
# ``kam import --date-format``), never guessed per row: 03/04/2024 is the 3rd of April in
# Riga and the 4th of March in New York, and a file has one convention.
AUTO = "auto"
ISO = "iso"
DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
DATE_FORMATS = (AUTO, ISO, DAY_FIRST, MONTH_FIRST)
DATE_FORMAT_LABELS = {
    AUTO: gettext_lazy("YYYY-MM-DD or DD.MM.YYYY"),
    ISO: gettext_lazy("YYYY-MM-DD"),
    DAY_FIRST: gettext_lazy("DD.MM.YYYY, DD/MM/YYYY or DD-MM-YYYY"),
    MONTH_FIRST: gettext_lazy("MM/DD/YYYY"),
}

# A time of day after the date ("2009-12-01 07:45:00", "2009-12-01T07:45:00.123+02:00",
# "12/1/2010 8:26 AM"), with an optional offset from UTC (Z, +02:00, +0200, +02).
_TIME = (
    r"(?:[T ]\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?"
    r"\s*(?P<offset>Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})" + _TIME)
_DOTTED = re.compile(r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})" + _TIME)
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})([./-])(?P<month>\d{1,2})\2(?P<year>\d{4})" + _TIME)
_MONTH_FIRST = re.compile(r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})" + _TIME)
# Recognised in "auto" only to say which format to choose.
_SLASHED = re.compile(r"\d{1,2}/\d{1,2}/\d{4}" + _TIME)

_PATTERNS = {
    AUTO: (_ISO, _DOTTED),
    ISO: (_ISO,),
    DAY_FIRST: (_DAY_FIRST,),
    MONTH_FIRST: (_MONTH_FIRST,),
}


class AmbiguousDate(ValueError):
    """A slash date in a file whose date format is "auto": day-first or month-first?"""


def company_zone() -> tzinfo:
    """The company's time zone (``settings.TIME_ZONE``): a time without an offset is there."""
    return _zone(settings.TIME_ZONE)


@cache
def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def local_date(value: datetime) -> date:
    """The date of ``value`` in the company's zone: a naive time already is in it; an aware
    one (an offset, an XLSX cell written by a program) is converted first."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.date()
    return value.astimezone(company_zone()).date()


def _offset(text: str) -> tzinfo | None:
    if text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_match(m: re.Match, zone_name: str) -> date | None:
    try:
        day = date(int(m["year"]), int(m["month"]), int(m["day"]))
    except ValueError:
        return None
    if m["hour"] is None:
        return day
    hour, minute, second = int(m["hour"]), int(m["minute"]), int(m["second"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["ampm"].upper() == "PM" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    if m["offset"] is None:
        return day  # a naive time is in the company's zone already
    zone = _offset(m["offset"])
    if zone is None:
        return None
    moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
    return moment.astimezone(_zone(zone_name)).date()


def date_from_text(value: str, date_format: str = AUTO) -> date | None:
    """The date ``value`` writes in ``date_format``, or None. Raises ``AmbiguousDate`` for a
    slash date under "auto", ``ValueError`` for a format not in ``DATE_FORMATS``."""
    return _date_from_text(value, date_format, settings.TIME_ZONE)


@lru_cache(maxsize=8192)
def _date_from_text(value: str, date_format: str, zone_name: str) -> date | None:
    # Cached: a sales file repeats its dates (and its times) on every line of a document.
    try:
        patterns = _PATTERNS[date_format]
    except KeyError:
        raise ValueError(f"unknown date format {date_format!r}") from None
    for pattern in patterns:
        if m := pattern.fullmatch(value):
            return _from_match(m, zone_name)
    if date_format == AUTO and _SLASHED.fullmatch(value):
        raise AmbiguousDate(value)
    return None


# --- countries -----------------------------------------------------------------------------

# What exports write that ISO does not: old and short names, Latvian and Russian everyday
# names the ISO translations spell otherwise. Keys are normalised like every name.
_COUNTRY_ALIASES = {
    "eire": "IE",
    "rsa": "ZA",
    "usa": "US",
    "us": "US",
    "u s a": "US",
    "america": "US",
    "united states of america": "US",
    "asv": "US",
    "сша": "US",
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "anglija": "GB",
    "apvienota karaliste": "GB",
    "великобритания": "GB",
    "англия": "GB",
    "russia": "RU",
    "krievija": "RU",
    "россия": "RU",
    "рф": "RU",
    "korea": "KR",
    "south korea": "KR",
    "north korea": "KP",
    "czech republic": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "moldova": "MD",
    "vietnam": "VN",
    "laos": "LA",
    "iran": "IR",
    "syria": "SY",
    "taiwan": "TW",
    "macedonia": "MK",
    "ivory coast": "CI",
    "vatican": "VA",
    "turkey": "TR",
    "belarus": "BY",
    "byelorussia": "BY",
    "baltkrievija": "BY",
    "беларусь": "BY",
    "белоруссия": "BY",
    "uae": "AE",
    "оаэ": "AE",
    "чехия": "CZ",
    "молдавия": "MD",
    "корея": "KR",
    "южная корея": "KR",
}
# Words exports put where the country is not known: no country, not an error.
UNKNOWN_COUNTRY = frozenset({"unspecified", "unknown", "n/a", "none", "-", "?"})

_NOT_WORD = re.compile(r"[\s.'\u2019()\-]+")


def country_key(value: str) -> str:
    """A name as looked up: without diacritics, case or punctuation ("Īrija" is "irija",
    "U.S.A." is "u s a", "Соединённые Штаты" is "соединенные штаты")."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


@cache
def _countries() -> dict[str, str]:
    """Normalised name or code -> ISO alpha-2, built once from pycountry and its Latvian and
    Russian translations. A code wins over a name, a name over a short form ("Bolivia" from
    "Bolivia, Plurinational State of"); a short form two countries share is left out."""
    import pycountry

    translations = [gettext_module.NullTranslations()]
    for language in ("lv", "ru"):
        # A pycountry without that translation: English and the other language still work.
        with suppress(OSError):
            translations.append(
                gettext_module.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
            )
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    short: dict[str, set[str]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        codes[country.alpha_2.casefold()] = code
        codes[country.alpha_3.casefold()] = code
        for attribute in ("name", "official_name", "common_name"):
            english = getattr(country, attribute, None)
            if not english:
                continue
            for tr in translations:
                name = tr.gettext(english)
                names.setdefault(country_key(name), code)
                if ", " in name:  # "Korea, Republic of" -> "Korea"
                    short.setdefault(country_key(name.split(", ")[0]), set()).add(code)
    table = {k: next(iter(v)) for k, v in short.items() if len(v) == 1}
    table.update({country_key(k): v for k, v in _COUNTRY_ALIASES.items()})
    table.update(names)
    table.update(codes)
    return table


def country_code(value: str) -> str | None:
    """The ISO alpha-2 code of a country code (LV, LVA) or name (Latvia, Latvija, Латвия),
    "" for a word that says the country is unknown, None when not recognised."""
    key = country_key(value)
    if key in UNKNOWN_COUNTRY or value.strip() in UNKNOWN_COUNTRY:
        return ""
    return _countries().get(key)
