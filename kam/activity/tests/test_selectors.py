"""The schedule's reads: the week in the user's time zone and whose week one may open, the
key clients gone quiet (hand-made key clients from the radar), and the feed's secret."""

from datetime import date, timedelta

import pytest
from django.http import Http404

from kam.activity import selectors, services
from kam.activity.models import Activity
from kam.activity.tests.conftest import AS_OF, utc
from kam.org.models import User

pytestmark = pytest.mark.django_db


def item(owner, account, starts_at, *, status="planned"):
    """A row as the services would write it (dates relative to a fixed past day)."""
    return Activity.objects.create(
        account=account,
        owner=owner,
        kind="visit",
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        purpose="Review",
        outcome="Fine" if status == "done" else "",
        created_by=owner,
    )


def test_the_week_is_monday_to_sunday_in_the_users_time_zone(org, book):
    # Europe/Riga is UTC+3 in June: Sunday 22:30 UTC is already Monday 01:30 there.
    monday_early = item(org.kam_anna, book.aurora, utc(2025, 6, 8, 22, 30))
    sunday_late = item(org.kam_anna, book.aurora, utc(2025, 6, 15, 20, 30))  # 23:30 Sunday
    next_monday = item(org.kam_anna, book.aurora, utc(2025, 6, 15, 21, 0))  # 00:00 Monday
    wk = selectors.week(user=org.kam_anna, week_start=date(2025, 6, 12))  # a Thursday
    assert wk.start == date(2025, 6, 9) and wk.end == date(2025, 6, 15)
    assert [d.day for d in wk.days] == [date(2025, 6, 9) + timedelta(days=i) for i in range(7)]
    assert [d.day.strftime("%a") for d in wk.days] == [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
    ]  # fmt: skip
    assert list(wk.days[0].items) == [monday_early]
    assert list(wk.days[6].items) == [sunday_late]
    assert wk.count == 2
    following = selectors.week(user=org.kam_anna, week_start=date(2025, 6, 16))
    assert list(following.days[0].items) == [next_monday]
    before = selectors.week(user=org.kam_anna, week_start=date(2025, 6, 2))
    assert before.count == 0


def test_a_kam_cannot_see_another_kams_week_the_head_can(org, book):
    mine = item(org.kam_anna, book.aurora, utc(2025, 6, 10, 7))
    with pytest.raises(Http404):
        selectors.week(user=org.kam_boris, owner=org.kam_anna, week_start=date(2025, 6, 10))
    with pytest.raises(Http404):
        selectors.week(user=org.head_south, owner=org.kam_anna.pk, week_start=date(2025, 6, 10))
    for manager in (org.head_north, org.regional_north, org.director):
        wk = selectors.week(user=manager, owner=org.kam_anna, week_start=date(2025, 6, 10))
        assert list(wk.days[1].items) == [mine]


def test_the_week_reads_a_fixed_number_of_queries(org, book, django_assert_max_num_queries):
    for h in range(6):
        a = item(org.kam_anna, book.aurora, utc(2025, 6, 10 + h % 3, 6 + h))
        a.people.set([book.ilze, book.juris])
    # deputyships (twice: the person, the items' scope), the person, the company's history
    # start (the date's bounds), the items, their people: six, whatever the week holds
    with django_assert_max_num_queries(6):
        wk = selectors.week(user=org.kam_anna, week_start=date(2025, 6, 10))
        assert sum(len(i.people.all()) for d in wk.days for i in d.items) == 12


def contact(owner, account, days_before: int):
    """A done visit ``days_before`` AS_OF, at 10:00 UTC."""
    day = AS_OF - timedelta(days=days_before)
    return item(owner, account, utc(day.year, day.month, day.day, 10), status="done")


