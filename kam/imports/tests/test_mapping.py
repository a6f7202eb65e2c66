"""Column mappings (issue 8 §1): a mapping is read and refused entry by entry, a mapped file
reads as KAM's own columns with computed fields, errors name the file's columns, preview and
check-only write nothing, saved mappings are for who may import."""

import inspect
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.imports.mapping import FIELDS, BadCell, HeaderMismatch, Mapping, MappingError
from kam.imports.models import ImportMapping
from kam.imports.readers import open_table
from kam.imports.selectors.mappings import mapping_get, mapping_load, mappings_for
from kam.imports.services import import_clients, import_products, import_sales
from kam.imports.services.common import date_parser
from kam.imports.services.mappings import mapping_delete, mapping_save
from kam.imports.services.preview import preview
from kam.imports.validators import parse_date
from kam.sales.models import SalesLine

# The real-world export of issue 8: an online shop's invoice lines.
EXPORT_HEADER = [
    "Invoice",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "Price",
    "Customer ID",
    "Country",
]
EXPORT_ROWS = [
    ["489434", "85048", "15CM CHRISTMAS GLASS BALL 20 LIGHTS", "12", "2009-12-01 07:45:00",
     "6.95", "13085.0", "United Kingdom"],
    ["489434", "79323P", "PINK CHERRY LIGHTS", "12", "2009-12-01 07:45:00", "6.75", "13085.0",
     "United Kingdom"],
    ["489435", "22350", "CAT BOWL", "3", "2009-12-01 07:46:00", "2.955", "13085.0",
     "United Kingdom"],
    ["489434", "22041", "RECORD FRAME", "48", "2009-12-01 07:45:00", "2.10", "13085.0",
     "United Kingdom"],
]  # fmt: skip
SALES_MAPPING = {
    "kind": "sales",
    "columns": {
        "Invoice": "document_number",
        "StockCode": "sku",
        "Description": "product_name",
        "Quantity": "quantity",
        "InvoiceDate": "date",
        "Customer ID": "client",
        "Country": "client_country",
        "Price": "",
    },
    "computed": {
        "revenue": {"multiply": ["Quantity", "Price"]},
        "line_number": {"position_in": "document_number"},
    },
    "options": {"create_missing": True},
}
CLIENTS_MAPPING = {
    "kind": "clients",
    "columns": {"Customer ID": "registration_number", "Name": "legal_name", "Status": "status"},
}


def refused(data, kind=None) -> MappingError:
    with pytest.raises(MappingError) as caught:
        Mapping.from_dict(data, kind=kind)
    return caught.value


def rows_of(table):
    return list(table.rows())


# --- reading a mapping ----------------------------------------------------------------------


def test_a_mapping_reads_back_as_it_was_written():
    mapping = Mapping.from_dict(SALES_MAPPING)
    assert mapping.kind == "sales"
    assert mapping.columns["Customer ID"] == "client"
    assert mapping.columns["Price"] == ""
    assert mapping.options["create_missing"] is True
    again = Mapping.from_dict(mapping.to_dict())
    assert again == mapping
    assert again.to_dict()["date_format"] == "auto"


