"""``kam daily`` (issue 7 §1): the month's radar snapshot and review-due notifications, once a
day; the notifications page shows each person only their own."""

import json
from contextlib import contextmanager
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from kam.core import daily
from kam.core.models import DailyRun, Notification
from kam.core.periods import add_months, month_last_day
from kam.radar.models import Definition, KeyStatusSnapshot, SnapshotRun
from kam.radar.services import key_flag_set, radar_snapshot_take, wallet_estimate_record
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db


def run_daily(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("daily", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def today():
    return timezone.localdate()


@contextmanager
def recorded_on(day):
    """Record evidence as people did on ``day``: a review date must lie after the day it is
    set, so a review that is due now was set some days ago."""
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        yield


@pytest.fixture
def book(org, today):
    """Anna's client with sales last month, a partner flag whose review is today and a wallet
    whose review was yesterday; Sigrid's client with nothing due."""
    product = make_product()
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    southern = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    last_month = add_months(today, -1)
    for account in (aurora, southern):
        make_sale(account=account, product=product, on=last_month, revenue="5000", cost="1000")
    with recorded_on(today - timedelta(days=2)):
        key_flag_set(
            actor=org.kam_anna,
            account=aurora,
            definition=Definition.PARTNER,
            review_on=today,
            owner=org.regional_north,
        )
        wallet_estimate_record(
            actor=org.kam_anna,
            account=aurora,
            annual_budget=100_000,
            recorded_at=today - timedelta(days=30),
            review_on=today - timedelta(days=1),
        )
    key_flag_set(
        actor=org.kam_sigrid,
        account=southern,
        definition=Definition.REFERENCE,
        review_on=today + timedelta(days=30),
    )
    return {"aurora": aurora, "southern": southern}


def test_snapshot_service_is_idempotent(book, today):
    period_end = month_last_day(add_months(today, -1))
    first = radar_snapshot_take(actor=None, period_end=period_end)
    rows = KeyStatusSnapshot.objects.filter(period_end=period_end).count()
    assert first == rows > 0
    assert radar_snapshot_take(actor=None, period_end=period_end) == first
    assert KeyStatusSnapshot.objects.filter(period_end=period_end).count() == rows
    assert SnapshotRun.objects.filter(period_end=period_end).count() == 1


def test_daily_takes_the_last_closed_months_snapshot_once(book, today):
    out = run_daily("--format", "json")
    result = json.loads(out)
    period_end = month_last_day(add_months(today, -1))
    assert result["already_done"] is False
    assert result["steps"]["radar.snapshot"] == {
        "period_end": str(period_end),
        "taken": True,
        "rows": KeyStatusSnapshot.objects.filter(period_end=period_end).count(),
    }
    assert SnapshotRun.objects.get().period_end == period_end
    # The same day again: "already done", nothing runs.
    again = run_daily()
    assert "already done" in again
    # Forced: the steps run, the snapshot is not retaken twice into duplicates.
    rows = KeyStatusSnapshot.objects.count()
    forced = json.loads(run_daily("--force", "--format", "json"))
    assert forced["already_done"] is False
    assert KeyStatusSnapshot.objects.count() == rows
    assert SnapshotRun.objects.count() == 1
    assert DailyRun.objects.count() == 1


def test_review_due_sends_one_notification_per_item_to_the_kam(org, book, today):
    summary = json.loads(run_daily("--format", "json"))["steps"]["radar.review_due"]
    assert summary == {"due": 2, "sent": 3}
    anna = Notification.objects.filter(recipient=org.kam_anna)
    assert anna.count() == 2  # the flag and the wallet
    assert all(n.link == f"/clients/{book['aurora'].pk}/" for n in anna)
    assert {n.kind for n in anna} == {Notification.Kind.REVIEW_DUE}
    assert any("Partner" in n.text() and "Aurora" in n.text() for n in anna)
    # The flag's owner (Anna's regional manager, who sees the client) is told too.
    assert Notification.objects.filter(recipient=org.regional_north).count() == 1
    # Sigrid's review is a month away: nothing for her.
    assert not Notification.objects.filter(recipient=org.kam_sigrid).exists()
    # A rerun, forced or not, the same day creates nothing.
    run_daily()
    run_daily("--force")
    assert Notification.objects.count() == 3


def test_an_unanswered_review_is_not_repeated_but_a_new_review_date_is(org, book, today):
    yesterday = today - timedelta(days=1)
    run_daily("--as-of", str(yesterday))  # only the wallet was due yesterday
    assert Notification.objects.filter(recipient=org.kam_anna).count() == 1
    run_daily("--as-of", str(today))  # today the flag too; the wallet is not told again
    assert Notification.objects.filter(recipient=org.kam_anna).count() == 2


def test_a_flag_owner_who_cannot_see_the_client_is_not_told(org, book, today):
    with recorded_on(today - timedelta(days=2)):
        key_flag_set(
            actor=org.kam_anna,
            account=book["aurora"],
            definition=Definition.PARTNER,
            review_on=today,
            owner=org.kam_sigrid,
        )
    run_daily()
    assert not Notification.objects.filter(recipient=org.kam_sigrid).exists()
    assert Notification.objects.filter(recipient=org.kam_anna).count() == 2


def test_a_failing_step_is_one_line_exit_1_and_the_others_still_run(book, monkeypatch, today):
    def broken(*, as_of, force):
        raise RuntimeError("the warehouse is closed\nsecond line")

    steps = dict(daily._STEPS)
    steps["zz.broken"] = daily.Step("zz.broken", 5, broken)
    monkeypatch.setattr(daily, "_STEPS", steps)
    with pytest.raises(CommandError) as err:
        run_daily()
    assert str(err.value) == "step zz.broken failed: RuntimeError: the warehouse is closed"
    assert SnapshotRun.objects.count() == 1  # the radar's steps ran after it
    assert Notification.objects.count() == 3
    run = DailyRun.objects.get(day=today)
    assert run.finished_at is None  # so the next run is not "already done"
    monkeypatch.setattr(daily, "_STEPS", {k: v for k, v in steps.items() if k != "zz.broken"})
    assert "already done" not in run_daily()
    assert DailyRun.objects.get(day=today).finished_at is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13-01", "--as-of '2026-13-01' is not a date (YYYY-MM-DD)."),
        ("0001-01-01", "--as-of: 0001-01-01 is outside the allowed dates"),
        ("2999-01-01", "--as-of: 2999-01-01 is outside the allowed dates"),
    ],
)
def test_a_bad_as_of_is_one_line(db, value, message):
    with pytest.raises(CommandError) as err:
        run_daily("--as-of", value)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)
    assert not DailyRun.objects.exists()


