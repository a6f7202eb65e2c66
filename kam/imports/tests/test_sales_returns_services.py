"""Cancellations and service lines (issue 8 §3): a cancellation document's lines are returns
linked to the original document where it can be found; service lines (postage, freight) are
kept and flagged, or left out, as the options say."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from kam.catalog.models import Product
from kam.core.models import AuditEntry
from kam.imports.options import OptionError, SalesOptions
from kam.imports.services import import_sales
from kam.imports.services.sales import sales_options
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product

HEADER = ["document_number", "line_number", "date", "client", "sku", "quantity", "revenue"]
CANCEL = {"cancellation_prefix": "C"}


@pytest.fixture
def ledger(db):
    make_account(owner=None, registration_number="13085")
    make_product(sku="85048")
    make_product(sku="79323P")


def returns():
    return dict(
        SalesLine.objects.filter(quantity__lt=0).values_list("document_number", "returns_document")
    )


def snapshot():
    return (SalesLine.objects.count(), Product.objects.count(), AuditEntry.objects.count())


def test_a_cancellation_links_to_its_document_in_the_same_file(ledger, csv_file):
    path = csv_file(
        [
            HEADER,
            ["489434", "1", "2009-12-01", "13085", "85048", "12", "83.40"],
            ["C489434", "1", "2009-12-02", "13085", "85048", "-2", "-13.90"],
            ["C489434", "2", "2009-12-02", "13085", "79323P", "-1", "-6.75"],
            # Its original is nowhere: still a return, linked to nothing.
            ["C480000", "1", "2009-12-02", "13085", "85048", "-1", "-6.95"],
            # A negative quantity without the prefix is a return too, without a link.
            ["489440", "1", "2009-12-03", "13085", "85048", "-1", "-6.95"],
        ]
    )
    result = import_sales(source=path, actor=None, options=CANCEL)
    assert result.ok, [str(e) for e in result.errors]
    assert result.returns_linked == 2
    assert "2 returns linked to their document" in result.summary()
    assert returns() == {"C489434": "489434", "C480000": "", "489440": ""}


def test_a_cancellation_links_to_a_document_already_in_the_ledger(ledger, csv_file):
    first = csv_file(
        [HEADER, ["489434", "1", "2009-12-01", "13085", "85048", "12", "83.40"]], name="a.csv"
    )
    assert import_sales(source=first, actor=None).ok
    later = csv_file(
        [HEADER, ["C489434", "1", "2009-12-05", "13085", "85048", "-12", "-83.40"]],
        name="b.csv",
    )
    result = import_sales(source=later, actor=None, options=CANCEL)
    assert result.ok, [str(e) for e in result.errors]
    assert result.returns_linked == 1
    assert returns() == {"C489434": "489434"}
    # Re-imported, the same link: unchanged.
    again = import_sales(source=later, actor=None, options=CANCEL)
    assert (again.unchanged, again.returns_linked) == (1, 1)


def test_without_a_prefix_nothing_is_linked(ledger, csv_file):
    path = csv_file(
        [
            HEADER,
            ["489434", "1", "2009-12-01", "13085", "85048", "12", "83.40"],
            ["C489434", "1", "2009-12-02", "13085", "85048", "-2", "-13.90"],
        ]
    )
    result = import_sales(source=path, actor=None)
    assert result.ok and result.returns_linked == 0
    assert returns() == {"C489434": ""}


def test_a_cancellation_line_that_is_no_return_is_refused(ledger, csv_file):
    path = csv_file(
        [
            HEADER,
            ["489434", "1", "2009-12-01", "13085", "85048", "12", "83.40"],
            ["C489434", "1", "2009-12-02", "13085", "85048", "2", "13.90"],
            # Negative quantity but a positive revenue, as some exports write: the ledger's
            # rule refuses it rather than guess the sign.
            ["C489434", "2", "2009-12-02", "13085", "85048", "-2", "13.90"],
        ]
    )
    before = snapshot()
    result = import_sales(source=path, actor=None, options=CANCEL)
    assert [str(e) for e in result.errors] == [
        'line 3, column "quantity": document "C489434" is a cancellation (it starts with "C"): '
        "its lines are returns, with a negative quantity",
        'line 4, column "revenue": a return (negative quantity) has a negative or zero '
        "revenue; a sale has a positive quantity",
    ]
    assert result.returns_linked == 0
    assert snapshot() == before


POSTAGE = [
    HEADER,
    ["489434", "1", "2009-12-01", "13085", "85048", "12", "83.40"],
    ["489434", "2", "2009-12-01", "13085", "POST", "1", "18"],
    ["489434", "3", "2009-12-01", "13085", "DOT", "1", "5.50"],
]


def test_service_lines_kept_and_their_products_created_as_services(org, ledger, csv_file):
    options = {"create_missing": True, "service_skus": ["POST", "DOT"]}
    result = import_sales(source=csv_file(POSTAGE), actor=org.support_north, options=options)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.service_lines, result.skipped) == (3, 2, 0)
    assert "2 service lines" in result.summary()
    assert dict(
        Product.objects.filter(sku__in=["POST", "DOT"]).values_list("sku", "is_service")
    ) == {
        "POST": True,
        "DOT": True,
    }
    assert not Product.objects.get(sku="85048").is_service
    # In revenue all the same.
    assert sum(SalesLine.objects.values_list("revenue", flat=True)) == Decimal("106.90")


def test_an_existing_product_listed_as_a_service_is_flagged_and_audited(org, ledger, csv_file):
    post = make_product(sku="POST", name="Postage")
    make_product(sku="DOT", name="Dotcom postage", is_service=True)
    result = import_sales(
        source=csv_file(POSTAGE), actor=org.support_north, options={"service_skus": "POST"}
    )
    assert result.ok, [str(e) for e in result.errors]
    # DOT is flagged already: a service line without being listed.
    assert result.service_lines == 2
    post.refresh_from_db()
    assert post.is_service
    entry = AuditEntry.objects.get(
        entity="catalog.product", entity_id=str(post.pk), action="update"
    )
    assert (entry.actor, entry.changes) == (org.support_north, {"is_service": [False, True]})


def test_service_lines_excluded_are_not_written_nor_created(org, ledger, csv_file):
    make_product(sku="DOT", name="Dotcom postage", is_service=True)
    options = SalesOptions(
        create_missing=True, service_skus=frozenset({"POST"}), service_lines="exclude"
    )
    result = import_sales(source=csv_file(POSTAGE), actor=org.support_north, options=options)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows, result.created, result.skipped, result.service_lines) == (3, 1, 2, 0)
    assert "2 lines left out" in result.summary()
    assert list(SalesLine.objects.values_list("product__sku", flat=True)) == ["85048"]
    assert not Product.objects.filter(sku="POST").exists()


def test_an_excluded_line_is_still_checked(ledger, csv_file):
    rows = [row[:] for row in POSTAGE]
    rows[2][5] = "one"
    rows.append(["489434", "2", "2009-12-01", "13085", "POST", "1", "18"])
    options = {"service_skus": ["POST", "DOT"], "service_lines": "exclude"}
    before = snapshot()
    result = import_sales(source=csv_file(rows), actor=None, options=options)
    assert [str(e) for e in result.errors] == [
        'line 3, column "quantity": "one" is not a number',
        'line 5, column "line_number": document "489434" line 2 is already on line 3',
    ]
    assert snapshot() == before


def test_explicit_options_override_the_mappings():
    mapping = SimpleNamespace(
        options={"create_missing": True, "cancellation_prefix": "C", "service_skus": ["POST"]}
    )
    assert sales_options(None, mapping) == SalesOptions(
        create_missing=True, cancellation_prefix="C", service_skus=frozenset({"POST"})
    )
    merged = sales_options({"cancellation_prefix": "K"}, mapping)
    assert (merged.create_missing, merged.cancellation_prefix) == (True, "K")
    merged = sales_options(SalesOptions(service_lines="exclude"), mapping)
    assert (merged.cancellation_prefix, merged.service_lines) == ("C", "exclude")
    assert sales_options(None, None) == SalesOptions()
    with pytest.raises(OptionError):
        sales_options({"service_lines": "drop"}, mapping)


def test_a_bad_option_is_one_error_naming_it(ledger, csv_file):
    result = import_sales(source=csv_file(POSTAGE), actor=None, options={"service_lines": "drop"})
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (None, "options.service_lines", "must be one of: keep, exclude")
    ]
    assert SalesLine.objects.count() == 0