@pytest.mark.parametrize(
    ("data", "entry", "words"),
    [
        ([1, 2], "mapping", "JSON object"),
        ({**CLIENTS_MAPPING, "colums": {}}, "colums", "unknown entry"),
        ({"kind": "orders", "columns": {}}, "kind", "must be one of"),
        (
            {"kind": "clients", "columns": {"Customer ID": "registration_number", "N": "nme"}},
            "columns.N",
            '"nme" is not a KAM field',
        ),
        (
            {
                "kind": "clients",
                "columns": {
                    "Customer ID": "registration_number",
                    "Name": "legal_name",
                    "Company": "legal_name",
                },
            },
            "columns.Company",
            '"legal_name" is already mapped from column "Name"',
        ),
        (
            {"kind": "clients", "columns": {"Customer ID": "registration_number"}},
            "columns",
            '"legal_name" is neither mapped from a column nor computed',
        ),
        ({**CLIENTS_MAPPING, "date_format": "dd/mm"}, "date_format", "day-first"),
        ({**CLIENTS_MAPPING, "options": {"create_missing": True}}, "options", "only a sales"),
        (
            {**SALES_MAPPING, "options": {"service_lines": "drop"}},
            "options.service_lines",
            "keep, exclude",
        ),
        (
            {**SALES_MAPPING, "options": {"create_missng": True}},
            "options.create_missng",
            "unknown option",
        ),
        (
            {**SALES_MAPPING, "computed": {**SALES_MAPPING["computed"], "revenue": {"sum": []}}},
            "computed.revenue",
            'unknown computation "sum"',
        ),
        (
            {**SALES_MAPPING, "computed": {"revenue": {"multiply": ["Quantity"]}}},
            "computed.revenue",
            "two file columns",
        ),
        (
            {
                **SALES_MAPPING,
                "computed": {
                    **SALES_MAPPING["computed"],
                    "line_number": {"multiply": ["Quantity", "Price"]},
                },
            },
            "computed.line_number",
            "only revenue, cost, quantity, standard_cost",
        ),
        (
            {
                **SALES_MAPPING,
                "computed": {**SALES_MAPPING["computed"], "cost": {"position_in": "x"}},
            },
            "computed.cost",
            "numbered by position",
        ),
        (
            {
                **SALES_MAPPING,
                "computed": {**SALES_MAPPING["computed"], "quantity": {"multiply": ["A", "B"]}},
            },
            "computed.quantity",
            'already mapped from column "Quantity"',
        ),
    ],
)
def test_a_bad_mapping_is_refused_naming_its_entry(data, entry, words):
    error = refused(data)
    assert error.entry == entry
    assert words in error.message


def test_the_kind_must_match_the_import():
    assert refused(CLIENTS_MAPPING, kind="sales").entry == "kind"
    assert Mapping.from_dict({"columns": CLIENTS_MAPPING["columns"]}, kind="clients").kind == (
        "clients"
    )


def test_every_kind_has_its_importers_required_fields():
    required = {kind: [f.name for f in fields if f.required] for kind, fields in FIELDS.items()}
    assert required["clients"] == ["registration_number", "legal_name"]
    assert required["products"] == ["sku", "name"]
    assert required["sales"] == [
        "document_number", "line_number", "date", "client", "sku", "quantity", "revenue",
    ]  # fmt: skip
    assert "cost" in [f.name for f in FIELDS["sales"]]


# --- a mapped file ------------------------------------------------------------------------------


def test_a_sales_like_export_reads_as_kams_fields(csv_file):
    mapping = Mapping.from_dict(SALES_MAPPING)
    table = mapping.apply(open_table(csv_file([EXPORT_HEADER, *EXPORT_ROWS])))
    (header_line, header), *data = rows_of(table)
    assert header_line == 1
    assert header == (
        "document_number", "line_number", "date", "client", "sku", "quantity", "revenue",
        "client_country", "product_name",
    )  # fmt: skip
    first = dict(zip(header, data[0][1], strict=True))
    assert first["document_number"] == "489434"
    assert first["client"] == "13085.0"  # the importer reads it as 13085 (parse_id)
    assert first["date"] == "2009-12-01 07:45:00"
    assert first["client_country"] == "United Kingdom"
    # Revenue = Quantity x Price, exact; 3 x 2.955 = 8.865 rounds half-up to cents.
    assert [row[1][6] for row in data] == [
        Decimal("83.40"), Decimal("81.00"), Decimal("8.87"), Decimal("100.80"),
    ]  # fmt: skip
    # Line numbers count within each document in file order, wherever its lines are.
    assert [(row[1][0], row[1][1]) for row in data] == [
        ("489434", 1), ("489434", 2), ("489435", 1), ("489434", 3),
    ]  # fmt: skip
    assert table.labels["client"] == "Customer ID"
    assert table.labels["revenue"] == "Quantity \u00d7 Price"
    assert table.labels["line_number"] == "line_number (position in Invoice)"
    # Read twice (the sales importer checks, then writes): the same numbers again.
    assert rows_of(table) == [(header_line, header), *data]


