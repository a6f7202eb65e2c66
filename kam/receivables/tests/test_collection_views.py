"""The collection pages (AR-2): the list with its chart and downloads, a client's collection
page with the promise form and the reminder button. Every permission test has two users: the
one allowed and the one who must not (404 out of sight, 403 with a sentence in sight)."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kam.receivables.models import PaymentPromise, Reminder
from kam.receivables.tests.collection_data import contact, invoice, today
from kam.testing import make_account

pytestmark = pytest.mark.django_db

LIST = reverse("collection:list")


def page_url(account):
    return reverse("collection:client", args=[account.pk])


@pytest.fixture
def book(org):
    anna = make_account(owner=org.kam_anna, legal_name="Anna Owes SIA")
    invoice(anna, "500", days_overdue=40, number="INV-A1")
    boris = make_account(owner=org.kam_boris, legal_name="Boris Owes SIA")
    invoice(boris, "9000", days_overdue=10, number="INV-B1")
    sigrid = make_account(owner=org.kam_sigrid, legal_name="Sigrid Owes AS")
    invoice(sigrid, "100", days_overdue=100, number="INV-S1")
    contact(anna, email="pay@anna.example")
    return {"anna": anna, "boris": boris, "sigrid": sigrid}


def names(response):
    return [r.account_name for r in response.context["rows"]]


def test_list_per_reader(org, book, login):
    assert names(login(org.kam_anna).get(LIST)) == ["Anna Owes SIA"]
    # The head sees the department (North and North-Pharma), largest amount x days first.
    response = login(org.head_north).get(LIST)
    assert names(response) == ["Boris Owes SIA", "Anna Owes SIA"]
    assert response.context["owner_chart"] is not None  # two KAMs: the chart by KAM
    assert names(login(org.credit).get(LIST)) == [
        "Boris Owes SIA",  # 9000 x 10 days
        "Anna Owes SIA",  # 500 x 40
        "Sigrid Owes AS",  # 100 x 100
    ]


def test_list_refuses_a_role_that_does_not_work_on_debt(org, book, login):
    response = login(org.support_north).get(LIST)
    assert response.status_code == 403
    assert "credit control may work on the debt" in response.content.decode()
    assert login(org.kam_anna).get(LIST).status_code == 200


def test_list_shows_the_chart_data_and_a_kam_sees_no_chart_by_kam(org, book, login):
    response = login(org.kam_anna).get(LIST)
    html = response.content.decode()
    assert 'id="collection-buckets-data"' in html
    assert response.context["owner_chart"] is None
    chart = response.context["bucket_chart"]
    assert [float(x) for x in chart["income"]] == [0, 500, 0, 0]  # 40 days: the 31-60 bar
    json.dumps(chart)  # json_script can write it


def test_list_as_of_an_earlier_day(org, book, login):
    earlier = (today() - timedelta(20)).isoformat()
    response = login(org.head_north).get(LIST, {"as_of": earlier})
    assert names(response) == ["Anna Owes SIA"]  # Boris's invoice was not due yet
    assert response.context["rows"][0].days_overdue == 20


def test_htmx_gets_the_table_alone(org, book, login):
    response = login(org.kam_anna).get(LIST, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Anna Owes SIA" in html and "<html" not in html


def test_exports_csv_and_xlsx_are_scoped(org, book, login):
    anna = login(org.kam_anna)
    response = anna.get(reverse("collection:export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Client" and [r[0] for r in rows[1:]] == ["Anna Owes SIA"]
    assert rows[1][4] in {"500", "500.00"} and rows[1][8] == "40"

    credit = login(org.credit)
    response = credit.get(reverse("collection:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "Boris Owes SIA",  # 9000 x 10 days
        "Anna Owes SIA",  # 500 x 40
        "Sigrid Owes AS",  # 100 x 100
    ]
    assert credit.get(reverse("collection:export", args=["pdf"])).status_code == 404
    assert (
        login(org.support_north).get(reverse("collection:export", args=["csv"])).status_code == 403
    )


def test_client_page_two_users(org, book, login):
    anna_client = book["anna"]
    response = login(org.kam_anna).get(page_url(anna_client))
    assert response.status_code == 200
    html = response.content.decode()
    assert "INV-A1" in html and "pay@anna.example" in html
    # Another KAM does not see the client at all; sales support sees it but may not work on it.
    assert login(org.kam_boris).get(page_url(anna_client)).status_code == 404
    response = login(org.support_north).get(page_url(anna_client))
    assert response.status_code == 403
    assert "credit control may work on the debt" in response.content.decode()
    assert login(org.kam_anna).get(reverse("collection:client", args=[2**63])).status_code == 404


def test_promise_form_records_and_refuses_naming_the_field(org, book, login):
    anna = login(org.kam_anna)
    url = reverse("collection:promise_create", args=[book["anna"].pk])
    when = (today() + timedelta(10)).isoformat()
    response = anna.post(url, {"promised_on": when, "amount": "900"})
    assert response.status_code == 422
    assert "owes 500.00 EUR" in response.content.decode()
    assert response.context["promise_form"].errors["amount"]
    assert not PaymentPromise.objects.exists()

    response = anna.post(url, {"promised_on": when, "amount": "200", "note": "CFO on phone"})
    assert response.status_code == 302
    promise = PaymentPromise.objects.get()
    assert promise.amount == 200 and promise.recorded_by == org.kam_anna
    page = anna.get(page_url(book["anna"])).content.decode()
    assert "CFO on phone" in page


def test_promise_form_two_users(org, book, login):
    url = reverse("collection:promise_create", args=[book["anna"].pk])
    data = {"promised_on": (today() + timedelta(10)).isoformat(), "amount": "100"}
    assert login(org.kam_sigrid).post(url, data).status_code == 404
    assert login(org.support_north).post(url, data).status_code == 403
    assert not PaymentPromise.objects.exists()
    assert login(org.regional_north).post(url, data).status_code == 302
    assert PaymentPromise.objects.count() == 1


def test_reminder_button_queues_once_and_two_users(
    org, book, login, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("collection:reminder_create", args=[book["anna"].pk])
    assert login(org.kam_boris).post(url, {"language": "lv"}).status_code == 404
    assert login(org.support_north).post(url, {"language": "lv"}).status_code == 403
    anna = login(org.kam_anna)
    with django_capture_on_commit_callbacks(execute=True):
        response = anna.post(url, {"language": "lv"}, follow=True)
    assert response.status_code == 200
    assert [m.to for m in mailoutbox] == [["pay@anna.example"]]
    assert "queued to pay@anna.example" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = anna.post(url, {"language": "lv"}, follow=True)
    assert "already made today" in response.content.decode()
    assert len(mailoutbox) == 1
    reminder = Reminder.objects.get()
    assert reminder.language == "lv" and reminder.to_email == "pay@anna.example"


def test_reminder_without_a_contact_says_so_on_the_form(org, book, login):
    url = reverse("collection:reminder_create", args=[book["boris"].pk])
    response = login(org.kam_boris).post(url, {"language": "en"})
    assert response.status_code == 422
    assert "no contact person with an e-mail address" in response.content.decode()
    assert not Reminder.objects.exists()


def test_list_flags_promise_and_reminder(org, book, login):
    from kam.receivables.services_collection import promise_record

    promise_record(
        actor=org.kam_anna, account=book["anna"], promised_on=today() + timedelta(3), amount="50"
    )
    html = login(org.kam_anna).get(LIST).content.decode()
    assert "50.00" in html


def test_list_queries_do_not_grow_with_clients(org, login, django_assert_max_num_queries):
    for _n in range(15):
        account = make_account(owner=org.kam_anna)
        invoice(account, "10", days_overdue=5)
    anna = login(org.kam_anna)
    with django_assert_max_num_queries(14):
        assert anna.get(LIST).status_code == 200
