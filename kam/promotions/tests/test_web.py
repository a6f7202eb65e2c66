"""The pages and the API: 200 for who may see, 404 for who may not, 403 for who sees but may
not decide, 400/422 with the message for bad input (nothing changed)."""

import json
import re
from decimal import Decimal

import pytest

from kam.promotions.models import Promotion
from kam.promotions.services import promotion_approve, promotion_record_cost
from kam.promotions.tests.conftest import propose

D = Decimal


@pytest.fixture
def promotion(org, book):
    p = propose(org.head_north, book)
    promotion_approve(actor=org.director, promotion=p)
    return promotion_record_cost(actor=org.director, promotion=p, cost=D("40"))


def test_list_and_detail_pages(org, book, promotion, login):
    client = login(org.kam_anna)
    page = client.get("/promotions/")
    assert page.status_code == 200
    assert "Spring syringes" in page.content.decode()
    detail = client.get(f"/promotions/{promotion.pk}/?as_of=2025-05-31")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'id="promotion-effect-data"' in html
    # CSP: no inline scripts; the chart's data is a JSON block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    chart = detail.context["chart"]
    assert chart["actual"] == ["180.00", "220.00", "300.00", "300.00"]
    assert chart["baseline"] == [None, None, "260.00", "300.00"]
    # Anna may not decide: no buttons.
    assert 'id="promotion-decision"' not in html
    assert "A1 SIA" in html


def test_another_kam_gets_404(org, book, promotion, login):
    client = login(org.kam_sigrid)
    assert "Spring syringes" not in client.get("/promotions/").content.decode()
    assert client.get(f"/promotions/{promotion.pk}/").status_code == 404
    assert client.get(f"/promotions/{promotion.pk + 99}/").status_code == 404
    assert client.get(f"/api/promotions/{promotion.pk}").status_code == 404
    assert client.get("/api/promotions/").json()["items"] == []


def test_the_director_approves_on_the_page_and_a_head_gets_403(org, book, login):
    p = propose(org.head_north, book)
    head = login(org.head_north)
    assert 'id="promotion-decision"' not in head.get(f"/promotions/{p.pk}/").content.decode()
    assert head.post(f"/promotions/{p.pk}/approve/").status_code == 403
    p.refresh_from_db()
    assert p.status == "proposed"
    director = login(org.director)
    page = director.get(f"/promotions/{p.pk}/")
    assert 'id="promotion-decision"' in page.content.decode()
    response = director.post(f"/promotions/{p.pk}/approve/", {"note": "ok"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.status, p.approved_by) == ("approved", org.director)


def test_propose_form(org, book, login):
    client = login(org.head_north)
    assert client.get("/promotions/new/").status_code == 200
    data = {
        "name": "Autumn",
        "kind": "bonus_goods",
        "starts_on": "2025-09-01",
        "ends_on": "2025-08-01",
        "budget": "100",
        "products": [book.p.pk],
        "accounts": [book.a1.pk],
    }
    bad = client.post("/promotions/new/", data)
    assert bad.status_code == 400
    assert "cannot end before it starts" in bad.content.decode()
    assert Promotion.objects.count() == 0
    data["ends_on"] = "2025-10-31"
    good = client.post("/promotions/new/", data)
    assert good.status_code == 302
    p = Promotion.objects.get()
    assert (p.name, p.status, p.proposed_by) == ("Autumn", "proposed", org.head_north)
    # A KAM may not propose.
    assert login(org.kam_anna).get("/promotions/new/").status_code == 403


def test_api(org, book, login):
    head = login(org.head_north)
    payload = {
        "name": "API spring",
        "kind": "extra_discount",
        "starts_on": "2025-03-01",
        "ends_on": "2025-04-30",
        "budget": "1000",
        "discount_percent": "10",
        "products": [book.p.pk],
        "accounts": [book.a1.pk, book.a2.pk],
    }
    bad = head.post(
        "/api/promotions/",
        json.dumps({**payload, "budget": "-5"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "budget"
    assert Promotion.objects.count() == 0
    made = head.post("/api/promotions/", json.dumps(payload), content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["status"] == "proposed"
    assert (
        head.post(
            f"/api/promotions/{pk}/approve", "{}", content_type="application/json"
        ).status_code
        == 403
    )
    director = login(org.director)
    ok = director.post(f"/api/promotions/{pk}/approve", "{}", content_type="application/json")
    assert ok.status_code == 200
    body = director.get(f"/api/promotions/{pk}?as_of=2025-05-31").json()
    assert body["status"] == "approved"
    effect = body["effect"]
    assert effect["turnover"]["vs_control"] == "139.33"
    assert effect["income"]["vs_control"] == "55.73"
    assert (effect["cost"], effect["cost_source"]) == ("66.67", "computed")
    assert effect["control_size"] == 3
    assert len(effect["series"]) == 4
    assert login(org.kam_anna).get(f"/api/promotions/{pk}").status_code == 200
    assert login(org.kam_sigrid).get(f"/api/promotions/{pk}").status_code == 404


def test_api_refuse_and_cost(org, book, login):
    p = propose(org.head_north, book)
    director = login(org.director)
    r = director.post(
        f"/api/promotions/{p.pk}/refuse",
        json.dumps({"note": "no"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "refused"
    cost = director.put(
        f"/api/promotions/{p.pk}/cost", json.dumps({"cost": "5"}), content_type="application/json"
    )
    assert cost.status_code == 422
    assert cost.json()["errors"][0]["field"] == "cost"


def test_refuse_edit_cost_and_close_on_the_pages(org, book, login):
    p = propose(org.head_north, book)
    head = login(org.head_north)
    assert head.get(f"/promotions/{p.pk}/edit/").status_code == 200
    bad = head.post(
        f"/promotions/{p.pk}/edit/",
        {
            "name": "Renamed",
            "kind": "bonus_goods",
            "starts_on": "2025-03-01",
            "ends_on": "2025-04-30",
            "budget": "-1",
            "products": [book.p.pk],
            "accounts": [book.a1.pk],
        },
    )
    assert bad.status_code == 400
    p.refresh_from_db()
    assert (p.name, p.budget) == ("Spring syringes", D("1000.00"))
    director = login(org.director)
    assert director.post(f"/promotions/{p.pk}/refuse/", {"note": "Not now"}).status_code == 302
    p.refresh_from_db()
    assert p.status == "refused" and "Not now" in p.note
    # A refused programme has no cost.
    assert director.post(f"/promotions/{p.pk}/cost/", {"cost": "10"}).status_code == 400

    q = propose(org.head_north, book, name="Second")
    promotion_approve(actor=org.director, promotion=q)
    assert director.post(f"/promotions/{q.pk}/cost/", {"cost": "12.50"}).status_code == 302
    assert director.post(f"/promotions/{q.pk}/close/").status_code == 302
    q.refresh_from_db()
    assert (q.cost, q.status) == (D("12.50"), "closed")
    assert login(org.head_north).post(f"/promotions/{q.pk}/cost/", {"cost": "1"}).status_code == 403