def test_header_matching_is_exact_after_trimming_then_case_insensitive(csv_file):
    mapping = Mapping.from_dict(
        {"kind": "clients", "columns": {"customer id": "registration_number", "NAME": "legal_name"}}
    )
    path = csv_file([["  Customer ID ", "Name", "name ", "Other"], ["13085.0", "Alfa", "x", "y"]])
    with pytest.raises(HeaderMismatch) as caught:
        rows_of(mapping.apply(open_table(path)))
    problems = caught.value
    # "NAME" is both "Name" and "name " once case is ignored: ambiguous, not guessed.
    assert [p.entry for p in problems.problems] == ["columns.NAME"]
    assert "2 columns" in problems.problems[0].message
    exact = Mapping.from_dict(
        {"kind": "clients", "columns": {"customer id": "registration_number", "Name": "legal_name"}}
    )
    (_, header), (_, cells) = rows_of(exact.apply(open_table(path)))
    assert header == ("registration_number", "legal_name")
    assert cells == ("13085.0", "Alfa")  # unmapped columns are left out


def test_columns_the_file_lacks_are_all_named(csv_file):
    data = {
        **SALES_MAPPING,
        "columns": {**SALES_MAPPING["columns"], "Customer ID": "", "CustomerID": "client"},
        "computed": {**SALES_MAPPING["computed"], "revenue": {"multiply": ["Qty", "Price"]}},
    }
    table = Mapping.from_dict(data).apply(open_table(csv_file([EXPORT_HEADER, *EXPORT_ROWS])))
    with pytest.raises(HeaderMismatch) as caught:
        rows_of(table)
    assert caught.value.line == 1
    assert [(p.entry, p.message.split(";")[0]) for p in caught.value.problems] == [
        ("columns.CustomerID", 'the file has no column "CustomerID"'),
        ("computed.revenue", 'the file has no column "Qty"'),
    ]
    assert "Customer ID" in caught.value.problems[0].message  # what the file has instead


def test_a_computed_input_that_is_not_a_number_is_a_bad_cell(csv_file):
    rows = [EXPORT_HEADER, [*EXPORT_ROWS[0][:5], "6,95 EUR", *EXPORT_ROWS[0][6:]]]
    table = Mapping.from_dict(SALES_MAPPING).apply(open_table(csv_file(rows)))
    (_, header), (_, cells) = rows_of(table)
    cell = cells[header.index("revenue")]
    assert isinstance(cell, BadCell)
    assert cell.message == 'column "Price": "6,95 EUR" is not a number'


def test_an_xlsx_export_keeps_its_numbers_and_dates(xlsx_file):
    from datetime import datetime

    path = xlsx_file(
        [EXPORT_HEADER, [489434, "85048", "BALL", 12, datetime(2009, 12, 1, 7, 45), 6.95,
                         13085.0, "United Kingdom"]]
    )  # fmt: skip
    table = Mapping.from_dict(SALES_MAPPING).apply(open_table(path))
    (_, header), (_, cells) = rows_of(table)
    row = dict(zip(header, cells, strict=True))
    assert row["revenue"] == Decimal("83.40")
    assert row["line_number"] == 1
    assert row["date"] == datetime(2009, 12, 1, 7, 45)


# --- importing through a mapping ------------------------------------------------------------


def clients_export(csv_file, *rows):
    return csv_file([["Customer ID", "Name", "Status", "Notes"], *rows], name="customers.csv")


