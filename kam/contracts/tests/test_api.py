"""/api/contracts: scoped reads (404 for another KAM's), create/renew by the client's sales
line, conclude/terminate by the head or director, bad fields 422 with nothing changed."""

import json
from datetime import date

import pytest

from kam.contracts.models import Contract
from kam.testing import make_contract


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def body(anna_client, column):
    return {
        "client_id": anna_client.pk,
        "number": "A-100",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
        "payment_days": 30,
        "price_column_id": column.pk,
        "credit_limit": "25000.00",
        "delivery_terms": "EXW",
    }


def test_the_list_and_detail_are_scoped(org, login, anna_client, sigrid_client, column):
    mine = make_contract(account=anna_client, column=column)
    make_contract(account=sigrid_client, column=column)
    anna = login(org.kam_anna)
    listed = anna.get("/api/contracts/").json()
    assert [c["id"] for c in listed["items"]] == [mine.pk]
    assert anna.get(f"/api/contracts/{mine.pk}").json()["versions"] == [mine.pk]
    sigrid = login(org.kam_sigrid)
    assert sigrid.get(f"/api/contracts/{mine.pk}").status_code == 404
    assert login(org.director).get("/api/contracts/", {"status": "active"}).json()["count"] == 2


def test_create_by_the_kam_not_by_another(org, login, body):
    assert _post(login(org.kam_sigrid), "/api/contracts/", body).status_code == 404
    assert _post(login(org.support_north), "/api/contracts/", body).status_code == 403
    assert not Contract.objects.exists()
    answer = _post(login(org.kam_anna), "/api/contracts/", body)
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert (data["status"], data["version"], data["credit_limit"], data["currency"]) == (
        "draft",
        1,
        "25000.00",
        "EUR",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2024-12-31"}, "ends_on"),
        ({"price_column_id": 999999}, "price_column"),
        ({"credit_limit": "-5"}, "credit_limit"),
        ({"number": "A\u0007"}, "number"),
        ({"payment_days": -1}, "payment_days"),
    ],
)
def test_bad_input_is_422_naming_the_field(org, login, body, change, field):
    answer = _post(login(org.kam_anna), "/api/contracts/", {**body, **change})
    assert answer.status_code == 422
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert not Contract.objects.exists()


def test_conclude_renew_terminate(org, login, body):
    anna = login(org.kam_anna)
    draft = _post(anna, "/api/contracts/", body).json()
    refused = _post(anna, f"/api/contracts/{draft['id']}/conclude")
    assert refused.status_code == 403 and "head of the department" in refused.json()["message"]
    assert _post(login(org.head_south), f"/api/contracts/{draft['id']}/conclude").status_code == 404
    head = login(org.head_north)
    # A date-less conclusion uses today; the test's dates lie in the past, so move them.
    Contract.objects.filter(pk=draft["id"]).update(ends_on=date(2099, 12, 31))
    concluded = _post(head, f"/api/contracts/{draft['id']}/conclude")
    assert concluded.status_code == 200 and concluded.json()["status"] == "active"
    anna = login(org.kam_anna)
    renewal = _post(
        anna, f"/api/contracts/{draft['id']}/renew", {"starts_on": "2026-01-01", "payment_days": 60}
    )
    assert renewal.status_code == 201, renewal.content
    data = renewal.json()
    assert (data["version"], data["previous_id"], data["payment_days"], data["delivery_terms"]) == (
        2,
        draft["id"],
        60,
        "EXW",
    )
    again = _post(anna, f"/api/contracts/{draft['id']}/renew", {"starts_on": "2026-01-01"})
    assert again.status_code == 422
    bad = _post(
        login(org.director),
        f"/api/contracts/{draft['id']}/terminate",
        {"on": "2024-01-01", "reason": "x"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on"
    ended = _post(
        login(org.director),
        f"/api/contracts/{draft['id']}/terminate",
        {"on": "2025-06-30", "reason": "Closed"},
    )
    assert ended.status_code == 200
    assert (ended.json()["status"], ended.json()["termination_reason"]) == ("terminated", "Closed")


def test_patch_changes_a_draft_only(org, login, anna_client, column):
    draft = make_contract(account=anna_client, column=column, status="draft", number="P-1")
    url = f"/api/contracts/{draft.pk}"
    assert (
        login(org.kam_sigrid)
        .patch(url, json.dumps({"payment_days": 10}), content_type="application/json")
        .status_code
        == 404
    )
    anna = login(org.kam_anna)
    ok = anna.patch(
        url, json.dumps({"payment_days": 10, "ends_on": None}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["payment_days"] == 10
    bad = anna.patch(url, json.dumps({"credit_limit": None}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "credit_limit"
    Contract.objects.filter(pk=draft.pk).update(status="active")
    refused = anna.patch(url, json.dumps({"payment_days": 20}), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"
    draft.refresh_from_db()
    assert draft.payment_days == 10
