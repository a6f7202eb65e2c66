"""``kam import --mapping/--mapping-name/--save-mapping/--check/--format json`` and ``kam
import-mapping list|show|delete`` (issue 8 §1): a bad mapping is one line and status 1, saved
mappings are for who may import."""

import inspect
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.catalog.models import Product
from kam.cli import main
from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.imports.mapping import Mapping
from kam.imports.models import ImportMapping
from kam.imports.services import import_sales
from kam.imports.services.mappings import mapping_save
from kam.imports.tests.test_mapping import (
    CLIENTS_MAPPING,
    EXPORT_HEADER,
    EXPORT_ROWS,
    SALES_MAPPING,
    clients_export,
)
from kam.sales.models import SalesLine


def run(*args, command="import"):
    out, err = StringIO(), StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def mapping_file(tmp_path):
    def write(content, name="mapping.json"):
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return write


def test_import_through_a_mapping_file(org, csv_file, mapping_file):
    path = clients_export(csv_file, ["13085.0", "Alfa SIA", "active", "x"])
    out, _ = run("clients", path, "--user", "director", "--mapping", mapping_file(CLIENTS_MAPPING))
    assert out.strip() == "clients: 1 rows, 1 created, 0 updated, 0 unchanged"
    assert Account.objects.get().registration_number == "13085"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "mapping.json: the mapping is not JSON ("),
        ("[1, 2]", 'mapping.json: mapping entry "mapping": a mapping must be a JSON object'),
        (
            {**CLIENTS_MAPPING, "columns": {"Customer ID": "registration_number", "N": "nme"}},
            'mapping.json: mapping entry "columns.N": "nme" is not a KAM field of clients',
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
            'mapping entry "columns.Company": "legal_name" is already mapped from column "Name"',
        ),
        ({**CLIENTS_MAPPING, "kind": "sales"}, 'mapping entry "kind": this is a mapping for sales'),
    ],
)
def test_a_bad_mapping_file_is_one_line_and_imports_nothing(
    org, csv_file, mapping_file, content, message
):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    with pytest.raises(CommandError) as caught:
        run("clients", path, "--system", "--mapping", mapping_file(content))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert Account.objects.count() == 0


def test_a_missing_mapping_file_is_one_line(org, csv_file, tmp_path):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    with pytest.raises(CommandError, match="cannot read the mapping: No such file"):
        run("clients", path, "--system", "--mapping", tmp_path / "nope.json")


def test_a_column_the_file_lacks_is_reported_on_line_1(org, csv_file, mapping_file):
    path = csv_file([["Customer ID", "Company"], ["13085", "Alfa"]])
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command(
            "import", "clients", str(path), "--system", "--mapping",
            str(mapping_file(CLIENTS_MAPPING)), stdout=StringIO(), stderr=err,
        )  # fmt: skip
    assert 'line 1, column "mapping: columns.Name": the file has no column "Name"' in (
        err.getvalue()
    )
    assert Account.objects.count() == 0


def test_save_a_mapping_then_import_by_its_name(org, csv_file, mapping_file):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    _, err = run(
        "clients", path, "--user", "support_north", "--mapping", mapping_file(CLIENTS_MAPPING),
        "--save-mapping", "erp-nightly", "--check",
    )  # fmt: skip
    assert "mapping saved as erp-nightly" in err
    assert ImportMapping.objects.get().spec == Mapping.from_dict(CLIENTS_MAPPING).to_dict()
    assert Account.objects.count() == 0  # --check wrote nothing
    out, _ = run("clients", path, "--user", "director", "--mapping-name", "erp-nightly")
    assert "1 created" in out
    assert Account.objects.get().legal_name == "Alfa"


def test_a_kam_may_not_save_or_use_a_mapping(org, csv_file, mapping_file):
    mapping_save(actor=org.director, name="erp", mapping=Mapping.from_dict(CLIENTS_MAPPING))
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    with pytest.raises(CommandError, match="Only a director, an administrator or sales support"):
        run(
            "clients", path, "--user", "kam_anna", "--mapping", mapping_file(CLIENTS_MAPPING),
            "--save-mapping", "mine",
        )  # fmt: skip
    # A saved mapping is invisible to who may not import: "no such mapping", as for a typo.
    with pytest.raises(CommandError, match='no saved mapping named "erp"'):
        run("clients", path, "--user", "kam_anna", "--mapping-name", "erp")
    with pytest.raises(CommandError, match='no saved mapping named "erq"'):
        run("clients", path, "--user", "director", "--mapping-name", "erq")
    assert list(ImportMapping.objects.values_list("name", flat=True)) == ["erp"]
    assert Account.objects.count() == 0


def test_save_mapping_needs_a_mapping_file_and_a_good_name(org, csv_file, mapping_file):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    with pytest.raises(CommandError, match="saves the file given with --mapping"):
        run("clients", path, "--system", "--save-mapping", "x")
    with pytest.raises(CommandError, match="1 to 64 printable characters"):
        run(
            "clients", path, "--system", "--mapping", mapping_file(CLIENTS_MAPPING),
            "--save-mapping", "x" * 65,
        )  # fmt: skip
    assert not ImportMapping.objects.exists()


