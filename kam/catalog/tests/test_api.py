"""The products API: open to every signed-in person, exact money, fixed query count."""

from decimal import Decimal

import pytest

from kam.catalog.services import category_get_or_create
from kam.testing import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(db):
    tablets = category_get_or_create(name="Tablets")
    syrups = category_get_or_create(name="Syrups")
    return {
        "aspirin": make_product(
            sku="ASP-100", name="Aspirin 100 mg", category=tablets, cost=Decimal("0.1250")
        ),
        "ibuprofen": make_product(sku="IBU-200", name="Ibuprofen 200 mg", category=tablets),
        "syrup": make_product(sku="SYR-001", name="Cough syrup", category=syrups),
    }


def skus(response):
    assert response.status_code == 200, response.content
    return [row["sku"] for row in response.json()["items"]]


def test_every_signed_in_person_reads_the_catalogue(org, products, login):
    assert skus(login(org.kam_anna).get("/api/products/")) == ["ASP-100", "IBU-200", "SYR-001"]
    assert skus(login(org.kam_sigrid).get("/api/products/")) == ["ASP-100", "IBU-200", "SYR-001"]


def test_anonymous_gets_401(products, client):
    response = client.get("/api/products/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_search_and_category_filter(org, products, login):
    client = login(org.kam_anna)
    assert skus(client.get("/api/products/", {"q": "mg"})) == ["ASP-100", "IBU-200"]
    assert skus(client.get("/api/products/", {"q": "syr"})) == ["SYR-001"]
    category = products["syrup"].category_id
    assert skus(client.get("/api/products/", {"category_id": category})) == ["SYR-001"]


def test_pagination(org, products, login):
    body = login(org.kam_anna).get("/api/products/", {"page": 2, "page_size": 2}).json()
    assert body["count"] == 3
    assert [r["sku"] for r in body["items"]] == ["SYR-001"]


def test_page_size_over_200_is_422(org, login):
    response = login(org.kam_anna).get("/api/products/", {"page_size": 500})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == "page_size"


def test_detail_money_is_an_exact_string_with_currency(org, products, login):
    response = login(org.kam_anna).get(f"/api/products/{products['aspirin'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["standard_cost"] == "0.1250"
    assert body["currency"] == "EUR"
    assert body["category"]["name"] == "Tablets"


def test_missing_product_is_404_json(org, login):
    response = login(org.kam_anna).get("/api/products/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_makes_a_fixed_number_of_queries(org, login, django_assert_max_num_queries):
    for n in range(3):
        category = category_get_or_create(name=f"Category {n}")
        for _ in range(10):
            make_product(category=category)
    client = login(org.kam_anna)
    client.get("/api/products/", {"page_size": 1})
    # session, user, count, page
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/products/", {"page_size": 200}).json()["items"]) == 30
