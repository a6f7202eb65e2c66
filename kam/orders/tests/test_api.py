"""The orders API (/api/orders): the same services, so the gate and approvals hold; the
Idempotency-Key; 409 for a stale version; 404 out of scope; 422 naming the field."""

import json

from kam.credit.models import CreditReservation
from kam.orders.models import IdempotencyKey, Order
from kam.sales.models import SalesLine

S = Order.Status


def body(terms, quantity="2", discount="0", product=None):
    return {
        "account": terms.client.pk,
        "lines": [
            {
                "product": (product or terms.widget).pk,
                "quantity": quantity,
                "discount_percent": discount,
            }
        ],
    }


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_create_with_an_idempotency_key_is_answered_once(terms, login):
    client = login(terms.org.kam_anna)
    first = post(client, "/api/orders/", body(terms), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = post(client, "/api/orders/", body(terms), HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert Order.objects.count() == 1
    other = post(client, "/api/orders/", body(terms, quantity="3"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Order.objects.count() == 1
    # Without a key every POST is a new order; another user's same key is theirs alone.
    assert post(client, "/api/orders/", body(terms)).status_code == 201
    assert Order.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_create_out_of_scope_is_404_and_bad_lines_name_the_field(terms, login):
    sigrid = login(terms.org.kam_sigrid)
    assert post(sigrid, "/api/orders/", body(terms)).status_code == 404
    anna = login(terms.org.kam_anna)
    for data, field in [
        (body(terms, quantity="0"), "lines.0.quantity"),
        (body(terms, quantity="-1"), "lines.0.quantity"),
        (body(terms, discount="101"), "lines.0.discount_percent"),
        (body(terms, product=terms.stray), "lines.0.product"),
    ]:
        answer = post(anna, "/api/orders/", data)
        assert answer.status_code == 422, data
        assert answer.json()["errors"][0]["field"] == field
    assert Order.objects.count() == 0
    assert post(anna, "/api/orders/", {**body(terms), "account": 999999}).status_code == 404


def test_the_gate_cannot_be_bypassed_through_the_api(terms, login):
    anna = login(terms.org.kam_anna)
    order = post(anna, "/api/orders/", body(terms, quantity="200")).json()  # 2000 > 1000
    answer = post(anna, f"/api/orders/{order['id']}/submit", {"version": order["version"]})
    assert answer.status_code == 200 and answer.json()["status"] == S.BLOCKED
    assert "available credit" in answer.json()["waiting_reason"]
    # Sales support cannot process a blocked order; the KAM cannot release it.
    support = login(terms.org.support_north)
    version = answer.json()["version"]
    entered = post(
        support, f"/api/orders/{order['id']}/enter", {"version": version, "erp_number": "E"}
    )
    assert entered.status_code == 422
    released = post(
        login(terms.org.kam_anna),
        f"/api/orders/{order['id']}/override",
        {"version": version, "comment": "trust me"},
    )
    assert released.status_code == 403
    assert not CreditReservation.objects.filter(ref=f"order:{order['id']}").exists()
    # A copy of the order is blocked again.
    copy = post(login(terms.org.kam_anna), f"/api/orders/{order['id']}/copy", {}).json()
    again = post(
        login(terms.org.kam_anna), f"/api/orders/{copy['id']}/submit", {"version": copy["version"]}
    )
    assert again.json()["status"] == S.BLOCKED


def test_a_stale_version_is_409(terms, login):
    anna = login(terms.org.kam_anna)
    order = post(anna, "/api/orders/", body(terms)).json()
    ok = post(
        anna,
        f"/api/orders/{order['id']}/lines",
        {"version": order["version"], "product": terms.gadget.pk, "quantity": "1"},
    )
    assert ok.status_code == 200
    stale = post(anna, f"/api/orders/{order['id']}/submit", {"version": order["version"]})
    assert stale.status_code == 409 and "reload" in stale.json()["message"]
    assert Order.objects.get(pk=order["id"]).status == S.DRAFT


def test_the_whole_flow_through_the_api(terms, login):
    org = terms.org
    anna, support, head = login(org.kam_anna), None, None
    order = post(anna, "/api/orders/", body(terms, quantity="4", discount="10")).json()
    o = post(anna, f"/api/orders/{order['id']}/submit", {"version": order["version"]}).json()
    assert o["status"] == S.AWAITING_APPROVAL
    head = login(org.head_north)
    o = post(
        head,
        f"/api/orders/{o['id']}/approve",
        {"version": o["version"], "approval": o["approvals"][0]["id"]},
    ).json()
    assert o["status"] == S.SUBMITTED
    support = login(org.support_north)
    o = post(
        support, f"/api/orders/{o['id']}/enter", {"version": o["version"], "erp_number": "E-5"}
    ).json()
    o = post(support, f"/api/orders/{o['id']}/confirm", {"version": o["version"]}).json()
    o = post(support, f"/api/orders/{o['id']}/ship", {"version": o["version"]}).json()
    assert o["status"] == S.SHIPPED
    shipment = o["shipments"][0]
    assert SalesLine.objects.filter(document_number=shipment["number"]).count() == 1
    o = post(
        support, f"/api/orders/shipments/{shipment['id']}/invoice", {"version": o["version"]}
    ).json()
    assert o["shipments"][0]["invoice_number"]
    o = post(
        support, f"/api/orders/shipments/{shipment['id']}/deliver", {"version": o["version"]}
    ).json()
    assert o["status"] == S.DELIVERED
    back = post(
        support,
        f"/api/orders/shipments/{shipment['id']}/return",
        {
            "version": o["version"],
            "reason": terms.return_reason.pk,
            "lines": [{"line": o["lines"][0]["id"], "quantity": "1"}],
        },
    )
    assert back.status_code == 201
    # Another department's support sees none of it.
    south = login(org.head_south)
    assert south.get(f"/api/orders/{o['id']}").status_code == 404
    assert login(org.kam_anna).get("/api/orders/").json()["count"] == 1
    assert login(org.kam_sigrid).get("/api/orders/").json()["count"] == 0


def test_the_list_names_the_client(terms, login):
    anna = login(terms.org.kam_anna)
    post(anna, "/api/orders/", body(terms))
    row = anna.get("/api/orders/?status=draft").json()["items"][0]
    assert row["account_name"] == "Alfa SIA" and row["status"] == S.DRAFT


def test_patch_the_note_and_an_out_of_scope_patch_is_404(terms, login):
    anna = login(terms.org.kam_anna)
    order = post(anna, "/api/orders/", body(terms)).json()
    changed = anna.patch(
        f"/api/orders/{order['id']}",
        json.dumps({"version": order["version"], "note": "Deliver before noon"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["note"] == "Deliver before noon"
    sigrid = login(terms.org.kam_sigrid)
    answer = sigrid.patch(
        f"/api/orders/{order['id']}",
        json.dumps({"version": changed.json()["version"], "note": "x"}),
        content_type="application/json",
    )
    assert answer.status_code == 404
