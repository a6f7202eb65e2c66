"""/api/receivables: ageing, a client's items, the statement, records and allocations, scoped
(SE-1: 404 out of sight, 403 with a sentence in sight but not allowed)."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.tests.factories import post
from kam.testing import make_account

BASE = "/api/receivables"


@pytest.fixture
def anna_client(org):
    account = make_account(owner=org.kam_anna, department=org.north, legal_name="Ābols SIA")
    post(account, "invoice", "100", date(2025, 1, 10), number="INV-1")
    post(account, "payment", "30", date(2025, 3, 20), number="PAY-1")
    return account


def test_ageing_scoped_by_the_caller(org, login, anna_client):
    south = make_account(owner=org.kam_sigrid, department=org.south)
    post(south, "invoice", "5", date(2025, 3, 1))
    c = login(org.director)
    data = c.get(f"{BASE}/ageing", {"as_of": "2025-03-31"}).json()
    assert data["total"]["balance"] == "75.00"
    c = login(org.kam_anna)
    data = c.get(f"{BASE}/ageing", {"as_of": "2025-03-31", "level": "manager"}).json()
    assert data["total"]["balance"] == "70.00" and data["rows"][0]["name"] == "Anna Kam"
    r = c.get(f"{BASE}/ageing", {"level": "department", "unit": org.south.pk})
    assert r.status_code == 404
    assert c.get(f"{BASE}/ageing", {"level": "galaxy"}).status_code == 422


def test_client_items_and_balance_404_out_of_sight(org, login, anna_client):
    c = login(org.kam_anna)
    data = c.get(f"{BASE}/clients/{anna_client.pk}", {"as_of": "2025-03-31"}).json()
    assert data["ageing"]["d31_60"] == "70.00"
    assert [
        (i["document_number"], i["open_amount"], i["days_past_due"]) for i in data["items"]
    ] == [("INV-1", "70.00", 50)]
    early = c.get(f"{BASE}/clients/{anna_client.pk}", {"as_of": "2025-02-01"}).json()
    assert early["items"][0]["open_amount"] == "100.00"  # the payment came later
    assert login(org.kam_boris).get(f"{BASE}/clients/{anna_client.pk}").status_code == 404
    assert login(org.kam_boris).get(f"{BASE}/clients/999999999").status_code == 404


def test_statement_json_pdf_xlsx(org, login, anna_client):
    c = login(org.kam_anna)
    period = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
    data = c.get(f"{BASE}/clients/{anna_client.pk}/statement", period).json()
    assert (data["opening"], data["closing"], len(data["movements"])) == ("0.00", "70.00", 2)
    pdf = c.get(f"{BASE}/clients/{anna_client.pk}/statement.pdf", {**period, "language": "ru"})
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Ābols SIA" in text and "Клиент" in text and "70,00" in text  # Russian, its numbers
    x = c.get(f"{BASE}/clients/{anna_client.pk}/statement.xlsx", period)
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[-1][1] == "Closing balance"
    bad = c.get(
        f"{BASE}/clients/{anna_client.pk}/statement",
        {"date_from": "2025-03-01", "date_to": "2025-01-01"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date_to"
    assert (
        login(org.kam_sigrid).get(f"{BASE}/clients/{anna_client.pk}/statement", period).status_code
        == 404
    )


def test_record_a_payment_allowed_forbidden_and_out_of_sight(org, login, anna_client):
    body = {
        "kind": "payment",
        "document_number": "PAY-2",
        "document_date": "2025-03-25",
        "amount": "500",
    }
    url = f"{BASE}/clients/{anna_client.pk}/settlements"
    r = login(org.kam_anna).post(url, body, content_type="application/json")
    assert r.status_code == 403 and "sales support or a credit controller" in r.json()["message"]
    r = login(org.head_south).post(url, body, content_type="application/json")
    assert r.status_code == 404
    assert not SettlementItem.objects.filter(document_number="PAY-2").exists()
    r = login(org.support_north).post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["open_amount"] == "-430.00"  # larger than anything open: kept as a credit
    r = login(org.support_north).post(
        url, {**body, "document_number": "PAY-3", "amount": "0"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"


def test_allocate_and_undo(org, login, anna_client):
    inv = post(anna_client, "invoice", "40", date(2025, 3, 21), number="INV-2")
    pay = post(anna_client, "payment", "10", date(2025, 3, 22), number="PAY-9")  # settles INV-1
    allocation = Allocation.objects.get(credit=pay)
    c = login(org.credit)
    assert c.delete(f"{BASE}/allocations/{allocation.pk}").status_code == 204
    body = {"credit_id": pay.pk, "invoice_id": inv.pk, "amount": "10", "on": "2025-03-25"}
    assert (
        login(org.kam_anna)
        .post(f"{BASE}/allocations", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        login(org.head_south)
        .post(f"{BASE}/allocations", body, content_type="application/json")
        .status_code
        == 404
    )
    c = login(org.credit)
    r = c.post(f"{BASE}/allocations", {**body, "amount": "11"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"
    r = c.post(f"{BASE}/allocations", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["invoice_id"] == inv.pk
    inv.refresh_from_db()
    assert inv.open_amount == 30
    assert login(org.head_south).delete(f"{BASE}/allocations/{r.json()['id']}").status_code == 404