def test_clients_import_through_a_mapping(org, csv_file):
    path = clients_export(csv_file, ["13085.0", "Alfa SIA", "active", "ignored"])
    result = import_clients(
        source=path, actor=org.director, mapping=Mapping.from_dict(CLIENTS_MAPPING)
    )
    assert result.ok, result.errors
    assert result.created == 1
    assert Account.objects.get().registration_number == "13085"  # not "13085.0"


def test_errors_name_the_files_columns(org, csv_file):
    path = clients_export(csv_file, ["13085", "", "sleeping", ""])
    result = import_clients(
        source=path, actor=org.director, mapping=Mapping.from_dict(CLIENTS_MAPPING)
    )
    assert [str(e) for e in result.errors] == [
        'line 2, column "Name": a value is required',
        'line 2, column "Status": "sleeping" is not one of: potential, active, inactive, lost',
    ]
    assert Account.objects.count() == 0


def test_a_row_longer_than_the_files_header_is_an_error(org, csv_file):
    path = clients_export(csv_file, ["13085", "Alfa", "active", "", "stray"])
    result = import_clients(
        source=path, actor=org.director, mapping=Mapping.from_dict(CLIENTS_MAPPING)
    )
    assert [str(e) for e in result.errors] == [
        "line 2: the row has more cells than the header has columns"
    ]


def test_a_mapped_column_the_file_lacks_changes_nothing(org, csv_file):
    path = csv_file([["Customer ID", "Company"], ["13085", "Alfa"]])
    result = import_clients(
        source=path, actor=org.director, mapping=Mapping.from_dict(CLIENTS_MAPPING)
    )
    assert [(e.line, e.column) for e in result.errors] == [
        (1, "mapping: columns.Name"),
        (1, "mapping: columns.Status"),
    ]
    assert result.errors[0].message.startswith('the file has no column "Name"')
    assert Account.objects.count() == 0
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_mapping_of_another_kind_is_refused(org, csv_file):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    result = import_products(
        source=path, actor=org.director, mapping=Mapping.from_dict(CLIENTS_MAPPING)
    )
    assert [(e.column, e.message) for e in result.errors] == [
        ("mapping: kind", "the mapping is for clients, not for products")
    ]


PRODUCTS_MAPPING = {
    "kind": "products",
    "columns": {"StockCode": "sku", "Description": "name", "Launched": "launched_on"},
    "computed": {"standard_cost": {"multiply": ["Unit cost", "Factor"]}},
}


def test_products_cost_computed_and_a_bad_input_reported_at_the_computed_label(org, csv_file):
    header = ["StockCode", "Description", "Unit cost", "Factor", "Launched"]
    good = csv_file([header, ["85048", "Ball", "2.5", "1.5", "2024-03-01"]], name="ok.csv")
    result = import_products(
        source=good, actor=org.director, mapping=Mapping.from_dict(PRODUCTS_MAPPING)
    )
    assert result.ok, result.errors
    product = Product.objects.get(sku="85048")
    assert product.standard_cost == Decimal("3.75")
    assert str(product.launched_on) == "2024-03-01"

    bad = csv_file([header, ["22350", "Bowl", "2.5", "n/a", ""]], name="bad.csv")
    result = import_products(
        source=bad, actor=org.director, mapping=Mapping.from_dict(PRODUCTS_MAPPING)
    )
    assert [str(e) for e in result.errors] == [
        'line 2, column "Unit cost \u00d7 Factor": column "Factor": "n/a" is not a number'
    ]
    assert not Product.objects.filter(sku="22350").exists()


