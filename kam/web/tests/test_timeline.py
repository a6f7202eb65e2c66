"""A client's and a person's timeline (issue 11 item 8): rows of several kinds newest first,
scope (404 alike for missing and not yours), kind and date filters, the page cap, and a fixed
number of queries per page whatever its length."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activity.services import activity_log
from kam.activity.services_complaints import complaint_record
from kam.activity.services_tasks import task_assign
from kam.clients.services import contact_create
from kam.relations.models import AccountPlan, PlanReview
from kam.relations.services import (
    competitor_activity_record,
    note_add,
    profile_update,
    relation_add,
    stage_move,
)
from kam.testing import make_account
from kam.web import timeline

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def client_url(account, **params) -> str:
    return reverse("clients:timeline", args=[account.pk])


def person_url(contact) -> str:
    return reverse("clients:person_timeline", args=[contact.pk])


def kinds_and_days(response) -> list[tuple[str, date]]:
    return [(r.kind, r.day) for r in response.context["page"].rows]


@pytest.fixture
def book(org):
    anna = make_account(owner=org.kam_anna, legal_name="Aurora Hospital SIA")
    boris = make_account(owner=org.kam_boris, legal_name="Bora Clinic SIA")
    head = contact_create(actor=None, account=anna, first_name="Ilze", last_name="Head")
    nurse = contact_create(actor=None, account=anna, first_name="Nora", last_name="Nurse")
    doctor = contact_create(actor=None, account=boris, first_name="Dins", last_name="Doctor")
    a = org.kam_anna
    activity_log(
        actor=a,
        account=anna,
        kind="visit",
        starts_at=at(date(2026, 3, 2)),
        purpose="Quarterly review",
        outcome="Agreed a trial",
        people=[head],
    )
    task_assign(
        actor=org.head_north,
        assignee=a,
        title="Send the price offer",
        due_on=timezone.localdate() + timedelta(days=5),  # a task is due from today on
        account=anna,
    )
    complaint_record(
        actor=a,
        account=anna,
        category="delivery",
        description="Late delivery",
        received_on=date(2026, 2, 20),
    )
    stage_move(actor=a, contact=head, to_stage="acquaintance", on=date(2026, 2, 10))
    note_add(actor=a, account=anna, kind="need", text="Needs cold storage", on=date(2026, 3, 4))
    plan = AccountPlan.objects.create(
        account=anna,
        title="Aurora 2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        owner=a,
        currency="EUR",
    )
    PlanReview.objects.create(plan=plan, by=org.head_north, on=date(2026, 2, 1))
    competitor_activity_record(
        actor=a,
        contact=head,
        competitor="Rival Pharma",
        what="Lunch talk",
        seen_on=date(2026, 1, 15),
    )
    relation_add(actor=a, from_person=nurse, to_person=head, kind="reports_to")
    profile_update(actor=a, contact=head, family="Married, two children", interests="Sailing")
    # Boris's client: never on Anna's pages
    note_add(
        actor=org.kam_boris, account=boris, kind="need", text="Boris only", on=date(2026, 3, 4)
    )
    return {"anna": anna, "boris": boris, "head": head, "nurse": nurse, "doctor": doctor}


def test_anna_sees_her_clients_timeline_newest_first(client, org, book):
    client.force_login(org.kam_anna)
    response = client.get(client_url(book["anna"]))
    assert response.status_code == 200
    assert kinds_and_days(response) == [
        ("task", timezone.localdate() + timedelta(days=5)),
        ("note", date(2026, 3, 4)),
        ("activity", date(2026, 3, 2)),
        ("complaint", date(2026, 2, 20)),
        ("stage", date(2026, 2, 10)),
        ("review", date(2026, 2, 1)),
    ]
    body = response.content.decode()
    assert "Needs cold storage" in body
    assert "Boris only" not in body
    assert reverse("activity:complaint", args=[book["anna"].complaints.get().pk]) in body


def test_boris_gets_404_alike_for_not_his_and_missing(client, org, book):
    client.force_login(org.kam_boris)
    assert client.get(client_url(book["anna"])).status_code == 404
    assert client.get(reverse("clients:timeline", args=[999999])).status_code == 404
    assert client.get(person_url(book["head"])).status_code == 404
    assert client.get(reverse("clients:person_timeline", args=[999999])).status_code == 404


def test_support_north_sees_the_timeline(client, org, book):
    client.force_login(org.support_north)
    response = client.get(client_url(book["anna"]))
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 6


def test_filter_by_kinds_and_dates(client, org, book):
    client.force_login(org.kam_anna)
    url = client_url(book["anna"])
    response = client.get(url, {"kind": ["note", "complaint"]})
    assert kinds_and_days(response) == [
        ("note", date(2026, 3, 4)),
        ("complaint", date(2026, 2, 20)),
    ]
    response = client.get(url, {"first": "2026-02-10", "last": "2026-03-02"})
    assert [k for k, _ in kinds_and_days(response)] == ["activity", "complaint", "stage"]
    # the end before the start: refused with the message, no rows
    response = client.get(url, {"first": "2026-03-02", "last": "2026-02-01"})
    assert response.status_code == 400
    assert response.context["page"].rows == []
    # an unknown kind is refused too, never a 500
    assert client.get(url, {"kind": "salary"}).status_code == 400


def test_dates_far_out_are_pulled_into_range(client, org, book):
    client.force_login(org.kam_anna)
    response = client.get(client_url(book["anna"]), {"first": "1900-01-01", "last": "9999-12-31"})
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 6


def test_htmx_gets_the_rows_partial(client, org, book):
    client.force_login(org.kam_anna)
    response = client.get(client_url(book["anna"]), {"kind": "note"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Needs cold storage" in body
    assert "<form" not in body


def test_person_timeline_without_personal_fields(client, org, book):
    client.force_login(org.kam_anna)
    response = client.get(person_url(book["head"]))
    assert response.status_code == 200
    assert kinds_and_days(response)[1:] == [
        ("activity", date(2026, 3, 2)),
        ("stage", date(2026, 2, 10)),
        ("competitor", date(2026, 1, 15)),
    ]
    assert kinds_and_days(response)[0][0] == "relation"  # recorded today
    body = response.content.decode()
    assert "Rival Pharma" in body
    assert "Married" not in body and "Sailing" not in body
    # support sees the person's client, so the timeline too
    client.force_login(org.support_north)
    assert client.get(person_url(book["head"])).status_code == 200


def _many_notes(org, account, n):
    for i in range(n):
        note_add(
            actor=org.kam_anna,
            account=account,
            kind="feedback",
            text=f"Note {i}",
            on=date(2025, 1, 1 + i % 28),
        )


def test_paging_and_its_cap(client, org, book):
    _many_notes(org, book["anna"], 30)  # 36 rows: a full first page and a second one
    client.force_login(org.kam_anna)
    url = client_url(book["anna"])
    first = client.get(url).context["page"]
    assert len(first.rows) == timeline.PER_PAGE and first.has_next
    second = client.get(url, {"page": 2}).context["page"]
    assert len(second.rows) == 36 - timeline.PER_PAGE and not second.has_next
    assert {(r.kind, r.pk) for r in first.rows}.isdisjoint({(r.kind, r.pk) for r in second.rows})
    # a page number past the cap (or absurd) is pulled back, never an error
    capped = client.get(url, {"page": 10**30})
    assert capped.status_code == 200
    assert capped.context["page"].number == timeline.MAX_PAGE
    assert capped.context["page"].rows == []
    assert client.get(url, {"page": "x"}).context["page"].number == 1


def test_queries_per_page_do_not_grow_with_its_length(
    client, org, book, django_assert_max_num_queries
):
    client.force_login(org.kam_anna)
    url = client_url(book["anna"])
    client.get(url)  # warm the session and settings caches
    # one query per source (each scoped afresh: deputyships are read per scope), plus the
    # session, the user and the client: 30 at most, and the same again for a full page
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    _many_notes(org, book["anna"], 30)
    for i in range(10):
        activity_log(
            actor=org.kam_anna,
            account=book["anna"],
            kind="call",
            starts_at=at(date(2025, 6, 1 + i)),
            purpose=f"Call {i}",
            outcome="ok",
            people=[book["head"], book["nurse"]],
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["page"].rows) == timeline.PER_PAGE
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(url, {"page": 2}).context["page"].rows) == 46 - timeline.PER_PAGE
    with django_assert_max_num_queries(20):
        response = client.get(person_url(book["head"]))
    assert len(response.context["page"].rows) == 14


def test_orders_drafted_submitted_and_shipped(client, org, book):
    from kam.orders.tests.returns_fixtures import make_order, make_shipment
    from kam.testing import make_product

    product = make_product(name="Amoxicillin 500")
    order = make_order(
        account=book["anna"],
        created_by=org.kam_anna,
        lines=[(product, 2, "10")],
        on=date(2026, 3, 3),
    )
    make_shipment(order=order, shipped_on=date(2026, 3, 6))
    make_order(account=book["boris"], created_by=org.kam_boris, lines=[(product, 1, "5")])
    client.force_login(org.kam_anna)
    response = client.get(client_url(book["anna"]), {"kind": "order"})
    assert kinds_and_days(response) == [
        ("order", timezone.localdate()),  # drafted: created now
        ("order", date(2026, 3, 6)),  # shipped
        ("order", date(2026, 3, 3)),  # submitted
    ]
    assert all(
        r.url == reverse("orders:detail", args=[order.pk]) for r in response.context["page"].rows
    )
    client.force_login(org.kam_boris)
    assert client.get(client_url(book["anna"]), {"kind": "order"}).status_code == 404


def test_events_and_trainings_sit_on_the_client_and_the_person_timeline(org, client):
    """Issue 11 item 4: an event a client's person was invited to and a training given to the
    client appear on both timelines; another KAM's client's timeline shows neither."""
    from kam.activity.services_events import event_create, event_invite

    anna_client = make_account(owner=org.kam_anna, legal_name="Aurora Hospital SIA")
    boris_client = make_account(owner=org.kam_boris, legal_name="Bora Clinic SIA")
    nurse = contact_create(actor=None, account=anna_client, first_name="Nora", last_name="Nurse")
    congress = event_create(
        actor=org.kam_anna, kind="industry", title="Baltic Lab Congress", starts_on=date(2026, 5, 4)
    )
    event_invite(actor=org.kam_anna, event=congress, contacts=[nurse])
    event_create(
        actor=org.kam_anna,
        kind="training",
        title="Analyser training",
        starts_on=date(2026, 6, 8),
        account=anna_client,
    )
    client.force_login(org.kam_anna)
    rows = client.get(reverse("clients:timeline", args=[anna_client.pk])).context["page"].rows
    assert [(r.kind, r.day) for r in rows if r.kind == "event"] == [
        ("event", date(2026, 6, 8)),
        ("event", date(2026, 5, 4)),
    ]
    person = client.get(reverse("clients:person_timeline", args=[nurse.pk])).context["page"]
    assert [(r.kind, r.day) for r in person.rows] == [("event", date(2026, 5, 4))]
    other = client.get(reverse("clients:timeline", args=[boris_client.pk]))
    assert other.status_code == 404
    client.force_login(org.kam_boris)
    rows = client.get(reverse("clients:timeline", args=[boris_client.pk])).context["page"].rows
    assert [r for r in rows if r.kind == "event"] == []