def test_gone_quiet_lists_key_clients_past_their_rhythm(org, book):
    # Aurora (critical, rhythm 14): last contact 20 days ago -> listed.
    contact(org.kam_anna, book.aurora, 35)
    contact(org.kam_anna, book.aurora, 20)
    # Birch (key, rhythm 30): 25 days ago -> not listed.
    contact(org.kam_anna, book.birch, 25)
    # Sud (critical, rhythm 14): 10 days ago -> not listed; a later planned item and a
    # cancelled one are no contact.
    contact(org.kam_sigrid, book.sud, 10)
    item(org.kam_sigrid, book.sud, utc(2025, 6, 29, 9), status="cancelled")
    # Cedar is not key: never listed, though never contacted.
    rows = selectors.gone_quiet(user=org.director, as_of=AS_OF)
    assert [
        (r.account_name, r.status, r.rhythm_days, r.last_contact, r.days_since) for r in rows
    ] == [("Aurora SIA", "critical", 14, date(2025, 6, 10), 20)]
    assert rows[0].registration_number == "40001" and rows[0].owner_name == "Anna Kam"
    # A contact after as_of does not count for as_of.
    contact(org.kam_anna, book.birch, -1)
    # Birch 31 days later than its last contact: listed too; Sud at 10 + 5 days: listed.
    later = AS_OF + timedelta(days=6)
    rows = selectors.gone_quiet(user=org.director, as_of=later)
    assert {r.account_name: r.days_since for r in rows} == {"Aurora SIA": 26, "Sud SIA": 16}


def test_gone_quiet_is_scoped_and_lists_the_never_contacted_first(org, book):
    contact(org.kam_anna, book.aurora, 20)
    anna = selectors.gone_quiet(user=org.kam_anna, as_of=AS_OF)
    # Birch never contacted: at the top; Sud is Sigrid's and not Anna's to see.
    assert [(r.account_name, r.days_since) for r in anna] == [
        ("Birch SIA", None),
        ("Aurora SIA", 20),
    ]
    sigrid = selectors.gone_quiet(user=org.kam_sigrid, as_of=AS_OF)
    assert [r.account_name for r in sigrid] == ["Sud SIA"]


def test_the_rhythm_setting_decides(org, book):
    contact(org.kam_anna, book.aurora, 20)
    contact(org.kam_anna, book.birch, 20)
    contact(org.kam_sigrid, book.sud, 20)
    services.activity_settings_update(actor=org.director, critical_days=21, key_days=19)
    rows = selectors.gone_quiet(user=org.director, as_of=AS_OF)
    assert [(r.account_name, r.status) for r in rows] == [("Birch SIA", "key")]
    services.activity_settings_update(actor=org.director, key_days=None)
    assert selectors.gone_quiet(user=org.director, as_of=AS_OF) == []


def test_gone_quiet_reads_a_fixed_number_of_queries(org, book, django_assert_max_num_queries):
    contact(org.kam_anna, book.aurora, 20)
    selectors.activity_settings()
    # the radar's read (about 15), the settings, the last contacts, the numbers
    with django_assert_max_num_queries(25) as small:
        selectors.gone_quiet(user=org.director, as_of=AS_OF)
    for n in range(8):
        contact(org.kam_anna, book.birch, 40 + n)
        contact(org.kam_sigrid, book.sud, 40 + n)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rows = selectors.gone_quiet(user=org.director, as_of=AS_OF)
    assert len(rows) == 3


def test_a_feed_answers_its_owners_items_and_404_for_a_wrong_or_revoked_secret(org, book):
    from django.utils import timezone

    soon = timezone.now() + timedelta(days=2)
    mine = item(org.kam_anna, book.aurora, soon)
    item(org.kam_anna, book.aurora, soon + timedelta(hours=3), status="cancelled")
    item(org.kam_boris, book.cedar, soon)
    item(org.kam_anna, book.aurora, timezone.now() - timedelta(days=200), status="done")
    _feed, token = services.calendar_feed_create(actor=org.kam_anna)
    user, items = selectors.feed_items(token=token)
    assert user == org.kam_anna and items == [mine]
    for wrong in ("", "x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(Http404):
            selectors.feed_items(token=wrong)
    services.calendar_feed_revoke(actor=org.kam_anna)
    with pytest.raises(Http404):
        selectors.feed_items(token=token)
    _feed, token = services.calendar_feed_create(actor=org.kam_anna)
    User.objects.filter(pk=org.kam_anna.pk).update(is_active=False)  # left the company
    with pytest.raises(Http404):
        selectors.feed_items(token=token)