@pytest.mark.skipif(
    date_parser(type("T", (), {"date_format": "day-first"})()) is parse_date,
    reason="validators.parse_date has no date_format yet (helper salesimport)",
)
def test_products_launch_dates_in_the_mappings_date_format(org, csv_file):
    path = csv_file([["StockCode", "Description", "Launched"], ["A-1", "Ball", "01/03/2024"]])
    data = {**PRODUCTS_MAPPING, "computed": {}, "date_format": "day-first"}
    result = import_products(source=path, actor=org.director, mapping=Mapping.from_dict(data))
    assert result.ok, result.errors
    assert str(Product.objects.get().launched_on) == "2024-03-01"


def test_check_only_counts_and_writes_nothing(org, csv_file):
    audited = AuditEntry.objects.count()
    path = clients_export(csv_file, ["13085", "Alfa", "", ""], ["13086", "Beta", "", ""])
    result = import_clients(
        source=path,
        actor=org.director,
        mapping=Mapping.from_dict(CLIENTS_MAPPING),
        check_only=True,
    )
    assert result.ok and result.checked_only
    assert (result.rows, result.created) == (2, 2)
    assert "(checked only: nothing was written)" in result.summary()
    assert len(result.checksum) == 64
    assert Account.objects.count() == 0
    assert AuditEntry.objects.count() == audited


def test_a_file_over_the_size_limit_is_refused(org, tmp_path, settings):
    settings.KAM_IMPORT_MAX_MB = 1
    path = tmp_path / "clients.csv"
    # Some 1.2 MB: one client, then blank lines (skipped by the reader, counted by the limit).
    path.write_text("registration_number,legal_name\n40003000001,Alfa\n" + "\n" * 1_250_000)
    result = import_clients(source=path, actor=org.director)
    assert [(e.line, e.column) for e in result.errors] == [(None, None)]
    assert "larger than the limit of 1 MB" in result.errors[0].message
    assert "KAM_IMPORT_MAX_MB" in result.errors[0].message
    assert Account.objects.count() == 0
    with path.open("rb") as upload:  # a file object (an upload) is measured too
        assert not import_clients(source=upload, name="clients.csv", actor=org.director).ok
    settings.KAM_IMPORT_MAX_MB = 2
    assert import_clients(source=path, actor=org.director).created == 1


# --- the preview ------------------------------------------------------------------------------


def test_preview_shows_the_first_rows_as_kam_reads_them(org, csv_file):
    path = clients_export(
        csv_file,
        ["13085.0", "Alfa", "active", "a"],
        ["13086", "", "sleeping", "b"],
        ["13087", "Gamma", "", "c"],
    )
    shown = preview("clients", path, mapping=Mapping.from_dict(CLIENTS_MAPPING),
                    actor=org.support_north, rows=2)  # fmt: skip
    data = shown.to_dict()
    assert data["columns"] == ["Customer ID", "Name", "Status", "Notes"]
    assert data["fields"] == ["registration_number", "legal_name", "status"]
    assert [r["line"] for r in data["rows"]] == [2, 3]
    assert data["rows"][0]["cells"] == {
        "registration_number": "13085.0",
        "legal_name": "Alfa",
        "status": "active",
    }
    assert data["rows"][0]["errors"] == []
    assert data["rows"][1]["errors"] == [
        {"column": "Name", "message": "a value is required"},
        {
            "column": "Status",
            "message": '"sleeping" is not one of: potential, active, inactive, lost',
        },
    ]
    assert data["error"] == "" and data["ok"] is False
    assert Account.objects.count() == 0  # the preview ran the check only


def test_preview_names_the_mapping_entry_the_file_lacks(org, csv_file):
    path = csv_file([["Customer ID", "Company"], ["13085", "Alfa"]])
    shown = preview("clients", path, mapping=Mapping.from_dict(CLIENTS_MAPPING), actor=org.director)
    assert shown.error.startswith('columns.Name: the file has no column "Name"')
    assert shown.columns == ["Customer ID", "Company"]  # for the page's drop-downs
    assert "columns.Status" in shown.error
    assert shown.rows == []


