"""The settlements page of a client and the ageing page (SE-1: two users each)."""

import io
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.selectors import client_panel
from kam.receivables.tests.factories import post
from kam.testing import make_account


@pytest.fixture
def anna_client(org):
    account = make_account(owner=org.kam_anna, department=org.north, legal_name="Ābols SIA")
    today = timezone.localdate()
    post(account, "invoice", "100", today - timedelta(days=75), number="INV-1")
    post(account, "invoice", "40", today - timedelta(days=5), number="INV-2")
    post(account, "payment", "30", today - timedelta(days=2), number="PAY-1")
    return account


def test_the_client_page_shows_the_ledger_and_open_items(org, login, anna_client):
    r = login(org.kam_anna).get(f"/settlements/clients/{anna_client.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "INV-1" in html and "PAY-1" in html and "110.00" in html  # balance
    assert 'id="record"' not in html  # a KAM does not record payments
    assert login(org.kam_sigrid).get(f"/settlements/clients/{anna_client.pk}/").status_code == 404


def test_support_records_a_payment_from_the_page(org, login, anna_client):
    c = login(org.support_north)
    assert 'id="record"' in c.get(f"/settlements/clients/{anna_client.pk}/").content.decode()
    data = {
        "kind": "payment",
        "document_number": "PAY-7",
        "document_date": timezone.localdate().isoformat(),
        "amount": "200",
    }
    r = c.post(f"/settlements/clients/{anna_client.pk}/record/", data)
    assert r.status_code == 302
    pay = SettlementItem.objects.get(document_number="PAY-7")
    assert pay.open_amount == -90  # 110 open settled, 90 left as a credit
    r = c.post(
        f"/settlements/clients/{anna_client.pk}/record/",
        {**data, "document_number": "PAY-8", "amount": "-5"},
    )
    assert r.status_code == 422 and "more than zero" in r.content.decode()
    r = login(org.kam_anna).post(
        f"/settlements/clients/{anna_client.pk}/record/", {**data, "document_number": "PAY-9"}
    )
    assert r.status_code == 403
    assert (
        login(org.head_south)
        .post(f"/settlements/clients/{anna_client.pk}/record/", data)
        .status_code
        == 404
    )
    assert not SettlementItem.objects.filter(document_number__in=["PAY-8", "PAY-9"]).exists()


def test_allocate_and_undo_from_the_page(org, login, anna_client):
    c = login(org.credit)
    allocation = Allocation.objects.get(credit__document_number="PAY-1")
    assert c.post(f"/settlements/allocations/{allocation.pk}/undo/").status_code == 302
    inv2 = SettlementItem.objects.get(document_number="INV-2")
    pay = SettlementItem.objects.get(document_number="PAY-1")
    r = c.post(
        f"/settlements/clients/{anna_client.pk}/allocate/",
        {"credit": pay.pk, "invoice": inv2.pk, "amount": "35"},
    )
    assert r.status_code == 422 and "only 30.00 left" in r.content.decode()
    r = c.post(
        f"/settlements/clients/{anna_client.pk}/allocate/",
        {"credit": pay.pk, "invoice": inv2.pk, "amount": "30"},
    )
    assert r.status_code == 302
    inv2.refresh_from_db()
    assert inv2.open_amount == 10
    a = Allocation.objects.get(credit=pay)
    assert login(org.kam_sigrid).post(f"/settlements/allocations/{a.pk}/undo/").status_code == 404
    assert login(org.kam_anna).post(f"/settlements/allocations/{a.pk}/undo/").status_code == 403
    assert Allocation.objects.filter(pk=a.pk).exists()


def test_statement_downloads(org, login, anna_client):
    c = login(org.kam_anna)
    today = timezone.localdate()
    period = {"date_from": (today - timedelta(days=400)).isoformat(), "date_to": today.isoformat()}
    r = c.get(f"/settlements/clients/{anna_client.pk}/statement/", {**period, "format": "pdf"})
    assert r["Content-Type"] == "application/pdf"
    assert "Closing balance" in PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    r = c.get(f"/settlements/clients/{anna_client.pk}/statement/", {**period, "format": "xlsx"})
    assert (
        list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))[-1][5] == 110
    )
    bad = {
        "date_from": today.isoformat(),
        "date_to": (today - timedelta(days=1)).isoformat(),
        "format": "pdf",
    }
    r = c.get(f"/settlements/clients/{anna_client.pk}/statement/", bad)
    assert r.status_code == 422 and "before its start" in r.content.decode()
    r = login(org.kam_boris).get(
        f"/settlements/clients/{anna_client.pk}/statement/", {**period, "format": "pdf"}
    )
    assert r.status_code == 404


def test_the_ageing_page_chart_table_and_exports(org, login, anna_client):
    south = make_account(owner=org.kam_sigrid, department=org.south, legal_name="Dienvidi SIA")
    post(south, "invoice", "9", date(2025, 1, 1))
    c = login(org.director)
    r = c.get("/settlements/ageing/")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="ageing-chart"' in html and "ageing-data" in html
    assert "North" in html and "South" in html
    r = c.get("/settlements/ageing/", {"level": "manager", "unit": org.kam_anna.pk})
    assert "Ābols SIA" in r.content.decode() and "Dienvidi" not in r.content.decode()
    x = c.get("/settlements/ageing/", {"level": "manager", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[0][1] == "Current" and rows[-1][0] == "Total"
    csv_body = c.get("/settlements/ageing/", {"export": "csv"}).content.decode("utf-8-sig")
    assert csv_body.splitlines()[-1].startswith("Total,")
    # the KAM sees their own book only; another's KAM is out of sight
    c = login(org.kam_anna)
    html = c.get("/settlements/ageing/").content.decode()
    assert "Anna Kam" in html  # a KAM starts at manager level: their own row
    assert "Sigrid" not in html and "Dienvidi" not in html
    assert (
        c.get("/settlements/ageing/", {"level": "manager", "unit": org.kam_sigrid.pk}).status_code
        == 404
    )


def test_the_client_panel_partial(org, anna_client):
    today = timezone.localdate()
    html = render_to_string(
        "receivables/_client_panel.html",
        client_panel(user=org.kam_anna, account=anna_client, as_of=today),
    )
    assert "110.00" in html  # balance
    assert 'data-bucket="d31_60">70.00' in html  # INV-1 45 days past due, 30 paid
    assert "Record a payment" not in html
    html = render_to_string(
        "receivables/_client_panel.html",
        client_panel(user=org.support_north, account=anna_client, as_of=today),
    )
    assert "Record a payment" in html
