"""Price pages: everyone reads the matrix as of a day and exports it; only price.manage sees
and uses the forms (403 with the sentence otherwise); refusals shown on the field (422)."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kam.pricing import services
from kam.pricing.models import DiscountRule, Price, PriceColumn


@pytest.fixture
def priced(org, base, key, product):
    services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    services.price_set(
        actor=org.director, column=base, product=product, price="11", valid_from=date(2025, 7, 1)
    )
    services.price_set(
        actor=org.director, column=key, product=product, price="9", valid_from=date(2025, 1, 1)
    )


def test_everyone_reads_the_matrix_only_managers_see_forms(org, login, price_list, priced):
    kam = login(org.kam_anna).get(f"/prices/{price_list.pk}/", {"on": "2025-06-01"})
    html = kam.content.decode()
    assert kam.status_code == 200 and "price-matrix" in html and "10.00" in html
    assert "set-price" not in html
    director = (
        login(org.director).get(f"/prices/{price_list.pk}/", {"on": "2025-07-01"}).content.decode()
    )
    assert "set-price" in director and "11.00" in director
    assert login(org.kam_anna).get("/prices/").status_code == 200


def test_the_export_is_the_matrix_as_of_the_day(org, login, price_list, priced):
    client = login(org.kam_anna)
    csv = client.get(f"/prices/{price_list.pk}/export.csv", {"on": "2025-06-01"}).content.decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[1] == "P-1,Pump,pcs,10.0000,9.0000"
    xlsx = client.get(f"/prices/{price_list.pk}/export.xlsx", {"on": "2025-07-01"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Base (EUR)", "Key (EUR)")
    assert rows[1][3] == 11


def test_a_kam_may_not_post_the_forms(org, login, price_list, base, product):
    kam = login(org.kam_anna)
    answer = kam.post(
        f"/prices/{price_list.pk}/prices/set/",
        {"product": "P-1", "column": base.pk, "price": "1", "valid_from": "2025-01-01"},
    )
    assert answer.status_code == 403
    assert (
        kam.post(f"/prices/{price_list.pk}/columns/new/", {"code": "x", "name": "X"}).status_code
        == 403
    )
    assert (
        kam.post(
            f"/prices/{price_list.pk}/rules/set/",
            {"column": base.pk, "role": "kam", "max_percent": "5"},
        ).status_code
        == 403
    )
    assert kam.post("/prices/new/", {"name": "Mine", "currency": "EUR"}).status_code == 403
    assert not Price.objects.exists() and not DiscountRule.objects.exists()


def test_a_director_sets_prices_columns_and_rules(org, login, price_list, base, product):
    director = login(org.director)
    set_url = f"/prices/{price_list.pk}/prices/set/"
    ok = director.post(
        set_url, {"product": "P-1", "column": base.pk, "price": "5", "valid_from": "2025-01-01"}
    )
    assert ok.status_code == 302
    overlap = director.post(
        set_url,
        {
            "product": "P-1",
            "column": base.pk,
            "price": "6",
            "valid_from": "2024-06-01",
            "valid_to": "2025-02-01",
        },
    )
    assert overlap.status_code == 422 and "already has a price" in overlap.content.decode()
    unknown = director.post(
        set_url, {"product": "NOPE", "column": base.pk, "price": "6", "valid_from": "2025-01-01"}
    )
    assert unknown.status_code == 422 and "No product has SKU NOPE" in unknown.content.decode()
    assert Price.objects.count() == 1
    assert (
        director.post(
            f"/prices/{price_list.pk}/columns/new/", {"code": "key", "name": "Key"}
        ).status_code
        == 302
    )
    key = PriceColumn.objects.get(code="key")
    assert director.post(f"/prices/columns/{key.pk}/base/").status_code == 302
    key.refresh_from_db()
    assert key.is_base
    bad_rule = director.post(
        f"/prices/{price_list.pk}/rules/set/",
        {"column": key.pk, "role": "kam", "max_percent": "150"},
    )
    assert bad_rule.status_code == 422
    assert (
        director.post(
            f"/prices/{price_list.pk}/rules/set/",
            {"column": key.pk, "role": "kam", "max_percent": "15"},
        ).status_code
        == 302
    )
    assert DiscountRule.objects.get().max_percent == 15
    price = Price.objects.get()
    assert director.post(f"/prices/prices/{price.pk}/delete/").status_code == 302
    assert not Price.objects.exists()


def test_the_price_page_costs_the_same_at_any_size(
    org, login, price_list, base, key, django_assert_max_num_queries
):
    from kam.testing import make_product

    for n in range(30):
        product = make_product(sku=f"Q-{n:03d}")
        services.price_set(
            actor=None, column=base, product=product, price=n + 1, valid_from=date(2025, 1, 1)
        )
    client = login(org.director)
    with django_assert_max_num_queries(14):
        page = client.get(f"/prices/{price_list.pk}/", {"on": "2025-02-01"})
    assert page.content.decode().count("Q-0") == 30
