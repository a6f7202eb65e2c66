"""Cost is optional (issue 8 §3): an export without a cost column, or a line with an empty
cost, is imported with cost 0 and its income marked unknown (``cost_known`` False)."""

from decimal import Decimal

import pytest

from kam.imports.services import import_sales
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product

HEADER = ["document_number", "line_number", "date", "client", "sku", "quantity", "revenue"]


@pytest.fixture
def ledger(db):
    make_account(owner=None, registration_number="40003000001")
    make_product(sku="A-1")


def lines():
    return list(
        SalesLine.objects.order_by("document_number", "line_number").values_list(
            "document_number", "line_number", "revenue", "cost", "cost_known"
        )
    )


def test_an_export_without_a_cost_column(ledger, csv_file):
    path = csv_file(
        [
            HEADER,
            ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100.50"],
            ["INV-1", "2", "2024-01-15", "40003000001", "A-1", "-1", "-20"],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.without_cost) == (2, 2)
    assert "2 lines without cost (income unknown)" in result.summary()
    assert lines() == [
        ("INV-1", 1, Decimal("100.50"), Decimal("0"), False),
        ("INV-1", 2, Decimal("-20"), Decimal("0"), False),
    ]
    assert SalesLine.objects.get(line_number=1).cost_base == 0


def test_an_empty_cost_cell_is_unknown_and_a_given_one_known(ledger, csv_file):
    path = csv_file(
        [
            [*HEADER, "cost"],
            ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100", "60"],
            ["INV-1", "2", "2024-01-15", "40003000001", "A-1", "1", "50", ""],
            ["INV-1", "3", "2024-01-15", "40003000001", "A-1", "1", "50", "0"],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert result.ok, [str(e) for e in result.errors]
    assert result.without_cost == 1
    assert lines() == [
        ("INV-1", 1, Decimal("100"), Decimal("60"), True),
        ("INV-1", 2, Decimal("50"), Decimal("0"), False),
        # A cost of 0 written in the file is a known cost of 0 (a free sample).
        ("INV-1", 3, Decimal("50"), Decimal("0"), True),
    ]


def test_reimport_unchanged_and_a_cost_that_became_known(ledger, csv_file):
    without = csv_file(
        [HEADER, ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100"]],
        name="without.csv",
    )
    assert import_sales(source=without, actor=None).created == 1
    again = import_sales(source=without, actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    with_cost = csv_file(
        [[*HEADER, "cost"], ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100", "0"]],
        name="with.csv",
    )
    # Same amounts, but now the cost is known to be 0: the line changes.
    result = import_sales(source=with_cost, actor=None)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert lines() == [("INV-1", 1, Decimal("100"), Decimal("0"), True)]
    # And back: an export without cost makes it unknown again.
    result = import_sales(source=without, actor=None)
    assert result.updated == 1
    assert lines() == [("INV-1", 1, Decimal("100"), Decimal("0"), False)]


def test_a_bad_cost_is_still_an_error_and_nothing_is_written(ledger, csv_file):
    path = csv_file(
        [
            [*HEADER, "cost"],
            ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2", "100", ""],
            ["INV-1", "2", "2024-01-15", "40003000001", "A-1", "2", "100", "6o"],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert [str(e) for e in result.errors] == ['line 3, column "cost": "6o" is not a number']
    assert (result.created, result.without_cost) == (0, 0)
    assert SalesLine.objects.count() == 0


def test_the_required_columns_no_longer_include_cost(ledger, csv_file):
    path = csv_file([HEADER[:-1], ["INV-1", "1", "2024-01-15", "40003000001", "A-1", "2"]])
    result = import_sales(source=path, actor=None)
    assert [str(e) for e in result.errors] == [
        'line 1, column "revenue": required column is missing'
    ]
