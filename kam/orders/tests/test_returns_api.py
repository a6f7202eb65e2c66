"""The returns API (/api/returns): analysis, reasons, acts (list, create, resolve, PDF) and a
client's obligations; 404 out of scope, 403 with a sentence for a role without the action."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kam.orders.models import DiscrepancyAct, Reason
from kam.orders.tests.returns_fixtures import (
    URLS,
    make_invoice,
    make_reason,
    make_return,
    pay,
    shipped_order,
)
from kam.receivables.models import SettlementItem
from kam.testing import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

SHIPPED = date(2026, 3, 2)
JSON = "application/json"


@pytest.fixture
def world(org):
    account = make_account(owner=org.kam_anna, legal_name="Aptieka SIA")
    order, shipment = shipped_order(account=account, created_by=org.kam_anna, on=SHIPPED)
    lines = list(order.lines.order_by("line_number"))
    broken = make_reason(kind="return", code="broken", name="Broken")
    make_return(shipment=shipment, reason=broken, returned_on=SHIPPED, lines=[(lines[0], 2)])
    return {"account": account, "shipment": shipment, "lines": lines}


def _act_body(world, **kw):
    line = world["lines"][0]
    return {
        "shipment_id": world["shipment"].pk,
        "kind": "shortage",
        "found_on": (SHIPPED + timedelta(days=1)).isoformat(),
        "lines": [{"order_line_id": line.pk, "quantity_expected": "10", "quantity_found": "8"}],
        **kw,
    }


def test_analysis_is_scoped(org, world, login):
    q = {"start": "2026-01-01", "end": "2026-12-31", "group_by": "client"}
    body = login(org.kam_anna).get("/api/returns/analysis", q).json()
    assert [r["label"] for r in body["rows"]] == ["Aptieka SIA"]
    assert body["rows"][0]["returned_amount"] == "10.00"
    assert len(body["months"]) == 12
    assert login(org.kam_sigrid).get("/api/returns/analysis", q).json()["rows"] == []
    bad = login(org.kam_anna).get("/api/returns/analysis", {"group_by": "planet"})
    assert bad.status_code == 422


def test_reasons_list_and_create(org, login):
    r = login(org.head_north).post(
        "/api/returns/reasons",
        {"kind": "refusal", "code": "price", "name": "Too expensive"},
        content_type=JSON,
    )
    assert r.status_code == 201 and r.json()["code"] == "price"
    r = login(org.kam_anna).post(
        "/api/returns/reasons", {"kind": "refusal", "code": "x", "name": "X"}, content_type=JSON
    )
    assert r.status_code == 403
    assert "head of department or the director" in r.json()["message"]
    r = login(org.director).post(
        "/api/returns/reasons", {"kind": "refusal", "code": "price", "name": "Y"}, content_type=JSON
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "code"
    assert Reason.objects.count() == 1
    listing = login(org.kam_anna).get("/api/returns/reasons", {"kind": "refusal"}).json()
    assert [x["code"] for x in listing] == ["price"]


def test_act_create_resolve_and_pdf(org, world, login):
    make_invoice(
        account=world["account"],
        amount="100",
        document_date=SHIPPED,
        due_date=SHIPPED + timedelta(days=30),
        number=world["shipment"].number,
    )
    anna = login(org.kam_anna)
    r = anna.post("/api/returns/acts", _act_body(world), content_type=JSON)
    assert r.status_code == 201, r.content
    act = r.json()
    assert act["lines"][0]["difference"] == "-2.000"
    assert act["resolution"] == "open"
    r = anna.post(
        f"/api/returns/acts/{act['id']}/resolve",
        {"resolution": "credit_note", "resolved_on": "2026-03-04"},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["resolution"] == "credit_note"
    assert SettlementItem.objects.get(kind="credit_note").amount == Decimal("-10.00")
    pdf = anna.get(f"/api/returns/acts/{act['id']}/pdf", {"lang": "ru"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert [a["number"] for a in anna.get("/api/returns/acts").json()["items"]] == [act["number"]]


def test_act_scope_and_role(org, world, login):
    r = login(org.kam_sigrid).post("/api/returns/acts", _act_body(world), content_type=JSON)
    assert r.status_code == 404
    r = login(org.credit).post("/api/returns/acts", _act_body(world), content_type=JSON)
    assert r.status_code == 403 and "record a discrepancy" in r.json()["message"]
    assert not DiscrepancyAct.objects.exists()
    act = login(org.kam_anna).post("/api/returns/acts", _act_body(world), content_type=JSON)
    act_id = act.json()["id"]
    assert login(org.kam_sigrid).get(f"/api/returns/acts/{act_id}").status_code == 404
    assert login(org.kam_sigrid).get(f"/api/returns/acts/{act_id}/pdf").status_code == 404
    assert login(org.kam_sigrid).get("/api/returns/acts").json()["count"] == 0
    r = login(org.credit).post(
        f"/api/returns/acts/{act_id}/resolve", {"resolution": "write_off"}, content_type=JSON
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "loss"}, "kind"),
        ({"found_on": "2020-01-01"}, "found_on"),
        ({"reason_id": 999999}, "reason_id"),
        ({"lines": []}, "lines"),
    ],
)
def test_bad_act_input_is_422_naming_the_field(org, world, login, change, field):
    r = login(org.kam_anna).post("/api/returns/acts", _act_body(world, **change), content_type=JSON)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]
    assert not DiscrepancyAct.objects.exists()


def test_bad_line_quantity_is_422(org, world, login):
    body = _act_body(world)
    body["lines"][0]["quantity_found"] = "lots"
    r = login(org.kam_anna).post("/api/returns/acts", body, content_type=JSON)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "lines.0.quantity_found"


def test_obligations_endpoint(org, world, login):
    invoice = make_invoice(
        account=world["account"],
        amount="50",
        document_date=SHIPPED,
        due_date=SHIPPED + timedelta(days=10),
    )
    pay(invoice=invoice, amount="50", on=SHIPPED + timedelta(days=12))
    url = f"/api/returns/obligations/{world['account'].pk}"
    body = login(org.regional_north).get(url, {"as_of": "2026-06-30"}).json()
    assert body["deliveries"] == {
        "judged": 1,
        "on_time": 1,
        "late": 0,
        "share_on_time": "100.0",
        "average_days_late": None,
        "score": "100.0",
    }
    assert body["payments"]["late"] == 1 and body["payments"]["average_days_late"] == "2.0"
    assert body["score"] == "50.0"
    assert login(org.kam_sigrid).get(url).status_code == 404
