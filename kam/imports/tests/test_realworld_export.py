"""The real-world export of docs/import.md, brought in as docs/examples ship it (issue 8 §1-3, §7).

``docs/examples/erp-export.csv`` is shaped like a web shop's invoice lines (the UCI "Online
Retail II" columns): ``Invoice``, ``StockCode``, ``Quantity``, ``InvoiceDate`` with a time,
``Price`` per unit, ``Customer ID`` written as a float, ``Country`` as a name, no cost, two
cancellations ("C" documents) and postage lines. ``erp-export.mapping.json`` is the mapping the
walkthrough builds. The test runs the walkthrough's commands and checks what they promise."""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.imports.models import ImportRun
from kam.imports.selectors.runs import runs_for
from kam.sales.models import SalesLine

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
EXPORT = EXAMPLES / "erp-export.csv"
MAPPING = EXAMPLES / "erp-export.mapping.json"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def export_rows():
    import csv

    with EXPORT.open(newline="") as f:
        return list(csv.DictReader(f))


def test_the_walkthrough_imports_the_export_with_its_clients_and_products(org):
    rows = export_rows()
    clients = {r["Customer ID"].removesuffix(".0") for r in rows}
    skus = {r["StockCode"] for r in rows}

    out, _ = run("sales", EXPORT, "--mapping", MAPPING, "--user", "director", "--format", "json")
    result = json.loads(out)

    assert result["ok"] is True
    assert result["rows"] == len(rows)
    assert result["created"] == len(rows)
    assert result["clients_created"] == len(clients)
    assert result["products_created"] == len(skus)
    assert result["returns_linked"] == 2
    assert result["service_lines"] == sum(r["StockCode"] == "POST" for r in rows)
    assert result["without_cost"] == len(rows)
    assert len(result["checksum"]) == 64

    # Float-written ids are whole numbers, countries are codes, the postage is a service.
    assert set(Account.objects.values_list("registration_number", flat=True)) == clients
    assert Account.objects.get(registration_number="14911").country == "IE"
    assert Account.objects.get(registration_number="13085").country == "GB"
    assert Product.objects.get(sku="POST").is_service
    assert not Product.objects.get(sku="21871").is_service

    # Revenue is quantity x unit price; the time of day is dropped; line numbers count per
    # invoice; no cost means income unknown.
    first = rows[0]
    line = SalesLine.objects.get(document_number=first["Invoice"], line_number=1)
    assert line.revenue == Decimal(first["Quantity"]) * Decimal(first["Price"])
    assert line.date.isoformat() == first["InvoiceDate"][:10]
    assert not line.cost_known and line.cost == 0
    cancelled = SalesLine.objects.filter(document_number__startswith="C")
    assert cancelled.count() == 2
    assert all(c.quantity < 0 and c.revenue < 0 for c in cancelled)
    assert {c.returns_document for c in cancelled} <= {r["Invoice"] for r in rows}
    assert all(c.returns_document for c in cancelled)

    entry = AuditEntry.objects.filter(action="import", entity="sales.salesline").get()
    assert entry.changes["sha256"] == result["checksum"]
    assert entry.changes["file"] == "erp-export.csv"

    # Listed later with the page's and the API's runs (issue 8 §4), for who may import only.
    listed = runs_for(org.director).get()
    assert (listed.via, listed.status, listed.kind, listed.file_name) == (
        "cli",
        "done",
        "sales",
        EXPORT.name,
    )
    assert listed.checksum == result["checksum"] and listed.size == EXPORT.stat().st_size
    assert listed.actor == org.director and listed.result["created"] == len(rows)
    assert listed.mapping_spec["computed"]["revenue"] == {"multiply": ["Quantity", "Price"]}
    assert not runs_for(org.kam_anna).exists()


def test_importing_the_export_again_changes_nothing(org):
    run("sales", EXPORT, "--mapping", MAPPING, "--user", "director")
    before = SalesLine.objects.count(), Account.objects.count(), Product.objects.count()

    out, _ = run("sales", EXPORT, "--mapping", MAPPING, "--user", "director", "--format", "json")

    result = json.loads(out)
    assert result["unchanged"] == result["rows"] and result["created"] == 0
    assert result["clients_created"] == result["products_created"] == 0
    assert (SalesLine.objects.count(), Account.objects.count(), Product.objects.count()) == before


def test_without_create_missing_every_unknown_client_is_an_error_and_nothing_changes(org, tmp_path):
    spec = json.loads(MAPPING.read_text())
    spec["options"]["create_missing"] = False
    mapping = tmp_path / "strict.json"
    mapping.write_text(json.dumps(spec))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import",
            "sales",
            str(EXPORT),
            "--mapping",
            str(mapping),
            "--user",
            "director",
            stdout=StringIO(),
            stderr=err,
        )
    assert 'column "Customer ID": no client with registration number "13085"' in err.getvalue()
    assert SalesLine.objects.count() == 0
    failed = ImportRun.objects.get()
    assert (failed.via, failed.status) == ("cli", "failed")
    assert failed.error_count == len(failed.result["errors"]) > 0 and len(failed.checksum) == 64
    assert (
        Account.objects.count() == 0
        or not Account.objects.filter(registration_number="13085").exists()
    )


def test_a_kam_may_not_import_the_export(org):
    with pytest.raises(CommandError):
        run("sales", EXPORT, "--mapping", MAPPING, "--user", "kam_anna")
    assert SalesLine.objects.count() == 0
    assert not Account.objects.filter(registration_number="13085").exists()
