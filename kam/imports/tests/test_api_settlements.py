"""The ERP's nightly job through the API (issue 9 §7): with a token it sends the sales, the
open items and the payments, gets the same all-or-nothing answer as JSON (200 with counts, 422
with every error and nothing written), and a second identical send changes nothing. Who may
not import is refused; a mapping of another kind is named."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client

from kam.imports.models import ImportRun
from kam.org.services import api_token_create
from kam.receivables.models import SettlementItem
from kam.sales.models import SalesLine
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db

SALES = (
    "document_number,line_number,date,client,sku,quantity,revenue,cost\n"
    "SH-1,1,2026-10-01,40003000001,A-1,10,1000,600\n"
    "SH-1,2,2026-10-01,40003000001,A-1,2,210,120\n"
)
INVOICES = (
    "client,document_number,date,payment_days,amount,reference\n"
    "40003000001,INV-1,2026-10-01,30,1210,SH-1\n"
)
PAYMENTS = "client,document_number,date,amount,invoice\n40003000001,PAY-1,2026-10-20,1000,INV-1\n"


@pytest.fixture
def erp(org):
    _, key = api_token_create(actor=org.director, user=org.support_north, name="erp-nightly")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def kam_script(org):
    _, key = api_token_create(actor=org.director, user=org.kam_anna, name="script")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def alfa(org):
    make_product(sku="A-1")
    return make_account(owner=org.kam_anna, registration_number="40003000001")


def send(client, kind, text, name="export.csv", **fields):
    data = {"file": SimpleUploadedFile(name, text.encode()), **fields}
    return client.post(f"/api/imports/{kind}", data)


def test_the_nightly_job_sends_sales_invoices_and_payments_twice(org, alfa, erp):
    for kind, text, created in (("sales", SALES, 2), ("invoices", INVOICES, 1),
                                ("payments", PAYMENTS, 1)):  # fmt: skip
        response = send(erp, kind, text)
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["kind"], body["ok"], body["created"], body["errors"]) == (
            kind,
            True,
            created,
            [],
        )
        run = ImportRun.objects.get(uuid=body["run"])
        assert (run.via, run.status, run.actor) == ("api", "done", org.support_north)
    invoice = SettlementItem.objects.get(kind="invoice", document_number="INV-1")
    assert (invoice.due_date, invoice.open_amount, invoice.source) == (
        date(2026, 10, 31),
        Decimal("210.00"),
        "import",
    )
    state = list(SettlementItem.objects.order_by("pk").values_list("pk", "amount", "open_amount"))
    lines = SalesLine.objects.count()

    for kind, text, rows in (("sales", SALES, 2), ("invoices", INVOICES, 1),
                             ("payments", PAYMENTS, 1)):  # fmt: skip
        body = send(erp, kind, text).json()
        assert (body["ok"], body["created"], body["updated"], body["unchanged"]) == (
            True,
            0,
            0,
            rows,
        )
    assert SalesLine.objects.count() == lines
    assert (
        list(SettlementItem.objects.order_by("pk").values_list("pk", "amount", "open_amount"))
        == state
    )
    total = SettlementItem.objects.filter(account=alfa).aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("210.00")


def test_a_bad_file_is_422_with_every_error_and_nothing_written(org, alfa, erp):
    text = INVOICES + "40003000001,INV-2,2026-10-05,30,-5,\n40009999999,INV-3,2026-10-05,30,5,\n"
    response = send(erp, "invoices", text)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "rows_refused" and body["ok"] is False
    where = {(e["line"], e["column"]) for e in body["errors"]}
    assert where == {(3, "amount"), (4, "client")}
    assert body["errors"][0]["field"].startswith("line ")
    assert not SettlementItem.objects.exists()
    assert ImportRun.objects.get(uuid=body["run"]).status == "failed"


def test_check_only_and_a_mapping_for_the_payments_file(org, alfa, erp):
    send(erp, "invoices", INVOICES)
    export = "Customer;Paid;Amount;Ref\n40003000001;20.10.2026;100,00;INV-1\n"
    mapping = (
        '{"kind": "payments", "columns": {"Customer": "client", "Paid": "date", '
        '"Amount": "amount", "Ref": "document_number"}}'
    )
    response = send(erp, "payments", export, mapping=mapping, check="true")
    assert response.status_code == 200, response.content
    assert response.json()["checked_only"] is True and response.json()["created"] == 1
    assert not SettlementItem.objects.filter(kind="payment", document_number="INV-1").exists()
    # A sales mapping for a payments file: the mapping is named, nothing read.
    response = send(erp, "payments", export, mapping='{"kind": "sales", "columns": {}}')
    assert response.status_code == 422
    assert "mapping" in response.content.decode()


def test_who_may_not_import_gets_403_and_nothing_is_written(org, alfa, kam_script, erp):
    response = send(kam_script, "payments", PAYMENTS)
    assert response.status_code == 403
    assert not ImportRun.objects.filter(kind="payments").exists()
    assert send(erp, "invoices", INVOICES).status_code == 200
