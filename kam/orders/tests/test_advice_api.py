"""GET /api/advice/{account_id} (OR-2): the suggestions with their explanation, price,
quantity, amount and credit fit, scoped like the page (404 for another KAM's client)."""

from decimal import Decimal

from kam.orders.tests.test_advice_selectors import AS_OF, build_world


def get(client, account, **query):
    return client.get(f"/api/advice/{account.pk}", {"as_of": AS_OF.isoformat(), **query})


def test_the_clients_kam_gets_the_advice_and_another_kam_404(org, login):
    w = build_world(org)
    response = get(login(org.kam_anna), w.client, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["account_id"] == w.client.pk and body["as_of"] == "2025-06-30"
    assert body["currency"] == "EUR" and Decimal(body["available"]) == 1000
    (due,) = body["due"]
    assert due["product_id"] == w.due.pk and due["kind"] == "due"
    assert due["explanation"] == {
        "code": "rhythm",
        "values": {"interval": 28, "days_since": 35, "last": "2025-05-26"},
        "text": "bought every 28 days, last 35 days ago",
    }
    numbers = [Decimal(due[k]) for k in ("quantity", "price", "amount")]
    assert numbers == [Decimal(10), Decimal(20), Decimal(200)] and due["fits_credit"] is True
    (peer,) = body["peers"]
    assert peer["explanation"]["text"] == "bought by 4 of 5 similar clients (segment Pharmacies)"
    assert peer["explanation"]["values"]["buyers"] == 4
    assert (Decimal(peer["amount"]), peer["fits_credit"]) == (Decimal(900), False)
    assert [n["code"] for n in body["notes"]] == ["no_price"]
    assert body["notes"][0]["values"]["sku"] == w.no_price.sku

    other = get(login(org.kam_sigrid), w.client)
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"


def test_without_a_contract_nothing_is_priced(org, login):
    w = build_world(org, contract=False)
    body = get(login(org.kam_anna), w.client, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["contract_id"] is None and body["available"] is None
    assert {s["price"] for s in body["due"] + body["peers"]} == {None}
    assert {s["fits_credit"] for s in body["due"] + body["peers"]} == {None}
    assert body["notes"][0]["code"] == "no_contract"
    assert "an order needs a contract" in body["notes"][0]["text"]


def test_bad_input_gets_a_4xx(org, login):
    w = build_world(org)
    client = login(org.kam_anna)
    assert get(client, w.client, as_of="31.02.2025").status_code == 422
    assert client.get(f"/api/advice/{2**70}").status_code in (404, 422)
    assert client.get("/api/advice/999999").status_code == 404


def test_signed_out_is_401(org, client):
    w = build_world(org)
    assert get(client, w.client).status_code == 401