@pytest.mark.skipif(
    "check_only" not in inspect.signature(import_sales).parameters,
    reason="the sales importer takes mapping and check_only from helper salesimport",
)
def test_preview_of_the_real_world_export(org, csv_file):
    rows = [*EXPORT_ROWS, ["489436", "21755", "BLOCK", "18", "2009-12-01 09:06:00", "5,45x",
                           "13078.0", "United Kingdom"]]  # fmt: skip
    path = csv_file([EXPORT_HEADER, *rows])
    shown = preview("sales", path, mapping=Mapping.from_dict(SALES_MAPPING), actor=org.director)
    assert shown.columns == EXPORT_HEADER
    assert [r["cells"]["revenue"] for r in shown.rows] == ["83.40", "81.00", "8.87", "100.80", ""]
    assert [r["cells"]["line_number"] for r in shown.rows] == ["1", "2", "1", "3", "1"]
    assert [r["errors"] for r in shown.rows[:4]] == [[], [], [], []]
    assert shown.rows[4]["errors"] == [
        {"column": "Quantity \u00d7 Price", "message": 'column "Price": "5,45x" is not a number'}
    ]
    assert shown.error == ""
    assert SalesLine.objects.count() == 0 and Account.objects.count() == 0


def test_preview_is_for_who_may_import(org, csv_file):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    with pytest.raises(PermissionDenied):
        preview("clients", path, mapping=Mapping.from_dict(CLIENTS_MAPPING), actor=org.kam_anna)
    assert preview("clients", path, mapping=None, actor=org.director).error.startswith("line 1")


# --- saved mappings ---------------------------------------------------------------------------


def test_a_mapping_is_saved_replaced_and_deleted_with_an_audit_trail(org):
    mapping = Mapping.from_dict(CLIENTS_MAPPING)
    saved = mapping_save(actor=org.support_north, name=" erp-nightly ", mapping=mapping)
    assert (saved.name, saved.kind, saved.created_by) == (
        "erp-nightly",
        "clients",
        org.support_north,
    )
    assert mapping_load(org.director, "erp-nightly") == mapping
    other = Mapping.from_dict({**CLIENTS_MAPPING, "date_format": "iso"})
    assert mapping_save(actor=org.director, name="erp-nightly", mapping=other).pk == saved.pk
    assert mapping_load(org.support_north, "erp-nightly").date_format == "iso"
    mapping_delete(actor=org.director, name="erp-nightly")
    assert not ImportMapping.objects.exists()
    trail = list(
        AuditEntry.objects.filter(entity="imports.importmapping")
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert trail == [
        ("create", "support_north"),
        ("update", "director"),
        ("delete", "director"),
    ]


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "erp\x00nightly", "erp\tnightly", None])
def test_a_mapping_name_is_one_to_64_printable_characters(org, name):
    with pytest.raises(ValidationError):
        mapping_save(actor=org.director, name=name, mapping=Mapping.from_dict(CLIENTS_MAPPING))
    assert not ImportMapping.objects.exists()


def test_only_who_may_import_saves_sees_and_deletes_mappings(org):
    with pytest.raises(PermissionDenied):
        mapping_save(actor=org.kam_anna, name="mine", mapping=Mapping.from_dict(CLIENTS_MAPPING))
    mapping_save(actor=org.director, name="erp", mapping=Mapping.from_dict(CLIENTS_MAPPING))
    assert [m.name for m in mappings_for(org.support_north)] == ["erp"]
    assert list(mappings_for(org.kam_anna)) == []
    # A mapping the user may not use is "not found", exactly like one that does not exist.
    for name in ("erp", "missing"):
        with pytest.raises(Http404):
            mapping_get(org.kam_anna, name)
    with pytest.raises(Http404):
        mapping_get(org.director, "missing")
    with pytest.raises(PermissionDenied):
        mapping_delete(actor=org.kam_anna, name="erp")
    assert ImportMapping.objects.filter(name="erp").exists()
