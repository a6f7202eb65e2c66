"""The collection API (AR-2) at /api/collection: the list, a client's debt, recording a promise
and sending a reminder, scoped like the pages. Every permission test has two users."""

from datetime import timedelta

import pytest

from kam.receivables.models import PaymentPromise, Reminder
from kam.receivables.tests.collection_data import contact, invoice, today
from kam.testing import make_account

pytestmark = pytest.mark.django_db

BASE = "/api/collection"


@pytest.fixture
def book(org):
    anna = make_account(owner=org.kam_anna, legal_name="Anna Owes SIA")
    invoice(anna, "500", days_overdue=40)
    sigrid = make_account(owner=org.kam_sigrid, legal_name="Sigrid Owes AS")
    invoice(sigrid, "100", days_overdue=100)
    contact(anna, email="pay@anna.example")
    return {"anna": anna, "sigrid": sigrid}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_list_is_scoped_and_refused_to_support(org, book, login):
    body = login(org.kam_anna).get(BASE).json()
    assert [r["account_name"] for r in body["items"]] == ["Anna Owes SIA"]
    row = body["items"][0]
    assert row["overdue"] == "500.00" and row["days_overdue"] == 40
    assert row["priority"] == "20000.00" and row["promise"] is None
    assert body["count"] == 1 and body["currency"] == "EUR"

    body = login(org.credit).get(BASE, {"page_size": 1, "page": 2}).json()
    assert body["count"] == 2 and [r["account_name"] for r in body["items"]] == ["Sigrid Owes AS"]
    assert body["total_overdue"] == "600.00"

    response = login(org.support_north).get(BASE)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert "credit control may work on the debt" in response.json()["message"]


def test_client_detail_two_users(org, book, login):
    url = f"{BASE}/clients/{book['anna'].pk}"
    body = login(org.head_north).get(url).json()
    assert body["overdue"] == "500.00" and body["contact_email"] == "pay@anna.example"
    assert len(body["invoices"]) == 1 and body["next_level"] == 1
    assert login(org.kam_sigrid).get(url).status_code == 404
    assert login(org.support_north).get(url).status_code == 403
    assert login(org.kam_anna).get(f"{BASE}/clients/{2**63}").status_code == 404


def test_record_a_promise_two_users_and_bad_input(org, book, login):
    url = f"{BASE}/clients/{book['anna'].pk}/promises"
    when = (today() + timedelta(5)).isoformat()
    assert (
        post(login(org.kam_sigrid), url, {"promised_on": when, "amount": "10"}).status_code == 404
    )
    response = post(login(org.support_north), url, {"promised_on": when, "amount": "10"})
    assert response.status_code == 403

    anna = login(org.kam_anna)
    response = post(anna, url, {"promised_on": when, "amount": "0"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"
    response = post(anna, url, {"promised_on": "not a date", "amount": "10"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "promised_on"
    assert not PaymentPromise.objects.exists()

    response = post(anna, url, {"promised_on": when, "amount": "250.50"})
    assert response.status_code == 201
    assert response.json()["amount"] == "250.50" and response.json()["status"] == "open"
    row = anna.get(BASE).json()["items"][0]
    assert row["promise"]["promised_on"] == when


def test_send_a_reminder_then_the_retry_returns_the_first(
    org, book, login, mailoutbox, django_capture_on_commit_callbacks
):
    url = f"{BASE}/clients/{book['anna'].pk}/reminders"
    assert post(login(org.kam_sigrid), url, {}).status_code == 404
    assert post(login(org.support_north), url, {}).status_code == 403

    anna = login(org.kam_anna)
    with django_capture_on_commit_callbacks(execute=True):
        first = post(anna, url, {"language": "ru"})
    assert first.status_code == 201 and first.json()["created"] is True
    with django_capture_on_commit_callbacks(execute=True):
        again = post(anna, url, {"language": "ru"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["id"] == first.json()["id"] and again.json()["status"] == "sent"
    assert len(mailoutbox) == 1 and mailoutbox[0].subject.startswith("Напоминание")
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"), [({"language": "xx"}, "language"), ({"level": 9}, "level")]
)
def test_bad_reminder_requests_are_422_naming_the_field(org, book, login, payload, field):
    url = f"{BASE}/clients/{book['anna'].pk}/reminders"
    response = post(login(org.kam_anna), url, payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Reminder.objects.exists()
