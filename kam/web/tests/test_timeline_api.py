"""The timelines' API (issue 11 items 8, 9): a client's and a person's rows newest first, 404
alike for missing and not yours, the kind and date filters, bad filters answering 422 and huge
page numbers the capped page, and no personal profile field in the answer."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.activity.services import activity_log
from kam.activity.services_complaints import complaint_record
from kam.activity.services_tasks import task_assign
from kam.clients.services import contact_create
from kam.org.services import api_token_create
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


@pytest.fixture
def api(client):
    """``api(user).get(path, params)``: the timeline API as ``user`` (bearer token)."""

    class Caller:
        def __init__(self, user):
            _, key = api_token_create(actor=None, user=user, name="test")
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def get(self, path, params=None):
            return client.get(f"/api/timeline{path}", params or {}, **self.auth)

    return Caller


@pytest.fixture
def book(org):
    anna = make_account(owner=org.kam_anna, legal_name="Aurora Hospital SIA")
    boris = make_account(owner=org.kam_boris, legal_name="Bora Clinic SIA")
    head = contact_create(actor=None, account=anna, first_name="Ilze", last_name="Head")
    nurse = contact_create(actor=None, account=anna, first_name="Nora", last_name="Nurse")
    a = org.kam_anna
    visit = activity_log(
        actor=a,
        account=anna,
        kind="visit",
        starts_at=timezone.make_aware(datetime.combine(date(2026, 3, 2), time(10))),
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
    competitor_activity_record(
        actor=a,
        contact=head,
        competitor="Rival Pharma",
        what="Lunch talk",
        seen_on=date(2026, 1, 15),
    )
    relation_add(actor=a, from_person=nurse, to_person=head, kind="reports_to")
    profile_update(
        actor=a,
        contact=head,
        birthday=date(1975, 9, 9),
        family="Married, two children",
        interests="Sailing",
    )
    note_add(
        actor=org.kam_boris, account=boris, kind="need", text="Boris only", on=date(2026, 3, 4)
    )
    return {"anna": anna, "boris": boris, "head": head, "nurse": nurse, "visit": visit}


def kinds_and_days(response) -> list[tuple[str, str]]:
    return [(r["kind"], r["day"]) for r in response.json()["rows"]]


def test_anna_gets_her_clients_rows_newest_first(org, book, api):
    r = api(org.kam_anna).get(f"/clients/{book['anna'].pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["page"] == 1 and body["has_next"] is False
    assert kinds_and_days(r) == [
        ("task", (timezone.localdate() + timedelta(days=5)).isoformat()),
        ("note", "2026-03-04"),
        ("activity", "2026-03-02"),
        ("complaint", "2026-02-20"),
        ("stage", "2026-02-10"),
    ]
    ats = [row["at"] for row in body["rows"]]
    assert all(at.endswith("Z") for at in ats)  # in UTC, as every timestamp of the API
    assert ats == sorted(ats, reverse=True)
    activity = body["rows"][2]
    assert datetime.fromisoformat(activity["at"]) == book["visit"].starts_at
    assert "Quarterly review" in activity["title"]
    assert activity["who"] == str(org.kam_anna)
    assert activity["url"] == reverse("activity:item", args=[book["visit"].pk])
    assert "Needs cold storage" in body["rows"][1]["title"]
    assert "Boris only" not in r.content.decode()


def test_the_answer_is_the_pages_rows(org, book, api, client):
    client.force_login(org.kam_anna)
    page = client.get(reverse("clients:timeline", args=[book["anna"].pk])).context["page"]
    rows = api(org.kam_anna).get(f"/clients/{book['anna'].pk}").json()["rows"]
    assert [(r["kind"], r["title"], r["who"], r["url"]) for r in rows] == [
        (r.kind, r.title, r.who, r.url) for r in page.rows
    ]


def test_another_kam_gets_404_alike_for_the_client_and_its_person(org, book, api):
    boris = api(org.kam_boris)
    hidden = boris.get(f"/clients/{book['anna'].pk}")
    missing = boris.get("/clients/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    hidden = boris.get(f"/people/{book['head'].pk}")
    missing = boris.get("/people/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    # and what Anna sees, Boris's own client's timeline does not show her rows
    assert api(org.kam_sigrid).get(f"/people/{book['head'].pk}").status_code == 404
    own = boris.get(f"/clients/{book['boris'].pk}")
    assert own.status_code == 200
    assert [r["title"] for r in own.json()["rows"]] == ["Note (Need): Boris only"]


def test_support_of_the_department_sees_the_timelines(org, book, api):
    support = api(org.support_north)
    assert len(support.get(f"/clients/{book['anna'].pk}").json()["rows"]) == 5
    assert support.get(f"/people/{book['head'].pk}").status_code == 200


def test_filter_by_kinds_repeated_or_comma_separated(org, book, api):
    anna = api(org.kam_anna)
    path = f"/clients/{book['anna'].pk}"
    want = [("note", "2026-03-04"), ("complaint", "2026-02-20")]
    assert kinds_and_days(anna.get(path, {"kinds": ["note", "complaint"]})) == want
    assert kinds_and_days(anna.get(path, {"kinds": "note,complaint"})) == want
    assert kinds_and_days(anna.get(path, {"kinds": "note, complaint,"})) == want


def test_filter_by_dates_both_included(org, book, api):
    anna = api(org.kam_anna)
    r = anna.get(f"/clients/{book['anna'].pk}", {"from": "2026-02-10", "until": "2026-03-02"})
    assert [k for k, _ in kinds_and_days(r)] == ["activity", "complaint", "stage"]
    r = anna.get(f"/people/{book['head'].pk}", {"until": "2026-02-28"})
    assert kinds_and_days(r) == [("stage", "2026-02-10"), ("competitor", "2026-01-15")]
    # far-off dates are pulled into range, as on the page
    r = anna.get(f"/clients/{book['anna'].pk}", {"from": "1900-01-01", "until": "9999-12-31"})
    assert r.status_code == 200 and len(r.json()["rows"]) == 5


def test_a_kind_of_the_other_timeline_is_refused_naming_the_parameter(org, book, api):
    anna = api(org.kam_anna)
    r = anna.get(f"/clients/{book['anna'].pk}", {"kinds": "note,competitor"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid"
    [error] = body["errors"]
    assert (error["field"], error["in"]) == ("kinds", "query")
    assert "competitor" in error["message"]
    assert all(kind in error["message"] for kind in timeline.CLIENT_KINDS)
    r = anna.get(f"/people/{book['head'].pk}", {"kinds": ["stage", "order"]})
    assert r.status_code == 422
    message = r.json()["errors"][0]["message"]
    assert "order" in message and all(kind in message for kind in timeline.PERSON_KINDS)
    assert (
        "salary"
        in anna.get(f"/people/{book['head'].pk}", {"kinds": "salary"}).json()["errors"][0][
            "message"
        ]
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-02", "until": "2026-02-01"}, "until"),
        ({"from": "2026-02-30"}, "from"),
        ({"until": "soon"}, "until"),
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
    ],
)
def test_bad_dates_and_pages_are_a_422_naming_the_parameter(org, book, api, params, field):
    r = api(org.kam_anna).get(f"/clients/{book['anna'].pk}", params)
    assert r.status_code == 422, r.content
    assert [(e["field"], e["in"]) for e in r.json()["errors"]] == [(field, "query")]


@pytest.mark.parametrize("page", [timeline.MAX_PAGE + 1, 9223372036854775807, 10**30])
def test_a_huge_page_number_reads_as_the_last_allowed_page(org, book, api, page):
    for path in (f"/clients/{book['anna'].pk}", f"/people/{book['head'].pk}"):
        r = api(org.kam_anna).get(path, {"page": page})
        assert r.status_code == 200, r.content
        assert r.json() == {"page": timeline.MAX_PAGE, "has_next": False, "rows": []}


def test_paging(org, book, api):
    for i in range(30):
        note_add(
            actor=org.kam_anna,
            account=book["anna"],
            kind="feedback",
            text=f"Note {i}",
            on=date(2025, 1, 1 + i % 28),
        )
    anna = api(org.kam_anna)
    first = anna.get(f"/clients/{book['anna'].pk}").json()
    assert len(first["rows"]) == timeline.PER_PAGE and first["has_next"] is True
    second = anna.get(f"/clients/{book['anna'].pk}", {"page": 2}).json()
    assert second["page"] == 2 and second["has_next"] is False
    assert len(second["rows"]) == 35 - timeline.PER_PAGE


def test_the_person_timeline_never_carries_the_personal_part(org, book, api):
    # Anna may see the personal part on the profile, yet the timeline never carries it
    r = api(org.kam_anna).get(f"/people/{book['head'].pk}")
    assert r.status_code == 200
    assert [k for k, _ in kinds_and_days(r)] == [
        "relation",  # recorded today
        "activity",
        "stage",
        "competitor",
    ]
    text = json.dumps(r.json())
    assert "Rival Pharma" in text and "Nora Nurse" in text
    for personal in ("Married", "Sailing", "1975-09-09", "birthday", "family", "interests"):
        assert personal not in text
    client_text = json.dumps(api(org.kam_anna).get(f"/clients/{book['anna'].pk}").json())
    assert "Married" not in client_text and "Sailing" not in client_text
