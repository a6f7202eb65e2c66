"""The schedule's pages, each with the user allowed and the one who must not see: the week
(htmx fragment, another KAM's 404), plan, log, complete, cancel, a client's activities, gone
quiet, the rhythm, the feed page and the public feed."""

from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from kam.activity import services
from kam.activity.models import Activity, CalendarFeed
from kam.activity.tests.conftest import AS_OF, utc
from kam.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def plan(actor, account, starts_at=None, **kw):
    return services.activity_plan(
        actor=actor,
        account=account,
        kind=kw.pop("kind", "visit"),
        starts_at=starts_at or utc(2025, 6, 10, 7),
        purpose=kw.pop("purpose", "Annual review"),
        **kw,
    )


def test_the_week_page_for_the_kam_and_the_head_404_for_another_kam(org, book, login):
    item = plan(org.kam_anna, book.aurora, people=[book.ilze])
    r = login(org.kam_anna).get("/schedule/", {"week": "2025-06-12"})
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-item="{item.pk}"' in html and "Ilze Ozola" in html
    assert html.count('class="activity-day') == 7
    assert 'data-day="2025-06-09"' in html and 'data-day="2025-06-15"' in html
    assert "activity/activity.css" in html
    r = login(org.kam_boris).get("/schedule/", {"week": "2025-06-12", "person": org.kam_anna.pk})
    assert r.status_code == 404
    r = login(org.head_north).get("/schedule/", {"week": "2025-06-12", "person": org.kam_anna.pk})
    assert r.status_code == 200 and f'data-item="{item.pk}"' in r.content.decode()