def test_notifications_page_shows_each_person_only_their_own(org, book, login, client):
    run_daily()
    mine = Notification.objects.filter(recipient=org.kam_anna).order_by("pk")
    page = login(org.kam_anna).get(reverse("notifications:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert all(escape(n.text()) in html for n in mine)
    assert 'class="kam-badge"' in html and ">2</span>" in html

    regional = Notification.objects.get(recipient=org.regional_north)
    client.logout()
    other = login(org.kam_sigrid)
    html = other.get(reverse("notifications:list")).content.decode()
    assert "Aurora" not in html
    # Sigrid cannot mark Anna's notifications read.
    other.post(reverse("notifications:read"), {"id": [n.pk for n in mine]})
    assert Notification.objects.filter(recipient=org.kam_anna, read_at__isnull=True).count() == 2
    # Anna marks one read, then all; the regional manager's stays unread.
    client.logout()
    anna = login(org.kam_anna)
    response = anna.post(reverse("notifications:read"), {"id": [mine[0].pk]})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=org.kam_anna, read_at__isnull=True).count() == 1
    anna.post(reverse("notifications:read"))
    assert not Notification.objects.filter(recipient=org.kam_anna, read_at__isnull=True).exists()
    assert 'class="kam-badge"' not in anna.get(reverse("notifications:list")).content.decode()
    regional.refresh_from_db()
    assert regional.read_at is None


def test_mark_read_refuses_get_and_ignores_junk_ids(org, book, login):
    run_daily()
    anna = login(org.kam_anna)
    assert anna.get(reverse("notifications:read")).status_code == 405
    response = anna.post(reverse("notifications:read"), {"id": ["x", "9" * 40, "²"]})
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


def test_the_menu_counts_unread_in_one_query(org, book, login):
    run_daily()
    anna = login(org.kam_anna)
    with CaptureQueriesContext(connection) as queries:
        html = anna.get(reverse("clients:list")).content.decode()
    hits = [q["sql"] for q in queries if "core_notification" in q["sql"]]
    assert len(hits) == 1
    assert f'href="{reverse("notifications:list")}"' in html and ">2</span>" in html


def test_notifications_page_needs_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_notification_send_once_a_day_and_once_ever(org):
    from kam.core.services import notification_send

    args = {
        "recipient": org.kam_anna,
        "kind": Notification.Kind.REVIEW_DUE,
        "key": "keyflag:1:2026-01-01",
        "subject": "Review due",
    }
    day = date(2026, 3, 1)
    assert notification_send(**args, on=day) is not None
    assert notification_send(**args, on=day) is None
    assert notification_send(**args, on=day + timedelta(days=1)) is not None
    assert notification_send(**args, on=day + timedelta(days=2), once=True) is None
    assert Notification.objects.count() == 2


def test_a_notice_reads_in_the_language_of_whoever_reads_it(org, book, today, login):
    """kam daily runs in English; the notice is shown in the reader's language."""
    run_daily()
    c = login(org.kam_anna)
    c.cookies["django_language"] = "lv"
    html = c.get(reverse("notifications:list")).content.decode()
    assert "Jāpārskata: Aurora Pharmacy SIA" in html
    assert "Review due:" not in html
    wallet = Notification.objects.get(recipient=org.kam_anna, key__startswith="wallet:")
    with translation.override("ru"):
        assert wallet.text().startswith("Требуется пересмотр: Aurora Pharmacy SIA")
        assert "Wallet estimate" not in wallet.text()
    with translation.override("en"):
        due = (today - timedelta(days=1)).strftime("%-d %b %Y")
        assert wallet.text() == (
            f"Review due: Wallet estimate of Aurora Pharmacy SIA (review date {due})"
        )
