"""The schedule's writes: plan, log, complete, cancel, update, the rhythm and the feed. Each
refusal names the field and leaves the database as it was; out of scope is 404."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kam.activity import services
from kam.activity.models import Activity, ActivitySettings, CalendarFeed
from kam.activity.selectors import activity_settings
from kam.activity.tests.conftest import utc
from kam.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def plan(actor, account, **kw):
    data = {
        "kind": "visit",
        "starts_at": utc(2025, 6, 10, 7, 0),
        "purpose": "Annual review",
    }
    data.update(kw)
    return services.activity_plan(actor=actor, account=account, **data)


def field_of(exc: ValidationError) -> list[str]:
    return sorted(exc.message_dict)


def test_a_visit_for_a_client_out_of_scope_is_404_and_nothing_written(org, book):
    audits = AuditEntry.objects.count()
    with pytest.raises(Http404):
        plan(org.kam_anna, book.sud)
    with pytest.raises(Http404):
        services.activity_log(
            actor=org.kam_anna,
            account=book.sud,
            kind="call",
            starts_at=utc(2025, 6, 10, 7),
            purpose="x",
            outcome="y",
        )
    assert Activity.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    # the allowed one: Sigrid plans for her own client
    item = plan(org.kam_sigrid, book.sud, people=[book.sud_contact.pk])
    assert (item.owner, item.status) == (org.kam_sigrid, "planned")
    assert list(item.people.all()) == [book.sud_contact]


def test_sales_support_may_see_but_not_plan(org, book):
    with pytest.raises(PermissionDenied):
        plan(org.support_north, book.aurora)
    assert Activity.objects.count() == 0


def test_a_planned_item_lasts_an_hour_a_call_half_an_hour_by_default(org, book):
    visit = plan(org.kam_anna, book.aurora)
    call = plan(org.kam_anna, book.aurora, kind="call")
    assert visit.ends_at - visit.starts_at == timedelta(hours=1)
    assert call.ends_at - call.starts_at == timedelta(minutes=30)
    entry = AuditEntry.objects.filter(entity="activity.activity", entity_id=str(visit.pk)).get()
    assert entry.actor == org.kam_anna and entry.changes["account"] == book.aurora.pk


def test_people_must_be_the_clients_contacts(org, book):
    with pytest.raises(ValidationError) as err:
        plan(org.kam_anna, book.aurora, people=[book.ilze.pk, book.sud_contact.pk])
    assert field_of(err.value) == ["people"]
    assert Activity.objects.count() == 0


def test_an_activity_logged_in_the_future_as_done_is_refused_naming_the_field(org, book):
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.activity_log(
            actor=org.kam_anna,
            account=book.aurora,
            kind="call",
            starts_at=tomorrow,
            purpose="Prices",
            outcome="Agreed",
        )
    assert field_of(err.value) == ["starts_at"]
    assert "future" in err.value.message_dict["starts_at"][0]
    assert Activity.objects.count() == 0


def test_an_ad_hoc_call_is_logged_done(org, book):
    item = services.activity_log(
        actor=org.kam_anna,
        account=book.aurora,
        kind="call",
        starts_at=utc(2025, 6, 2, 9, 0),
        purpose="Delivery delay",
        outcome="Explained; they accept Friday.",
        people=[book.juris],
        next_step="Confirm the delivery",
        next_step_on=date(2025, 6, 6),
    )
    assert (item.status, item.outcome, item.next_step_on) == (
        "done",
        "Explained; they accept Friday.",
        date(2025, 6, 6),
    )
    assert list(item.people.all()) == [book.juris]


@pytest.mark.parametrize(
    ("field", "value"),
    [("purpose", "bad\x00text"), ("purpose", ""), ("purpose", "x" * 501), ("kind", "lunch")],
)
def test_bad_text_and_kinds_are_refused_naming_the_field(org, book, field, value):
    with pytest.raises(ValidationError) as err:
        plan(org.kam_anna, book.aurora, **{field: value})
    assert field_of(err.value) == [field]
    assert Activity.objects.count() == 0


def test_dates_keep_within_the_bounds(org, book):
    with pytest.raises(ValidationError) as err:
        plan(org.kam_anna, book.aurora, starts_at=utc(1999, 12, 31, 9))
    assert field_of(err.value) == ["starts_at"]
    far = timezone.now().replace(year=timezone.now().year + 11)
    with pytest.raises(ValidationError) as err:
        plan(org.kam_anna, book.aurora, starts_at=far)
    assert field_of(err.value) == ["starts_at"]
    with pytest.raises(ValidationError) as err:
        plan(org.kam_anna, book.aurora, ends_at=utc(2025, 6, 10, 6, 0))
    assert field_of(err.value) == ["ends_at"]
    assert Activity.objects.count() == 0


def test_completing_a_planned_item_with_outcome_and_next_step_planned(org, book):
    item = plan(org.kam_anna, book.aurora, people=[book.ilze])
    done = services.activity_complete(
        actor=org.kam_anna,
        item=item,
        outcome="They want a new price column.",
        next_step="Send the offer",
        next_step_on=date(2025, 6, 17),
        plan_next_step=True,
    )
    done.refresh_from_db()
    assert (done.status, done.outcome, done.next_step) == (
        "done",
        "They want a new price column.",
        "Send the offer",
    )
    follow = Activity.objects.get(follows=done)
    # 10:00 in Riga (UTC+3 in summer) on the next step's day, on the same person's schedule
    assert follow.starts_at == utc(2025, 6, 17, 7, 0)
    assert (follow.status, follow.purpose, follow.owner) == (
        "planned",
        "Send the offer",
        org.kam_anna,
    )
    assert list(follow.people.all()) == [book.ilze]
    entry = AuditEntry.objects.filter(entity_id=str(item.pk), action="update").get()
    assert entry.changes["status"] == ["planned", "done"]


def test_a_planned_item_in_the_future_cannot_be_completed(org, book):
    item = plan(org.kam_anna, book.aurora, starts_at=timezone.now() + timedelta(days=2))
    with pytest.raises(ValidationError) as err:
        services.activity_complete(actor=org.kam_anna, item=item, outcome="Fine")
    assert field_of(err.value) == ["starts_at"]
    item.refresh_from_db()
    assert item.status == "planned" and item.outcome == ""


def test_a_negotiation_records_its_topics_and_what_was_agreed(org, book):
    item = plan(org.kam_anna, book.aurora, kind="negotiation")
    with pytest.raises(ValidationError) as err:
        services.activity_complete(actor=org.kam_anna, item=item, outcome="Done")
    assert field_of(err.value) == ["topics"]
    done = services.activity_complete(
        actor=org.kam_anna,
        item=item,
        outcome="Signed",
        topics=["prices", "payment"],
        agreed="45 days, 3 % off list",
    )
    assert done.topics == ["payment", "prices"]  # in the list's order
    assert done.agreed == "45 days, 3 % off list"
    visit = plan(org.kam_anna, book.aurora)
    with pytest.raises(ValidationError) as err:
        services.activity_complete(actor=org.kam_anna, item=visit, outcome="x", topics=["prices"])
    assert field_of(err.value) == ["topics"]


def test_the_next_step_comes_after_the_activity(org, book):
    item = plan(org.kam_anna, book.aurora)
    with pytest.raises(ValidationError) as err:
        services.activity_complete(
            actor=org.kam_anna, item=item, outcome="x", next_step="y", next_step_on=date(2025, 6, 1)
        )
    assert field_of(err.value) == ["next_step_on"]
    with pytest.raises(ValidationError) as err:
        services.activity_complete(actor=org.kam_anna, item=item, outcome="x", plan_next_step=True)
    assert field_of(err.value) == ["next_step_on"]
    assert Activity.objects.count() == 1
    item.refresh_from_db()
    assert item.status == "planned"


def test_cancelled_is_closed(org, book):
    item = plan(org.kam_anna, book.aurora)
    services.activity_cancel(actor=org.kam_anna, item=item, reason="They are moving offices")
    item.refresh_from_db()
    assert (item.status, item.outcome) == ("cancelled", "They are moving offices")
    with pytest.raises(ValidationError) as err:
        services.activity_complete(actor=org.kam_anna, item=item, outcome="x")
    assert field_of(err.value) == ["status"]


def test_another_kam_cannot_complete_it_the_head_can_plan_for_the_kam(org, book):
    item = plan(org.kam_anna, book.aurora)
    with pytest.raises(Http404):
        services.activity_complete(actor=org.kam_boris, item=item, outcome="x")
    with pytest.raises(Http404):
        services.activity_cancel(actor=org.kam_sigrid, item=item)
    by_head = plan(org.head_north, book.aurora, owner=org.kam_anna)
    assert (by_head.owner, by_head.created_by) == (org.kam_anna, org.head_north)
    with pytest.raises(ValidationError) as err:
        plan(org.kam_anna, book.aurora, owner=org.kam_boris)  # not a person Anna manages
    assert field_of(err.value) == ["owner"]


def test_update_moves_a_planned_item_and_keeps_its_length(org, book):
    item = plan(org.kam_anna, book.aurora)
    services.activity_update(
        actor=org.kam_anna, item=item, starts_at=utc(2025, 6, 11, 8), people=[book.juris.pk]
    )
    item.refresh_from_db()
    assert (item.starts_at, item.ends_at) == (utc(2025, 6, 11, 8), utc(2025, 6, 11, 9))
    assert list(item.people.all()) == [book.juris]
    with pytest.raises(ValidationError) as err:
        services.activity_update(actor=org.kam_anna, item=item, outcome="early")
    assert field_of(err.value) == ["outcome"]


def test_the_rhythm_is_the_directors_to_change(org):
    with pytest.raises(PermissionDenied):
        services.activity_settings_update(actor=org.kam_anna, critical_days=7)
    assert activity_settings().critical_days == 14
    services.activity_settings_update(actor=org.director, critical_days=7, key_days="")
    s = ActivitySettings.objects.get()
    assert (s.critical_days, s.key_days, s.level) == (7, None, "company")
    with pytest.raises(ValidationError) as err:
        services.activity_settings_update(actor=org.director, key_days=0)
    assert field_of(err.value) == ["key_days"]
    with pytest.raises(ValidationError) as err:
        services.activity_settings_update(actor=org.director, level="planet")
    assert field_of(err.value) == ["level"]


def test_a_new_feed_revokes_the_old_one(org):
    first, token1 = services.calendar_feed_create(actor=org.kam_anna)
    second, token2 = services.calendar_feed_create(actor=org.kam_anna)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert token1 != token2
    assert CalendarFeed.objects.filter(token_hash=token2).count() == 0  # only the hash is kept
    assert services.calendar_feed_revoke(actor=org.kam_anna) == 1
    assert services.calendar_feed_revoke(actor=org.kam_anna) == 0