def test_htmx_moves_weeks_with_the_fragment_only(org, book, login):
    plan(org.kam_anna, book.aurora)
    r = login(org.kam_anna).get("/schedule/", {"week": "2025-06-16"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert 'data-week="2025-06-16"' in html and "data-item" not in html
    assert "?week=2025-06-09" in html and "?week=2025-06-23" in html


def test_plan_picks_the_client_first_and_refuses_another_kams_client(org, book, login):
    client = login(org.kam_anna)
    r = client.get("/schedule/plan/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Aurora SIA" in html and "Sud SIA" not in html
    r = client.get("/schedule/plan/", {"client": book.aurora.pk})
    assert r.status_code == 200 and "Juris Kalns" in r.content.decode()
    data = {
        "client": book.aurora.pk,
        "kind": "meeting",
        "starts_at": "2025-06-11T10:00",
        "purpose": "Plan the year",
        "people": [book.juris.pk],
    }
    r = client.post("/schedule/plan/", data)
    assert r.status_code == 302
    item = Activity.objects.get()
    assert item.starts_at == utc(2025, 6, 11, 7) and list(item.people.all()) == [book.juris]
    assert r["Location"] == "/schedule/?week=2025-06-11"
    r = client.post("/schedule/plan/", {**data, "client": book.sud.pk})
    assert r.status_code == 404
    assert (
        login(org.kam_sigrid).get("/schedule/plan/", {"client": book.aurora.pk}).status_code == 404
    )
    assert Activity.objects.count() == 1


def test_logging_in_the_future_is_refused_on_the_page_naming_the_field(org, book, login):
    client = login(org.kam_anna)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "client": book.aurora.pk,
        "kind": "call",
        "starts_at": later,
        "purpose": "Prices",
        "outcome": "Agreed",
    }
    r = client.post("/schedule/log/", data)
    assert r.status_code == 400
    assert "cannot start in the future" in r.content.decode()
    assert Activity.objects.count() == 0
    r = client.post("/schedule/log/", {**data, "starts_at": "2025-06-02T09:00"})
    assert r.status_code == 302 and r["Location"] == f"/schedule/clients/{book.aurora.pk}/"
    assert Activity.objects.get().status == "done"


def test_complete_and_cancel_on_the_items_page(org, book, login):
    item = plan(org.kam_anna, book.aurora)
    other = plan(org.kam_anna, book.aurora, starts_at=utc(2025, 6, 12, 7))
    client = login(org.kam_anna)
    r = client.get(f"/schedule/items/{item.pk}/")
    assert r.status_code == 200 and 'id="activity-complete"' in r.content.decode()
    r = client.post(
        f"/schedule/items/{item.pk}/complete/",
        {"outcome": "Good talk", "next_step": "Offer", "next_step_on": "2025-06-20"},
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.next_step_on) == ("done", date(2025, 6, 20))
    r = client.post(f"/schedule/items/{other.pk}/complete/", {"outcome": ""})
    assert r.status_code == 400
    boris = login(org.kam_boris)
    assert boris.get(f"/schedule/items/{other.pk}/").status_code == 404
    assert boris.post(f"/schedule/items/{other.pk}/cancel/", {"reason": "x"}).status_code == 404
    r = login(org.kam_anna).post(f"/schedule/items/{other.pk}/cancel/", {"reason": "Ill"})
    assert r.status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_a_clients_activities_page_and_its_panel(org, book, login):
    from kam.activity.selectors import client_panel

    services.activity_log(
        actor=org.kam_anna,
        account=book.aurora,
        kind="call",
        starts_at=utc(2025, 6, 20, 9),
        purpose="Follow-up",
        outcome="Order coming",
    )
    r = login(org.kam_anna).get(f"/schedule/clients/{book.aurora.pk}/")
    assert r.status_code == 200 and "Order coming" in r.content.decode()
    assert login(org.kam_sigrid).get(f"/schedule/clients/{book.aurora.pk}/").status_code == 404
    panel = client_panel(user=org.kam_anna, account=book.aurora, as_of=AS_OF)
    assert panel["activity_days_since"] == 10 and panel["activity_may_record"] is True
    assert [i.outcome for i in panel["activity_recent"]] == ["Order coming"]
    assert client_panel(user=org.kam_sigrid, account=book.aurora, as_of=AS_OF) is None
    assert (
        client_panel(user=org.support_north, account=book.aurora, as_of=AS_OF)[
            "activity_may_record"
        ]
        is False
    )


def test_gone_quiet_page_per_reader(org, book, login):
    r = login(org.kam_anna).get("/schedule/gone-quiet/", {"as_of": AS_OF.isoformat()})
    html = r.content.decode()
    assert r.status_code == 200
    assert f'data-client="{book.aurora.pk}"' in html and f'data-client="{book.sud.pk}"' not in html
    r = login(org.kam_sigrid).get("/schedule/gone-quiet/", {"as_of": AS_OF.isoformat()})
    html = r.content.decode()
    assert f'data-client="{book.sud.pk}"' in html and f'data-client="{book.aurora.pk}"' not in html


def test_the_home_panel(org, book):
    from kam.activity.selectors import home_panel

    panel = home_panel(user=org.kam_anna, as_of=AS_OF)
    assert [r.account_name for r in panel["activity_quiet"]] == ["Aurora SIA", "Birch SIA"]
    assert panel["activity_quiet_count"] == 2
    assert home_panel(user=org.credit, as_of=AS_OF) is None  # records no activities


def test_the_rhythm_page_is_read_by_all_changed_by_the_director(org, login):
    r = login(org.kam_anna).get("/schedule/settings/")
    assert r.status_code == 200 and "disabled" in r.content.decode()
    r = login(org.kam_anna).post("/schedule/settings/", {"level": "company", "critical_days": 7})
    assert r.status_code == 403
    r = login(org.director).post(
        "/schedule/settings/", {"level": "department", "critical_days": 7, "key_days": ""}
    )
    assert r.status_code == 302
    r = login(org.director).post("/schedule/settings/", {"level": "company", "critical_days": 0})
    assert r.status_code == 400 and "from 1 to 366" in r.content.decode()
    from kam.activity.selectors import activity_settings

    s = activity_settings()
    assert (s.level, s.critical_days, s.key_days) == ("department", 7, None)


def test_the_feed_page_shows_the_url_once_and_the_feed_works_without_login(
    org, book, login, client
):
    soon = timezone.now() + timedelta(days=1)
    mine = plan(org.kam_anna, book.aurora, starts_at=soon, purpose="Tasting; new line, v2")
    plan(org.kam_anna, book.birch, starts_at=soon + timedelta(hours=2))
    plan(org.kam_sigrid, book.sud, starts_at=soon)
    page = login(org.kam_anna)
    r = page.post("/schedule/feed/", {"do": "create"})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="activity-feed-secret"' in html
    url = html.split("<code>")[1].split("</code>")[0]
    path = url.split("testserver", 1)[1]
    assert page.get("/schedule/feed/").content.decode().count(path) == 0  # shown once
    client.logout()
    r = client.get(path)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/calendar; charset=utf-8"
    text = r.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 2
    assert f"UID:activity-{mine.pk}@kam\r\n" in text
    assert "SUMMARY:Visit: Aurora SIA\r\n" in text
    assert "Tasting\\; new line\\, v2" in text
    start = soon.astimezone(UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ")
    assert start in text
    assert "Sud SIA" not in text
    assert client.get("/schedule/feed/" + "x" * 43 + ".ics").status_code == 404
    # revoked: the same 404
    login(org.kam_anna).post("/schedule/feed/", {"do": "revoke"})
    assert CalendarFeed.objects.get().revoked_at is not None
    client.logout()
    assert client.get(path).status_code == 404
    assert AuditEntry.objects.filter(entity="activity.calendarfeed").count() == 2


def test_pages_need_a_login(client, org):
    for path in ("/schedule/", "/schedule/plan/", "/schedule/gone-quiet/", "/schedule/feed/"):
        r = client.get(path)
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_an_id_past_any_row_is_404_not_an_error(org, book, login):
    client = login(org.kam_anna)
    huge = 2**70
    for path in (f"/schedule/items/{huge}/", f"/schedule/clients/{huge}/"):
        assert client.get(path).status_code == 404
    assert client.get("/schedule/", {"person": huge}).status_code == 200  # the form ignores it
    assert client.get("/schedule/plan/", {"client": huge}).status_code == 404
