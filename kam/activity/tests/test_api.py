"""The schedule's API (/api/activity): the week, plan, log, complete, cancel, a client's
items and gone quiet; two users each: 404 out of scope, 403 in scope but not allowed, 422
naming the field with nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.activity import services
from kam.activity.models import Activity
from kam.activity.tests.conftest import AS_OF, utc

pytestmark = pytest.mark.django_db

J = "application/json"


def post(client, path, data):
    return client.post(f"/api/activity{path}", data, content_type=J)


def test_plan_then_the_week_and_404_for_another_kams_client(org, book, login):
    anna = login(org.kam_anna)
    r = post(
        anna,
        "/planned",
        {
            "client_id": book.aurora.pk,
            "kind": "visit",
            "starts_at": "2025-06-10T10:00:00+03:00",
            "purpose": "Review",
            "people": [book.ilze.pk],
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "planned" and data["people"] == [
        {"id": book.ilze.pk, "name": "Ilze Ozola"}
    ]
    assert data["starts_at"].startswith("2025-06-10T07:00:00")
    week = anna.get("/api/activity/week", {"week": "2025-06-12"}).json()
    assert (week["week_start"], week["week_end"]) == ("2025-06-09", "2025-06-15")
    assert [len(d["items"]) for d in week["days"]] == [0, 1, 0, 0, 0, 0, 0]
    r = post(
        anna,
        "/planned",
        {
            "client_id": book.sud.pk,
            "kind": "visit",
            "starts_at": "2025-06-10T10:00:00Z",
            "purpose": "x",
        },
    )
    assert r.status_code == 404
    assert Activity.objects.count() == 1


def test_another_kams_week_is_404_the_heads_is_200(org, book, login):
    services.activity_plan(
        actor=org.kam_anna,
        account=book.aurora,
        kind="call",
        starts_at=utc(2025, 6, 10, 7),
        purpose="x",
    )
    q = {"week": "2025-06-10", "person": org.kam_anna.pk}
    assert login(org.kam_boris).get("/api/activity/week", q).status_code == 404
    r = login(org.head_north).get("/api/activity/week", q)
    assert r.status_code == 200 and r.json()["person"] == "Anna Kam"


def test_log_in_the_future_is_422_naming_the_field(org, book, login):
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    body = {
        "client_id": book.aurora.pk,
        "kind": "call",
        "starts_at": later,
        "purpose": "Prices",
        "outcome": "Agreed",
    }
    r = post(login(org.kam_anna), "/logged", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "starts_at"
    assert Activity.objects.count() == 0
    r = post(login(org.kam_anna), "/logged", {**body, "starts_at": "2025-06-02T09:00:00Z"})
    assert r.status_code == 201 and r.json()["status"] == "done"


def test_complete_and_cancel(org, book, login):
    item = services.activity_plan(
        actor=org.kam_anna,
        account=book.aurora,
        kind="negotiation",
        starts_at=utc(2025, 6, 10, 7),
        purpose="Terms",
    )
    r = post(
        login(org.kam_boris), f"/items/{item.pk}/complete", {"outcome": "x", "topics": ["prices"]}
    )
    assert r.status_code == 404
    r = post(login(org.kam_anna), f"/items/{item.pk}/complete", {"outcome": "Signed"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "topics"
    r = post(
        login(org.kam_anna),
        f"/items/{item.pk}/complete",
        {
            "outcome": "Signed",
            "topics": ["prices", "terms"],
            "agreed": "List -3 %",
            "next_step": "Visit",
            "next_step_on": "2025-07-01",
            "plan_next_step": True,
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["topics"] == ["terms", "prices"] and r.json()["status"] == "done"
    follow = Activity.objects.get(follows=item)
    r = post(login(org.kam_sigrid), f"/items/{follow.pk}/cancel", {"reason": "x"})
    assert r.status_code == 404
    r = post(login(org.kam_anna), f"/items/{follow.pk}/cancel", {"reason": "Moved"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    listed = login(org.kam_anna).get(f"/api/activity/clients/{book.aurora.pk}").json()
    assert listed["count"] == 2 and [i["id"] for i in listed["items"]] == [follow.pk, item.pk]
    assert login(org.kam_sigrid).get(f"/api/activity/clients/{book.aurora.pk}").status_code == 404


def test_support_sees_but_may_not_plan(org, book, login):
    r = post(
        login(org.support_north),
        "/planned",
        {
            "client_id": book.aurora.pk,
            "kind": "visit",
            "starts_at": "2025-06-10T10:00:00Z",
            "purpose": "x",
        },
    )
    assert r.status_code == 403 and "KAM" in r.json()["message"]


def test_gone_quiet_per_reader(org, book, login):
    services.activity_log(
        actor=org.kam_sigrid,
        account=book.sud,
        kind="visit",
        starts_at=utc(2025, 6, 20, 9),
        purpose="x",
        outcome="y",
    )
    anna = login(org.kam_anna).get("/api/activity/gone-quiet", {"as_of": AS_OF.isoformat()}).json()
    assert [(r["client"], r["key_status"], r["rhythm_days"], r["days_since"]) for r in anna] == [
        ("Aurora SIA", "critical", 14, None),
        ("Birch SIA", "key", 30, None),
    ]
    sigrid = (
        login(org.kam_sigrid).get("/api/activity/gone-quiet", {"as_of": AS_OF.isoformat()}).json()
    )
    assert sigrid == []  # Sud: 10 days ago, rhythm 14