def test_format_json_prints_the_result_and_fails_with_errors(org, csv_file, mapping_file):
    good = clients_export(csv_file, ["13085", "Alfa", "", ""])
    out, _ = run(
        "clients", good, "--system", "--mapping", mapping_file(CLIENTS_MAPPING), "--check",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert (data["ok"], data["checked_only"], data["created"]) == (True, True, 1)
    assert len(data["checksum"]) == 64
    bad = csv_file([["Customer ID", "Name", "Status"], ["13085", "", ""]], name="bad.csv")
    out = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command(
            "import", "clients", str(bad), "--system", "--mapping",
            str(mapping_file(CLIENTS_MAPPING)), "--format", "json", stdout=out, stderr=StringIO(),
        )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["ok"] is False
    assert data["errors"] == [{"line": 2, "column": "Name", "message": "a value is required"}]
    assert Account.objects.count() == 0


def test_date_format_without_a_mapping(org, csv_file):
    path = csv_file([["sku", "name", "launched_on"], ["A-1", "Ball", "2024-03-01"]])
    out, _ = run("products", path, "--system", "--date-format", "iso")
    assert "1 created" in out
    assert str(Product.objects.get().launched_on) == "2024-03-01"


def test_sales_options_are_for_sales(org, csv_file):
    path = clients_export(csv_file, ["13085", "Alfa", "", ""])
    with pytest.raises(CommandError, match="sales options are for sales"):
        run("clients", path, "--system", "--create-missing")


def test_a_bad_sales_option_is_one_line(org, csv_file):
    path = csv_file([EXPORT_HEADER, *EXPORT_ROWS])
    with pytest.raises(CommandError, match="--cancellation-prefix: must be a short text"):
        run("sales", path, "--system", "--cancellation-prefix", "C" * 20)


@pytest.mark.skipif(
    "options" not in inspect.signature(import_sales).parameters,
    reason="the sales importer takes mapping and options from helper salesimport",
)
def test_the_real_world_export_in_one_go(org, csv_file, mapping_file):
    """Issue 8: the shop's export, clients and products created from it, revenue = Quantity x
    Price, line numbers by position in the invoice."""
    path = csv_file([EXPORT_HEADER, *EXPORT_ROWS], name="online_retail.csv")
    data = {**SALES_MAPPING, "options": {}}
    out, _ = run(
        "sales", path, "--user", "director", "--mapping", mapping_file(data), "--create-missing",
        "--format", "json",
    )  # fmt: skip
    result = json.loads(out)
    assert result["ok"], result["errors"]
    assert (result["created"], result["clients_created"], result["products_created"]) == (4, 1, 4)
    lines = {
        (ln.document_number, ln.line_number): ln.revenue
        for ln in SalesLine.objects.select_related("account")
    }
    assert lines == {
        ("489434", 1): Decimal("83.40"),
        ("489434", 2): Decimal("81.00"),
        ("489434", 3): Decimal("100.80"),
        ("489435", 1): Decimal("8.87"),
    }
    assert Account.objects.get().registration_number == "13085"


def test_import_mapping_list_show_and_delete(org, capsys):
    mapping_save(actor=org.director, name="erp-nightly", mapping=Mapping.from_dict(CLIENTS_MAPPING))
    out, _ = run("list", command="import_mapping")
    assert out.startswith("erp-nightly\tclients\tdirector\t")
    out, _ = run("list", "--format", "json", command="import_mapping")
    assert [(m["name"], m["kind"], m["created_by"]) for m in json.loads(out)] == [
        ("erp-nightly", "clients", "director")
    ]
    out, _ = run("show", "erp-nightly", command="import_mapping")
    assert Mapping.from_dict(json.loads(out)) == Mapping.from_dict(CLIENTS_MAPPING)
    # A KAM sees none and may delete none.
    out, _ = run("list", "--user", "kam_anna", command="import_mapping")
    assert out.strip() == "no saved mappings"
    with pytest.raises(CommandError, match='no saved mapping named "erp-nightly"'):
        run("show", "erp-nightly", "--user", "kam_anna", command="import_mapping")
    with pytest.raises(CommandError, match="Only a director"):
        run("delete", "erp-nightly", "--user", "kam_anna", command="import_mapping")
    with pytest.raises(CommandError, match="say who deletes it"):
        run("delete", "erp-nightly", command="import_mapping")
    out, _ = run("delete", "erp-nightly", "--user", "support_north", command="import_mapping")
    assert out.strip() == 'mapping "erp-nightly" deleted'
    assert not ImportMapping.objects.exists()
    assert AuditEntry.objects.filter(entity="imports.importmapping", action="delete").exists()
    with pytest.raises(CommandError, match='no saved mapping named "erp-nightly"'):
        run("delete", "erp-nightly", "--system", command="import_mapping")


def test_the_console_takes_the_dashed_name(org, capsys):
    main(["kam", "import-mapping", "list"])
    assert capsys.readouterr().out.strip() == "no saved mappings"
