"""Real-world formats (issue 8 §3): dates with a time of day and a date format chosen once per
file, float-written client numbers, countries by name in English, Latvian and Russian."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.test import override_settings

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.imports.readers import CsvTable, XlsxTable
from kam.imports.services import import_sales
from kam.imports.validators import CellError, parse_country, parse_date
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product

HEADER = ["document_number", "line_number", "date", "client", "sku", "quantity", "revenue"]


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2009-12-01", date(2009, 12, 1)),
        ("2009-12-01 07:45:00", date(2009, 12, 1)),
        ("2009-12-01 23:59", date(2009, 12, 1)),
        ("2009-12-01T07:45:00", date(2009, 12, 1)),
        ("2009-12-01T07:45:00.250", date(2009, 12, 1)),
        # Riga is UTC+2 in December: 23:30 UTC is already the next day there.
        ("2009-12-01T23:30:00Z", date(2009, 12, 2)),
        ("2009-12-01T23:30:00+00:00", date(2009, 12, 2)),
        ("2009-12-01T07:45:00+02:00", date(2009, 12, 1)),
        # 01:30 in Tokyo is 18:30 of the day before in Riga.
        ("2009-12-02T01:30:00+0900", date(2009, 12, 1)),
        ("01.12.2009", date(2009, 12, 1)),
        ("01.12.2009 07:45", date(2009, 12, 1)),
    ],
)
def test_auto_reads_iso_and_dotted_dates_with_a_time(raw, expected):
    assert parse_date(raw) == expected


def test_a_naive_time_is_the_companys_time_whatever_the_zone():
    with override_settings(TIME_ZONE="America/New_York"):
        assert parse_date("2009-12-01 23:30:00") == date(2009, 12, 1)
        # The same moment with an offset is still the 1st in New York, the 2nd in Riga.
        assert parse_date("2009-12-01T23:30:00Z") == date(2009, 12, 1)
    assert parse_date("2009-12-01T23:30:00Z") == date(2009, 12, 2)


@pytest.mark.parametrize("raw", ["31/12/2024", "12/31/2024", "1/2/2024 08:00"])
def test_auto_refuses_a_slash_date_and_says_to_choose_the_format(raw):
    with pytest.raises(CellError) as caught:
        parse_date(raw)
    message = str(caught.value)
    assert "day-first" in message and "month-first" in message
    assert f'"{raw}" is not a date' in message


@pytest.mark.parametrize(
    ("date_format", "raw", "expected"),
    [
        ("day-first", "31.12.2024", date(2024, 12, 31)),
        ("day-first", "31/12/2024", date(2024, 12, 31)),
        ("day-first", "31-12-2024", date(2024, 12, 31)),
        ("day-first", "01/02/2024 17:05:00", date(2024, 2, 1)),
        ("month-first", "12/31/2024", date(2024, 12, 31)),
        ("month-first", "01/02/2024", date(2024, 1, 2)),
        ("month-first", "12/1/2010 8:26 PM", date(2010, 12, 1)),
        ("iso", "2024-12-31", date(2024, 12, 31)),
        ("iso", "2024-12-31 10:00:00", date(2024, 12, 31)),
    ],
)
def test_the_files_date_format(date_format, raw, expected):
    assert parse_date(raw, date_format) == expected


@pytest.mark.parametrize(
    ("date_format", "raw", "shown"),
    [
        ("iso", "31.12.2024", "YYYY-MM-DD"),
        ("day-first", "12/31/2024", "DD.MM.YYYY, DD/MM/YYYY or DD-MM-YYYY"),
        ("day-first", "31.12.2024/", "DD.MM.YYYY"),
        ("month-first", "31/12/2024", "MM/DD/YYYY"),
        ("month-first", "2024-12-31", "MM/DD/YYYY"),
        ("auto", "2024-12-01 25:00", "YYYY-MM-DD or DD.MM.YYYY"),
        ("auto", "2024-12-01 13:00 PM", "YYYY-MM-DD or DD.MM.YYYY"),
        ("auto", "2024-12-01T10:00+25:00", "YYYY-MM-DD or DD.MM.YYYY"),
        ("auto", "2024-02-30 10:00", "YYYY-MM-DD or DD.MM.YYYY"),
    ],
)
def test_a_date_not_in_the_files_format_is_refused_naming_the_format(date_format, raw, shown):
    with pytest.raises(CellError, match="is not a date") as caught:
        parse_date(raw, date_format)
    assert shown in str(caught.value)


def test_date_cells_of_a_workbook():
    assert parse_date(datetime(2009, 12, 1, 7, 45)) == date(2009, 12, 1)
    assert parse_date(date(2009, 12, 1)) == date(2009, 12, 1)
    # An aware cell (a program's workbook) is taken in the company's zone.
    assert parse_date(datetime(2009, 12, 1, 23, 30, tzinfo=UTC)) == date(2009, 12, 2)
    minus_five = timezone(timedelta(hours=-5))
    assert parse_date(datetime(2009, 12, 1, 20, 0, tzinfo=minus_five)) == date(2009, 12, 2)


# --- countries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("LV", "LV"),
        ("lv", "LV"),
        ("LVA", "LV"),
        ("Latvia", "LV"),
        ("Latvija", "LV"),
        ("Латвия", "LV"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Lielbritānija", "GB"),
        ("Великобритания", "GB"),
        ("EIRE", "IE"),
        ("Īrija", "IE"),
        ("irija", "IE"),
        ("RSA", "ZA"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("Соединённые Штаты", "US"),
        ("Соединенные штаты", "US"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Krievija", "RU"),
        ("Россия", "RU"),
        ("Vācija", "DE"),
        ("Германия", "DE"),
        ("  germany ", "DE"),
        ("Czech Republic", "CZ"),
        ("Korea", "KR"),
        ("Bolivia", "BO"),
        ("Unspecified", ""),
    ],
)
def test_countries_by_code_and_by_name(raw, code):
    assert parse_country(raw) == code


@pytest.mark.parametrize("raw", ["Atlantis", "Channel Islands", "European Community", "XX", "L"])
def test_an_unknown_country_is_refused_with_what_to_write(raw):
    with pytest.raises(CellError) as caught:
        parse_country(raw)
    assert str(caught.value) == (
        f'"{raw}" is not a country: write its two-letter code (e.g. LV) or its name in '
        "English, Latvian or Russian"
    )


# --- in a sales file -----------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    make_account(owner=None, registration_number="13085")
    make_product(sku="85048")
    return Account.objects.get(), Product.objects.get()


def test_an_erp_export_with_times_and_float_client_numbers(catalogue, csv_file):
    path = csv_file(
        [
            HEADER,
            ["489434", "1", "2009-12-01 07:45:00", "13085.0", "85048", "12", "83.40"],
            ["489434", "2", "2009-12-01T23:30:00+00:00", "13085.0", "85048", "6", "30"],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert result.ok, [str(e) for e in result.errors]
    days = dict(SalesLine.objects.values_list("line_number", "date"))
    assert days == {1: date(2009, 12, 1), 2: date(2009, 12, 2)}
    assert set(SalesLine.objects.values_list("account__registration_number", flat=True)) == {
        "13085"
    }


def test_a_workbook_with_date_time_cells_and_number_cells(catalogue, xlsx_file):
    path = xlsx_file(
        [
            HEADER,
            ["489434", 1, datetime(2009, 12, 1, 7, 45), 13085.0, 85048, 12, 83.4],
            ["489434", 2, datetime(2009, 12, 1, 7, 45), 13085, "85048", 6.0, 30],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert result.ok, [str(e) for e in result.errors]
    assert list(SalesLine.objects.order_by("line_number").values_list("date", "revenue")) == [
        (date(2009, 12, 1), Decimal("83.40")),
        (date(2009, 12, 1), Decimal("30")),
    ]


def test_slash_dates_need_the_files_date_format(catalogue, csv_file, monkeypatch):
    path = csv_file(
        [
            HEADER,
            ["489434", "1", "01/12/2009 07:45", "13085", "85048", "12", "83.40"],
            ["489434", "2", "13/12/2009", "13085", "85048", "6", "30"],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert [(e.line, e.column) for e in result.errors] == [(2, "date"), (3, "date")]
    assert "day-first (DD/MM/YYYY) or month-first (MM/DD/YYYY)" in result.errors[0].message
    assert SalesLine.objects.count() == 0

    # Chosen once for the file (a mapping's date_format): every row is read that way.
    monkeypatch.setattr(CsvTable, "date_format", "day-first", raising=False)
    result = import_sales(source=path, actor=None)
    assert result.ok, [str(e) for e in result.errors]
    assert sorted(SalesLine.objects.values_list("date", flat=True)) == [
        date(2009, 12, 1),
        date(2009, 12, 13),
    ]


def test_month_first_refuses_a_day_first_row_at_its_line(catalogue, xlsx_file, monkeypatch):
    monkeypatch.setattr(XlsxTable, "date_format", "month-first", raising=False)
    path = xlsx_file(
        [
            HEADER,
            ["489434", 1, "12/01/2009", "13085", "85048", 12, 83.4],
            ["489434", 2, "13/12/2009", "13085", "85048", 6, 30],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert [str(e) for e in result.errors] == [
        'line 3, column "date": "13/12/2009" is not a date (MM/DD/YYYY)'
    ]
    assert SalesLine.objects.count() == 0


def test_an_unknown_date_format_is_one_clear_error(catalogue, csv_file, monkeypatch):
    monkeypatch.setattr(CsvTable, "date_format", "yankee", raising=False)
    path = csv_file([HEADER, ["489434", "1", "2009-12-01", "13085", "85048", "12", "83.40"]])
    result = import_sales(source=path, actor=None)
    assert [(e.line, e.column) for e in result.errors] == [(None, "date_format")]
    assert "auto, iso, day-first, month-first" in result.errors[0].message
    assert SalesLine.objects.count() == 0
