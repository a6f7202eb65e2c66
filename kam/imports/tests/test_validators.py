"""Cell parsing: numbers with a decimal comma, dates in two forms, header checks."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from kam.imports.validators import (
    CellError,
    ErrorList,
    RowError,
    check_header,
    parse_date,
    parse_decimal,
    parse_int,
)

MONEY = {"places": 2, "max_digits": 18}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("-12,5", "-12.5"),
        ("1.234.567", "1234567"),
        (" 7 ", "7"),
        (12, "12"),
        (0.1, "0.1"),
        (Decimal("3.50"), "3.50"),
    ],
)
def test_numbers_with_point_or_comma(raw, expected):
    value = parse_decimal(raw, **MONEY)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12,x", '"12,x" is not a number'),
        ("1,2,3", '"1,2,3" is not a number'),
        ("NaN", '"NaN" is not a number'),
        ("1e5", '"1e5" is not a number'),
        ("12.345", '"12.345" has more than 2 decimal places'),
        ("1" * 17, "is too large"),
    ],
)
def test_bad_numbers_say_why(raw, reason):
    with pytest.raises(CellError) as exc:
        parse_decimal(raw, **MONEY)
    assert reason in str(exc.value)


def test_trailing_zeros_do_not_count_as_places():
    assert parse_decimal("10.500", **MONEY) == Decimal("10.5")


def test_minimum():
    with pytest.raises(CellError, match="less than 0"):
        parse_decimal("-1", places=4, max_digits=18, minimum=0)


def test_dates_iso_and_dotted():
    assert parse_date("2024-03-05") == date(2024, 3, 5)
    assert parse_date("05.03.2024") == date(2024, 3, 5)
    assert parse_date(datetime(2024, 3, 5, 0, 0)) == date(2024, 3, 5)
    for bad in ("31.02.2024", "2024/03/05", "03-05-2024", "yesterday"):
        with pytest.raises(CellError, match="is not a date"):
            parse_date(bad)


def test_whole_numbers():
    assert parse_int("3") == 3
    assert parse_int(3.0) == 3
    with pytest.raises(CellError, match="not a whole number"):
        parse_int("3.5")
    with pytest.raises(CellError, match="between"):
        parse_int("-1")


def test_error_reads_as_line_column_reason():
    error = RowError(7, "revenue", '"12,x" is not a number')
    assert str(error) == 'line 7, column "revenue": "12,x" is not a number'


def test_header_reports_missing_unknown_and_repeated_columns():
    errors = ErrorList()
    columns = check_header(
        ["SKU", "Name", "revnue", "name"],
        line=1,
        required=["sku", "name", "revenue"],
        optional=["unit"],
        errors=errors,
    )
    assert columns == {"sku": 0, "name": 1}
    text = [str(e) for e in errors.items]
    assert any('column "revnue": unknown column' in t and "revenue" in t for t in text)
    assert 'line 1, column "revenue": required column is missing' in text
    assert any('column "name": the column appears more than once' in t for t in text)


def test_error_list_counts_past_its_limit():
    errors = ErrorList(limit=2)
    for line in range(5):
        errors.add(line, None, "bad")
    assert errors.count == 5
    assert len(errors.items) == 2
