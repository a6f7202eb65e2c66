"""Complaints' pages and API (/schedule/complaints/, /api/activity/complaints), each with the
user allowed and the one who must not: the list with its statistics, chart and CSV/XLSX,
a new complaint (404 on a client out of scope), the detail, resolving (the resolution
required, named), another owner, reopening."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from kam.activity.models import Complaint
from kam.activity.selectors_complaints import client_panel
from kam.activity.services_complaints import complaint_record, complaint_resolve
from kam.activity.services_tasks import task_assign

pytestmark = pytest.mark.django_db

J = "application/json"


def record(actor, account, **kw):
    return complaint_record(
        actor=actor,
        account=account,
        category=kw.pop("category", "quality"),
        description=kw.pop("description", "Broken seals"),
        received_on=kw.pop("received_on", date(2025, 6, 2)),
        **kw,
    )


@pytest.fixture
def three(org, book):
    """Anna's Aurora: quality resolved in 10 days, delivery open; Sigrid's Sud: price open."""
    a = record(org.kam_anna, book.aurora, description="=HYPERLINK(1)")
    complaint_resolve(
        actor=org.kam_anna, complaint=a, resolution="Credit note", resolved_on=date(2025, 6, 12)
    )
    b = record(org.kam_anna, book.aurora, category="delivery", received_on=date(2025, 6, 5))
    c = record(org.kam_sigrid, book.sud, category="price", received_on=date(2025, 6, 1))
    return a, b, c


def test_the_list_with_statistics_and_chart_for_each_user(org, book, three, sign_in):
    a, b, c = three
    r = sign_in(org.kam_anna).get("/schedule/complaints/", {"as_of": "2025-06-30"})
    html = r.content.decode()
    assert r.status_code == 200
    assert f'data-complaint="{a.pk}"' in html and f'data-complaint="{b.pk}"' in html
    assert f'data-complaint="{c.pk}"' not in html
    assert re.search(r'data-stat="total">2<', html) and re.search(r'data-stat="median">10.0<', html)
    # delivery received 5 June, open 25 days on 30 June
    assert re.search(r'data-stat="open-too-long">1<', html)
    data = json.loads(re.search(r'id="complaint-chart-data"[^>]*>(.*?)</script>', html).group(1))
    assert data["counts"] == [1, 1, 0, 0, 0, 0]
    assert "activity/complaints.js" in html and "chart-4.6.1.umd.min.js" in html
    html = sign_in(org.kam_sigrid).get("/schedule/complaints/").content.decode()
    assert f'data-complaint="{c.pk}"' in html and f'data-complaint="{a.pk}"' not in html
    r = sign_in(org.kam_anna).get("/schedule/complaints/", {"status": "open"})
    html = r.content.decode()
    assert f'data-complaint="{b.pk}"' in html and f'data-complaint="{a.pk}"' not in html
    r = sign_in(org.kam_anna).get("/schedule/complaints/", {"client": book.sud.pk})
    assert r.status_code == 404
    r = sign_in(org.kam_anna).get(
        "/schedule/complaints/", {"category": "delivery"}, HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert "<html" not in html and f'data-complaint="{b.pk}"' in html
    assert f'data-complaint="{a.pk}"' not in html


def test_the_csv_and_xlsx_downloads(org, book, three, sign_in):
    a, b, _c = three
    r = sign_in(org.kam_anna).get("/schedule/complaints/", {"format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Number", "Received on", "Client"]
    assert rows[1:] == [
        [str(b.pk), "2025-06-05", "Aurora SIA", "40001", "", "Delivery", "Open", "Anna Kam",
         "Broken seals", "", "", ""],
        [str(a.pk), "2025-06-02", "Aurora SIA", "40001", "", "Quality", "Resolved", "Anna Kam",
         "'=HYPERLINK(1)", "Credit note", "2025-06-12", "10"],
    ]  # fmt: skip
    r = sign_in(org.kam_sigrid).get("/schedule/complaints/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["Sud SIA"]
    r = sign_in(org.kam_anna).get("/schedule/complaints/", {"format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_a_new_complaint_from_the_page(org, book, sign_in):
    anna = sign_in(org.kam_anna)
    r = anna.get("/schedule/complaints/new/")
    assert r.status_code == 200
    assert "Aurora SIA" in r.content.decode() and "Sud SIA" not in r.content.decode()
    r = anna.get("/schedule/complaints/new/", {"client": book.aurora.pk})
    assert r.status_code == 200 and "Support" in r.content.decode()
    data = {
        "client": book.aurora.pk,
        "category": "service",
        "description": "Rude driver",
        "received_on": "2025-06-03",
    }
    r = anna.post("/schedule/complaints/new/", {**data, "client": book.sud.pk})
    assert r.status_code == 404
    r = anna.post("/schedule/complaints/new/", {**data, "order_number": "NOPE"})
    assert r.status_code == 400 and "The client has no order NOPE." in r.content.decode()
    assert Complaint.objects.count() == 0
    r = anna.post("/schedule/complaints/new/", {**data, "owner": org.support_north.pk})
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert r["Location"] == f"/schedule/complaints/{c.pk}/"
    assert (c.category, c.owner, c.received_on) == ("service", org.support_north, date(2025, 6, 3))
    assert sign_in(org.credit).get("/schedule/complaints/new/").status_code == 403


def test_detail_resolve_assign_reopen_on_the_pages(org, book, sign_in):
    c = record(org.kam_anna, book.aurora)
    anna, sigrid = sign_in(org.kam_anna), sign_in(org.kam_sigrid)
    r = anna.get(f"/schedule/complaints/{c.pk}/")
    assert r.status_code == 200 and "Broken seals" in r.content.decode()
    assert 'id="complaint-assign"' in r.content.decode()
    assert sigrid.get(f"/schedule/complaints/{c.pk}/").status_code == 404
    assert sigrid.get(f"/schedule/complaints/{c.pk}/resolve/").status_code == 404
    r = sign_in(org.credit).get(f"/schedule/complaints/{c.pk}/")
    assert r.status_code == 200 and "complaint_resolve" not in r.content.decode()
    assert sign_in(org.credit).get(f"/schedule/complaints/{c.pk}/resolve/").status_code == 403
    r = anna.post(
        f"/schedule/complaints/{c.pk}/resolve/", {"resolution": "", "resolved_on": "2025-06-09"}
    )
    assert r.status_code == 400 and "This field is required." in r.content.decode()
    c.refresh_from_db()
    assert c.status == "open"
    r = sigrid.post(f"/schedule/complaints/{c.pk}/assign/", {"owner": org.kam_sigrid.pk})
    assert r.status_code == 404
    r = anna.post(f"/schedule/complaints/{c.pk}/assign/", {"owner": org.support_north.pk})
    assert r.status_code == 302
    r = anna.post(
        f"/schedule/complaints/{c.pk}/resolve/",
        {"resolution": "Replaced the goods", "resolved_on": "2025-06-09"},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.owner, c.days_to_resolve) == ("resolved", org.support_north, 7)
    r = anna.get(f"/schedule/complaints/{c.pk}/")
    assert 'id="complaint-days">7<' in r.content.decode()
    assert sigrid.post(f"/schedule/complaints/{c.pk}/reopen/", {"reason": "x"}).status_code == 404
    r = anna.post(f"/schedule/complaints/{c.pk}/reopen/", {"reason": "Came back"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.resolved_on) == ("open", None)


# --- the API -----------------------------------------------------------------------------------


def post(client, path, data):
    return client.post(f"/api/activity/complaints{path}", data, content_type=J)


def test_api_create_list_and_resolve(org, book, sign_in):
    anna, sigrid = sign_in(org.kam_anna), sign_in(org.kam_sigrid)
    body = {
        "client_id": book.aurora.pk,
        "category": "conflict",
        "description": "Argued about the discount",
        "received_on": "2025-06-02",
    }
    assert post(anna, "", {**body, "client_id": book.sud.pk}).status_code == 404
    r = post(anna, "", {**body, "category": "weather"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category"
    assert post(sign_in(org.credit), "", body).status_code == 403
    assert Complaint.objects.count() == 0
    r = post(anna, "", body)
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["client"], made["status"], made["owner"], made["days_to_resolve"]) == (
        "Aurora SIA",
        "open",
        "Anna Kam",
        None,
    )
    pk = made["id"]
    items = anna.get("/api/activity/complaints", {"status": "open"}).json()["items"]
    assert [i["id"] for i in items] == [pk]
    assert sigrid.get("/api/activity/complaints").json()["items"] == []
    assert sigrid.get(f"/api/activity/complaints/{pk}").status_code == 404
    assert sigrid.get("/api/activity/complaints", {"client_id": book.aurora.pk}).status_code == 404
    assert post(sigrid, f"/{pk}/resolve", {"resolution": "x"}).status_code == 404
    r = post(anna, f"/{pk}/resolve", {"resolution": "", "resolved_on": "2025-06-20"})
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "resolution", "in": "body", "message": "This field is required."}
    ]
    r = post(anna, f"/{pk}/resolve", {"resolution": "Met and agreed", "resolved_on": "2025-06-20"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["days_to_resolve"]) == ("resolved", 18)


def test_the_client_panel(org, book, three):
    a, b, _c = three
    panel = client_panel(user=org.kam_anna, account=book.aurora, as_of=date(2025, 6, 30))
    assert panel["complaints_open"] == [b] and panel["complaints_stats"].total == 2
    html = render_to_string("activity/complaints/_client_panel.html", panel)
    assert f'data-complaint="{b.pk}"' in html and f'data-complaint="{a.pk}"' not in html
    assert "Median time to resolve: 10.0 days." in html
    assert client_panel(user=org.kam_sigrid, account=book.aurora, as_of=date(2025, 6, 30)) is None


def test_the_lists_make_a_fixed_number_of_queries(
    org, book, sign_in, django_assert_max_num_queries
):
    for i in range(12):
        record(org.kam_anna, book.aurora if i % 2 else book.birch, received_on=date(2025, 5, 1 + i))
    for i in range(12):
        task_assign(
            actor=org.regional_north,
            assignee=org.kam_anna,
            title=f"Task {i}",
            due_on=timezone.localdate(),
            account=book.aurora,
        )
    anna = sign_in(org.kam_anna)
    with django_assert_max_num_queries(12):
        assert anna.get("/schedule/complaints/").status_code == 200
    with django_assert_max_num_queries(12):
        assert anna.get("/schedule/tasks/").status_code == 200
