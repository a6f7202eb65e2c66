"""/api/prices (OR-3): everyone reads, price.manage writes (403 for the others), bad fields
are 422 naming them and change nothing."""

import json
from datetime import date

import pytest

from kam.pricing import services
from kam.pricing.models import DiscountRule, Price


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def priced(org, base, key, product, product2):
    services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    services.price_set(
        actor=org.director, column=base, product=product, price="11", valid_from=date(2025, 7, 1)
    )
    services.price_set(
        actor=org.director,
        column=key,
        product=product2,
        price="3.1234",
        valid_from=date(2025, 1, 1),
    )


def test_everyone_reads_lists_and_prices_as_of_a_day(org, login, price_list, priced):
    client = login(org.kam_sigrid)
    lists = client.get("/api/prices/").json()
    assert [(pl["name"], [c["code"] for c in pl["columns"]]) for pl in lists] == [
        ("Main", ["base", "key"])
    ]
    assert lists[0]["columns"][0]["is_base"] is True
    answer = client.get(f"/api/prices/{price_list.pk}/prices", {"on": "2025-06-30"}).json()
    assert answer["count"] == 2
    assert [(p["sku"], p["column_code"], p["price"]) for p in answer["items"]] == [
        ("P-1", "base", "10.0000"),
        ("P-2", "key", "3.1234"),
    ]
    later = client.get(
        f"/api/prices/{price_list.pk}/prices", {"on": "2025-07-01", "q": "pump"}
    ).json()
    assert [(p["sku"], p["price"]) for p in later["items"]] == [("P-1", "11.0000")]
    assert client.get("/api/prices/999999/prices").status_code == 404
    # A date out of range reads as the nearest day, never an error.
    assert (
        client.get(f"/api/prices/{price_list.pk}/prices", {"on": "0001-01-01"}).status_code == 200
    )


def test_a_director_sets_a_price_and_a_kam_is_refused(org, login, base, product):
    body = {
        "column_id": base.pk,
        "product_id": product.pk,
        "price": "12.50",
        "valid_from": "2025-03-01",
    }
    refused = _post(login(org.kam_anna), "/api/prices/prices", body)
    assert refused.status_code == 403
    assert "director or an administrator" in refused.json()["message"]
    assert not Price.objects.exists()
    done = _post(login(org.director), "/api/prices/prices", body)
    assert done.status_code == 201, done.content
    assert done.json()["price"] == "12.5000" and done.json()["valid_to"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"valid_to": "2025-01-01"}, "valid_to"),
        ({"valid_from": "1900-01-01"}, "valid_from"),
        ({"column_id": 999999}, "column_id"),
        ({"product_id": 999999}, "product_id"),
    ],
)
def test_bad_prices_are_422_naming_the_field(org, login, base, product, change, field):
    body = {
        "column_id": base.pk,
        "product_id": product.pk,
        "price": "1",
        "valid_from": "2025-03-01",
    }
    body.update(change)
    answer = _post(login(org.director), "/api/prices/prices", body)
    assert answer.status_code == 422
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert not Price.objects.exists()


def test_discount_rules_through_the_api(org, login, price_list, base):
    body = {"column_id": base.pk, "role": "kam", "max_percent": "5"}
    assert _post(login(org.head_north), "/api/prices/discount-rules", body).status_code == 403
    director = login(org.director)
    answer = _post(director, "/api/prices/discount-rules", body)
    assert answer.status_code == 200 and answer.json()["max_percent"] == "5.00"
    bad = _post(director, "/api/prices/discount-rules", {**body, "max_percent": "101"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "max_percent"
    assert (
        _post(director, "/api/prices/discount-rules", {**body, "role": "boss"}).status_code == 422
    )
    assert DiscountRule.objects.get().max_percent == 5
    rules = director.get(f"/api/prices/{price_list.pk}/discount-rules").json()
    assert [(r["column_code"], r["role"]) for r in rules] == [("base", "kam")]
