"""The credit API (/api/credit): a client's report, checks, limit and terms, the rules and the
watch list; scoped (404 out of scope), 403 with a sentence for in scope but not allowed, 422
naming the field for bad input with nothing changed."""

from datetime import date

import pytest

from kam.core.models import AuditEntry
from kam.credit.models import CreditAccount, CreditCheck
from kam.credit.selectors import credit_settings
from kam.credit.tests.conftest import invoice

pytestmark = pytest.mark.django_db

CHECK = {
    "method": "bank",
    "result": "conditional",
    "checked_on": "2025-06-01",
    "next_review_on": "2026-06-01",
    "score": "B",
}


def url(account, tail=""):
    return f"/api/credit/clients/{account.pk}{tail}"


def test_report_for_the_kam_and_404_for_another_kam(org, book, login):
    invoice(book.anna, "INV-1", date(2025, 4, 1), "400", due=date(2025, 5, 1))
    r = login(org.kam_anna).get(url(book.anna), {"as_of": "2025-06-30"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["limit"], data["exposure"], data["available"]) == ("10000.00", "400.00", "9600.00")
    assert data["open_orders"] == {"count": 0, "amount": "0.00"}
    assert data["blocked"] is True and data["reasons"][0]["code"] == "overdue"
    assert len(data["history"]) == 12
    assert login(org.kam_sigrid).get(url(book.anna)).status_code == 404
    assert login(org.kam_sigrid).get("/api/credit/clients/999999").status_code == 404


def test_credit_controller_posts_a_check_a_kam_is_refused(org, book, login):
    r = login(org.kam_anna).post(url(book.anna, "/checks"), CHECK, content_type="application/json")
    assert r.status_code == 403 and "credit controller" in r.json()["message"]
    r = login(org.kam_sigrid).post(
        url(book.anna, "/checks"), CHECK, content_type="application/json"
    )
    assert r.status_code == 404
    r = login(org.credit).post(url(book.anna, "/checks"), CHECK, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["result"] == "conditional" and r.json()["checked_by"] == "Carl Credit"
    listed = login(org.kam_anna).get(url(book.anna, "/checks")).json()
    assert [c["result"] for c in listed] == ["conditional", "approved"]


def test_a_bad_check_is_422_naming_the_field(org, book, login):
    bad = {**CHECK, "next_review_on": "2025-05-01"}
    r = login(org.credit).post(url(book.anna, "/checks"), bad, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "next_review_on"
    assert CreditCheck.objects.filter(account=book.anna).count() == 1


def test_put_the_limit_and_reset_it(org, book, login):
    client = login(org.credit)
    r = client.put(
        url(book.anna, "/limit"),
        {"limit": "2500", "payment_days": 20},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "client_id": book.anna.pk,
        "limit": "2500.00",
        "payment_days": 20,
        "source": "controller",
    }
    assert AuditEntry.objects.filter(entity="credit.creditaccount").count() == 1
    r = client.delete(url(book.anna, "/limit"))
    assert r.json()["limit"] == "10000.00" and r.json()["source"] == "contract"


def test_limit_refusals(org, book, login):
    body = {"limit": "-5", "payment_days": 20}
    r = login(org.credit).put(url(book.anna, "/limit"), body, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "limit"
    body = {"limit": "5", "payment_days": 400}
    r = login(org.credit).put(url(book.anna, "/limit"), body, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "payment_days"
    body = {"limit": "5", "payment_days": 20}
    assert (
        login(org.kam_anna)
        .put(url(book.anna, "/limit"), body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        login(org.kam_sigrid)
        .put(url(book.anna, "/limit"), body, content_type="application/json")
        .status_code
        == 404
    )
    assert not CreditAccount.objects.exists()


def test_settings_read_by_anyone_changed_by_the_controller(org, login):
    assert login(org.kam_anna).get("/api/credit/settings").json()["near_limit_percent"] == 80
    r = login(org.kam_anna).put(
        "/api/credit/settings", {"near_limit_percent": 90}, content_type="application/json"
    )
    assert r.status_code == 403
    r = login(org.credit).put(
        "/api/credit/settings", {"near_limit_percent": 90}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["near_limit_percent"] == 90
    r = login(org.credit).put(
        "/api/credit/settings", {"overdue_days_threshold": None}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "overdue_days_threshold"
    assert credit_settings().overdue_days_threshold == 30


def test_watchlist_is_scoped(org, book, login):
    invoice(book.anna, "A-1", date(2025, 6, 20), "9000", due=date(2025, 7, 20))
    invoice(book.sigrid, "S-1", date(2025, 6, 20), "12000", due=date(2025, 7, 20))
    rows = login(org.credit).get("/api/credit/watchlist", {"as_of": "2025-06-30"}).json()
    assert [(r["client"], r["flags"]) for r in rows["items"]] == [
        ("Sud Trade SIA", ["over_limit"]),
        ("Aurora SIA", ["near_limit"]),
    ]
    rows = login(org.kam_anna).get("/api/credit/watchlist", {"as_of": "2025-06-30"}).json()
    assert [r["client"] for r in rows["items"]] == ["Aurora SIA"] and rows["count"] == 1
