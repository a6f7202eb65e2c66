"""The CSV/XLSX downloads of the tasks list, the events and trainings lists and a client's
activities (issue 11 item 9), each with the user allowed and the one who must not see: the
right content type, the rows the page shows (its filters applied), nothing of anyone else's,
and a number of queries that does not grow with the rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kam.activity import services
from kam.activity import services_events as events
from kam.activity.models import Task
from kam.activity.services_tasks import task_assign, task_comment, task_status
from kam.activity.tests.conftest import utc
from kam.clients.services import contact_create
from kam.testing import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


# --- tasks ------------------------------------------------------------------------------------


def give(actor, assignee, *, days=3, **kw):
    return task_assign(
        actor=actor,
        assignee=assignee,
        title=kw.pop("title", "Call Aurora about the tender"),
        due_on=today() + timedelta(days=days),
        **kw,
    )


def test_tasks_download_for_the_assignee_and_not_for_another_kam(org, book, sign_in):
    task = give(org.regional_north, org.kam_anna, account=book.aurora)
    task_comment(actor=org.kam_anna, task=task, text="First try: no answer")
    task_comment(actor=org.regional_north, task=task, text="Try again on Monday")
    Task.objects.filter(pk=task.pk).update(due_on=today() - timedelta(days=2))
    anna = sign_in(org.kam_anna)
    [row] = csv_rows(anna.get("/schedule/tasks/", {"format": "csv"}))
    assert row == {
        "Number": str(task.pk),
        "Title": "Call Aurora about the tender",
        "Client": "Aurora SIA",
        "Registration number": "40001",
        "Given by": "Rita Regional",
        "Assigned to": "Anna Kam",
        "Given on": today().isoformat(),
        "Due on": (today() - timedelta(days=2)).isoformat(),
        "Status": "Open",
        "Done on": "",
        "Overdue": "yes",
        "Last comment": "Try again on Monday",
    }
    [row] = xlsx_rows(anna.get("/schedule/tasks/", {"format": "xlsx", "tab": "overdue"}))
    assert row["Number"] == task.pk and row["Overdue"] == "yes"
    assert row["Last comment"] == "Try again on Monday"
    # the giver finds it on the "given" tab; another KAM finds it on none
    given = csv_rows(sign_in(org.regional_north).get("/schedule/tasks/?tab=given&format=csv"))
    assert [r["Number"] for r in given] == [str(task.pk)]
    boris = sign_in(org.kam_boris)
    for tab in ("mine", "given", "overdue"):
        assert csv_rows(boris.get("/schedule/tasks/", {"tab": tab, "format": "csv"})) == []
    page = anna.get("/schedule/tasks/?tab=overdue").content.decode()
    assert 'id="export-csv"' in page and "format=csv" in page and "tab=overdue" in page


def test_tasks_download_honours_the_status_filter(org, book, sign_in):
    open_task = give(org.regional_north, org.kam_anna, title="Still open")
    done = give(org.regional_north, org.kam_anna, title="Already done")
    task_status(actor=org.kam_anna, task=done, status="done")
    anna = sign_in(org.kam_anna)
    rows = csv_rows(anna.get("/schedule/tasks/", {"status": "done", "format": "csv"}))
    assert [(r["Number"], r["Status"], r["Done on"]) for r in rows] == [
        (str(done.pk), "Done", today().isoformat())
    ]
    rows = csv_rows(anna.get("/schedule/tasks/", {"status": "open", "format": "csv"}))
    assert [r["Number"] for r in rows] == [str(open_task.pk)]
    assert rows[0]["Overdue"] == "no" and rows[0]["Client"] == ""


def test_tasks_download_makes_the_same_queries_for_one_task_or_many(
    org, book, sign_in, django_assert_num_queries
):
    anna = sign_in(org.kam_anna)
    give(org.regional_north, org.kam_anna, account=book.aurora)
    with CaptureQueriesContext(connection) as one:
        assert len(csv_rows(anna.get("/schedule/tasks/?format=csv"))) == 1
    for i in range(5):
        t = give(org.regional_north, org.kam_anna, account=book.birch, title=f"Task {i}")
        task_comment(actor=org.kam_anna, task=t, text=f"note {i}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(csv_rows(anna.get("/schedule/tasks/?format=csv"))) == 6


# --- events and trainings ---------------------------------------------------------------------


def make_event(actor, *, days=-1, **kw):
    return events.event_create(
        actor=actor,
        kind=kw.pop("kind", "corporate"),
        title=kw.pop("title", "Spring reception"),
        starts_on=today() + timedelta(days=days),
        **kw,
    )


def pdf():
    return SimpleUploadedFile("deck.pdf", b"%PDF-1.4 hello", content_type="application/pdf")


@pytest.fixture
def cedar_person(book):
    return contact_create(actor=None, account=book.cedar, first_name="Cilda", last_name="Cedar")


def test_events_download_counts_what_the_reader_sees(org, book, sign_in, cedar_person):
    # Rita's reception: Ilze (Anna's client) came, Boris's person was invited too
    e = make_event(org.regional_north, place="Riga", days=-2)
    events.event_invite(actor=org.regional_north, event=e, contacts=[book.ilze, cedar_person])
    came = e.invitations.get(contact=book.ilze)
    events.attendance_record(actor=org.regional_north, invitation=came, status="came")
    events.presentation_add(actor=org.regional_north, event=e, title="Deck", upload=pdf())
    rows = csv_rows(sign_in(org.regional_north).get("/schedule/events/?format=csv"))
    assert rows == [
        {
            "Number": str(e.pk),
            "Kind": "Corporate event",
            "Title": "Spring reception",
            "Starts on": e.starts_on.isoformat(),
            "Ends on": e.ends_on.isoformat(),
            "Place": "Riga",
            "Organiser": "Rita Regional",
            "Client": "",
            "Registration number": "",
            "Clients of the invited": "Aurora SIA; Cedar SIA",
            "Invited": "2",
            "Came": "1",
            "Presentations": "1",
        }
    ]
    # Anna sees the event (her client's person was invited) but not Boris's person
    [row] = xlsx_rows(sign_in(org.kam_anna).get("/schedule/events/?format=xlsx"))
    assert row["Clients of the invited"] == "Aurora SIA"
    assert (row["Invited"], row["Came"], row["Presentations"]) == (1, 1, 1)
    # Sigrid sees nothing of it
    assert csv_rows(sign_in(org.kam_sigrid).get("/schedule/events/?format=csv")) == []


def test_trainings_download_and_the_kind_filter(org, book, sign_in):
    t = make_event(org.kam_anna, kind="training", account=book.aurora, title="GMP training")
    events.event_invite(actor=org.kam_anna, event=t, contacts=[book.ilze, book.juris])
    e = make_event(org.kam_anna, kind="industry", title="Pharma congress")
    anna = sign_in(org.kam_anna)
    [row] = csv_rows(anna.get("/schedule/trainings/?format=csv"))
    assert row["Number"] == str(t.pk) and row["Kind"] == "Training"
    assert (row["Client"], row["Registration number"]) == ("Aurora SIA", "40001")
    assert (row["Invited"], row["Came"], row["Presentations"]) == ("2", "0", "0")
    rows = csv_rows(anna.get("/schedule/events/?kind=industry&format=csv"))
    assert [r["Number"] for r in rows] == [str(e.pk)]
    assert {r["Number"] for r in csv_rows(anna.get("/schedule/events/?format=csv"))} == {
        str(t.pk),
        str(e.pk),
    }
    assert csv_rows(sign_in(org.kam_boris).get("/schedule/trainings/?format=csv")) == []
    page = anna.get("/schedule/trainings/").content.decode()
    assert 'id="export-xlsx"' in page and "format=xlsx" in page


def test_events_download_makes_the_same_queries_for_one_event_or_many(
    org, book, sign_in, django_assert_num_queries
):
    anna = sign_in(org.kam_anna)

    def add(i):
        e = make_event(org.kam_anna, title=f"Event {i}")
        events.event_invite(actor=org.kam_anna, event=e, contacts=[book.ilze, book.juris])
        events.presentation_add(actor=org.kam_anna, event=e, title="Deck", upload=pdf())

    add(0)
    with CaptureQueriesContext(connection) as one:
        assert len(csv_rows(anna.get("/schedule/events/?format=csv"))) == 1
    for i in range(1, 6):
        add(i)
    with django_assert_num_queries(len(one.captured_queries)):
        rows = csv_rows(anna.get("/schedule/events/?format=csv"))
    assert len(rows) == 6 and all(r["Invited"] == "2" for r in rows)


# --- a client's activities --------------------------------------------------------------------


def test_a_clients_activities_download_and_404_for_another_kam(org, book, sign_in):
    item = services.activity_plan(
        actor=org.kam_anna,
        account=book.aurora,
        kind="negotiation",
        starts_at=utc(2025, 6, 10, 7),
        purpose="Terms for 2026",
        people=[book.ilze, book.juris],
    )
    services.activity_complete(
        actor=org.kam_anna,
        item=item,
        outcome="Deferral agreed",
        next_step="Send the contract",
        next_step_on=utc(2025, 6, 20, 7).date(),
        topics=["payment", "prices"],
        agreed="60 days' deferral",
    )
    services.activity_log(
        actor=org.kam_anna,
        account=book.birch,
        kind="call",
        starts_at=utc(2025, 6, 11, 7),
        purpose="Birch's call",
        outcome="Fine",
    )
    anna = sign_in(org.kam_anna)
    [row] = csv_rows(anna.get(f"/schedule/clients/{book.aurora.pk}/?format=csv"))
    assert row["Kind"] == "Negotiation" and row["Status"] == "Done"
    assert row["KAM"] == "Anna Kam" and row["People"] == "Juris Kalns, Ilze Ozola"
    assert row["Purpose"] == "Terms for 2026" and row["Outcome"] == "Deferral agreed"
    assert (row["Next step"], row["Next step on"]) == ("Send the contract", "2025-06-20")
    assert row["Negotiation topics"] == "Payment, Prices"
    assert row["Agreed"] == "60 days' deferral"
    local = timezone.localtime(utc(2025, 6, 10, 7)).replace(tzinfo=None)
    assert row["When"] == local.isoformat(timespec="seconds")
    [row] = xlsx_rows(anna.get(f"/schedule/clients/{book.aurora.pk}/?format=xlsx"))
    assert row["Agreed"] == "60 days' deferral" and row["People"] == "Juris Kalns, Ilze Ozola"
    # the regional manager sees Anna's client; Boris and Sigrid get 404 as for a missing one
    regional = sign_in(org.regional_north)
    assert len(csv_rows(regional.get(f"/schedule/clients/{book.aurora.pk}/?format=csv"))) == 1
    for user in (org.kam_boris, org.kam_sigrid):
        r = sign_in(user).get(f"/schedule/clients/{book.aurora.pk}/?format=csv")
        assert r.status_code == 404
    page = anna.get(f"/schedule/clients/{book.aurora.pk}/").content.decode()
    assert 'id="export-csv"' in page


def test_a_clients_activities_download_makes_the_same_queries_for_one_or_many(
    org, book, sign_in, django_assert_num_queries
):
    def log(day):
        services.activity_log(
            actor=org.kam_anna,
            account=book.aurora,
            kind="call",
            starts_at=utc(2025, 6, day, 7),
            purpose=f"Call {day}",
            outcome="Done",
            people=[book.ilze],
        )

    anna = sign_in(org.kam_anna)
    url = f"/schedule/clients/{book.aurora.pk}/?format=csv"
    log(1)
    with CaptureQueriesContext(connection) as one:
        assert len(csv_rows(anna.get(url))) == 1
    for day in range(2, 8):
        log(day)
    with django_assert_num_queries(len(one.captured_queries)):
        rows = csv_rows(anna.get(url))
    assert len(rows) == 7 and {r["People"] for r in rows} == {"Ilze Ozola"}
