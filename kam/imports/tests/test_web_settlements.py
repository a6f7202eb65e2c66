"""The import page offers the ERP's open items and payments (issue 9 §7): the kinds in the
upload form, KAM's columns guessed, a bad cell marked in the preview, the import written; a KAM
may not import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kam.imports.models import ImportRun
from kam.receivables.models import SettlementItem
from kam.testing import make_account

pytestmark = pytest.mark.django_db

OPEN_ITEMS = (
    "client,document_number,date,due_date,amount,open_amount\n"
    "40003000001,INV-1,2026-10-01,2026-10-31,500,300\n"
)


def upload(client, text, kind):
    data = {"kind": kind, "file": SimpleUploadedFile("open.csv", text.encode(), "text/csv")}
    return client.post(reverse("imports:upload"), data)


def mapping_post(client, run, action, columns, headers=None):
    data = {f"column_{i}": c for i, c in enumerate(columns)}
    data.update(date_format="auto", action=action)
    return client.post(reverse("imports:run", args=[run.uuid]), data, headers=headers)


@pytest.fixture
def alfa(org):
    return make_account(owner=org.kam_anna, registration_number="40003000001")


def test_the_page_imports_open_items(org, alfa, login):
    client = login(org.support_north)
    page = client.get(reverse("imports:upload"))
    html = page.content.decode()
    assert 'value="invoices"' in html and 'value="payments"' in html
    assert upload(client, OPEN_ITEMS, "invoices").status_code == 302
    run = ImportRun.objects.get()
    page = client.get(reverse("imports:run", args=[run.uuid]))
    form = page.context["form"]
    columns = ["client", "document_number", "date", "due_date", "amount", "open_amount"]
    assert [form.initial[f"column_{i}"] for i in range(6)] == columns

    # The preview marks the open amount larger than the amount.
    bad = OPEN_ITEMS.replace(",500,300", ",500,900")
    upload(client, bad, "invoices")
    bad_run = ImportRun.objects.exclude(pk=run.pk).get()
    response = mapping_post(client, bad_run, "preview", columns, headers={"HX-Request": "true"})
    row = response.content.decode().split("<td>2</td>")[1].split("</tr>")[0]
    assert 'aria-invalid="true"' in row and "larger than the amount" in row

    assert mapping_post(client, run, "import", columns).status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.result
    invoice = SettlementItem.objects.get(kind="invoice", document_number="INV-1")
    assert (invoice.amount, invoice.open_amount) == (Decimal("500.00"), Decimal("300.00"))


def test_a_kam_may_not_upload_open_items(org, alfa, login):
    client = login(org.kam_anna)
    assert upload(client, OPEN_ITEMS, "invoices").status_code == 403
    assert not ImportRun.objects.exists()
    client = login(org.director)
    assert upload(client, OPEN_ITEMS, "invoices").status_code == 302
